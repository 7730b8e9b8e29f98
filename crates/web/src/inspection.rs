//! The inspection pack as one self-contained, printable HTML document: embedded CSS, no
//! script, no external resource. The command line (`humint report inspection`) and the API
//! (`GET /api/v1/inspection`) both render it here, so the two cannot differ.

use askama::Template;
use humint_core::handling::calendar;
use humint_station::handling::{InspectionPack, Instant};

#[derive(Template)]
#[template(path = "inspection/pack.html")]
struct PackPage<'a> {
    pack: &'a InspectionPack,
}

/// A value the template hands over by value or through references (askama's loops borrow).
trait Value<T: Copy> {
    fn get(&self) -> T;
}

impl Value<Instant> for Instant {
    fn get(&self) -> Instant {
        *self
    }
}

impl Value<u64> for u64 {
    fn get(&self) -> u64 {
        *self
    }
}

impl<T: Copy, V: Value<T>> Value<T> for &V {
    fn get(&self) -> T {
        (**self).get()
    }
}

impl PackPage<'_> {
    /// The London day of an instant.
    fn day(&self, at: impl Value<Instant>) -> String {
        calendar::local_date(at.get()).to_string()
    }

    /// The last London day before a deadline (the first instant past it).
    fn last_day(&self, deadline: impl Value<Instant>) -> String {
        calendar::last_day_of(deadline.get()).to_string()
    }

    fn stamp(&self, at: impl Value<Instant>) -> String {
        at.get().format("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// Whole minor units as major units with two decimals and thousands separators.
    fn money(&self, minor: impl Value<u64>) -> String {
        let minor = minor.get();
        let major = (minor / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in major.chars().enumerate() {
            if i > 0 && (major.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{grouped}.{:02}", minor % 100)
    }
}

/// The pack as HTML.
pub fn render_inspection_pack(pack: &InspectionPack) -> Result<String, askama::Error> {
    PackPage { pack }.render()
}
