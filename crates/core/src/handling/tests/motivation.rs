use crate::handling::codes;
use crate::handling::motivation::{ACCESS_MAX_BYTES, Motivation, check_access};

#[test]
fn the_five_categories_read_back_by_name_and_blank_is_not_recorded() {
    for m in Motivation::ALL {
        assert_eq!(Motivation::parse(m.as_str()), Ok(m));
        let json = serde_json::to_string(&m).expect("json");
        assert_eq!(json, format!("\"{}\"", m.as_str()));
    }
    assert_eq!(Motivation::parse("  Money "), Ok(Motivation::Money));
    assert_eq!(Motivation::parse_optional("   "), Ok(None));
    assert_eq!(
        Motivation::parse_optional("conscience"),
        Ok(Some(Motivation::Conscience))
    );
}

#[test]
fn an_unknown_motivation_is_refused_naming_the_allowed_ones() {
    for bad in ["leverage", "coercion", "moneyy", "ideology,money"] {
        let e = Motivation::parse(bad).expect_err(bad);
        assert_eq!(e.code, codes::INVALID_MOTIVATION);
        assert_eq!(
            e.message,
            "a declared motivation is one of ideology, money, recognition, conscience, other, or left not recorded"
        );
    }
}

#[test]
fn access_is_optional_and_bounded_at_its_exact_length() {
    assert_eq!(check_access("  "), Ok(None));
    assert_eq!(
        check_access(" the port authority's shift rota "),
        Ok(Some("the port authority's shift rota".to_owned()))
    );
    let longest = "a".repeat(ACCESS_MAX_BYTES);
    assert_eq!(check_access(&longest), Ok(Some(longest.clone())));
    let e = check_access(&format!("{longest}a")).expect_err("too long");
    assert_eq!(e.code, codes::ACCESS_TOO_LONG);
}
