//! Dependence across a compartment (issue 4): the groups of sources whose reporting the last
//! estimate judged dependent, with the pairs that join them, so an analyst sees which
//! "independent" lines of reporting are one. Codenames and suggested letters only.

use super::{Officer, Shell, refusal, render, stylesheet_href};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

pub(super) struct MemberLine {
    pub id: String,
    pub codename: String,
    /// The suggested letter, blank when there is none.
    pub letter: String,
}

pub(super) struct PairLine {
    pub a: String,
    pub b: String,
    /// As a percentage, no decimals.
    pub percent: String,
}

pub(super) struct GroupLine {
    pub members: Vec<MemberLine>,
    pub pairs: Vec<PairLine>,
}

#[derive(Template)]
#[template(path = "officer/dependence.html")]
struct DependencePage {
    shell: Option<Shell>,
    stylesheet: String,
    compartment: String,
    groups: Vec<GroupLine>,
    sources_estimated: usize,
    updating: bool,
}

pub(super) async fn page(
    State(state): State<AppState>,
    officer: Officer,
    Path(name): Path<String>,
) -> Response {
    let shell = officer.shell("/sources");
    let v = match state
        .station
        .compartment_dependence(&officer.principal, &name)
        .await
    {
        Ok(v) => v,
        Err(e) => return refusal(Some(shell), e),
    };
    let groups = v
        .groups
        .into_iter()
        .map(|g| {
            let codename = |id: &str| {
                g.sources
                    .iter()
                    .find(|m| m.source_id == id)
                    .map(|m| m.codename.clone())
                    .unwrap_or_default()
            };
            GroupLine {
                pairs: g
                    .pairs
                    .iter()
                    .map(|p| PairLine {
                        a: codename(&p.source_a),
                        b: codename(&p.source_b),
                        percent: format!("{:.0} %", p.probability * 100.0),
                    })
                    .collect(),
                members: g
                    .sources
                    .into_iter()
                    .map(|m| MemberLine {
                        id: m.source_id,
                        codename: m.codename,
                        letter: m.letter.map(String::from).unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &DependencePage {
            stylesheet: stylesheet_href(),
            shell: Some(shell),
            compartment: v.compartment,
            groups,
            sources_estimated: v.sources_estimated,
            updating: v.updating,
        },
    )
}
