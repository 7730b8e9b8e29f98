//! Dependence across a compartment (issue 4): the groups of sources whose reporting the last
//! estimate judged dependent — copied from one another or drawn from a shared sub-source —
//! so an analyst sees at a glance which "independent" lines of reporting are one. Read from
//! the stored estimates (each source's dependent sources); codenames only, never an identity.

use super::access::READERS;
use crate::{Principal, Station, StationError};
use humint_core::handling::reliability::dependence_groups;
use humint_store::ReliabilityStore as _;
use serde::Serialize;
use std::collections::HashMap;

/// A member of a dependence group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMember {
    pub source_id: String,
    pub codename: String,
    /// The source's suggested letter.
    pub letter: Option<char>,
}

/// Two members judged dependent on each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependentPair {
    pub source_a: String,
    pub source_b: String,
    pub probability: f64,
}

/// Sources linked by dependence, directly or through one another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependenceGroupView {
    pub sources: Vec<GroupMember>,
    pub pairs: Vec<DependentPair>,
}

/// A compartment's dependence groups, largest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependenceView {
    pub compartment: String,
    pub groups: Vec<DependenceGroupView>,
    /// Sources with a current estimate (the ones the groups are drawn from).
    pub sources_estimated: usize,
    /// An estimate of the compartment is under way: the groups may be about to change.
    pub updating: bool,
}

impl Station {
    /// The groups of sources of `compartment` judged dependent (anyone who may read the
    /// compartment's sources).
    pub async fn compartment_dependence(
        &self,
        p: &Principal,
        compartment: &str,
    ) -> Result<DependenceView, StationError> {
        let record = self
            .compartment_for(p, READERS, "see dependence between sources", compartment)
            .await?;
        let sources = self.store.compartment_sources(&record.id).await?;
        let codenames: HashMap<&str, &str> = sources
            .iter()
            .map(|s| (s.id.as_str(), s.codename.as_str()))
            .collect();
        let mut letters: HashMap<String, Option<char>> = HashMap::new();
        let mut pairs: Vec<(String, String, f64)> = Vec::new();
        for (id, letter, doc) in self.store.compartment_estimates(&record.id).await? {
            let view: super::reliability::SourceEstimateView = serde_json::from_str(&doc)
                .map_err(|_| StationError::Io("a stored estimate is damaged".to_owned()))?;
            for d in view.evidence.dependent_sources {
                // Only sources of this compartment (an estimate never spans two).
                if codenames.contains_key(d.source_id.as_str()) {
                    pairs.push((id.clone(), d.source_id, d.probability));
                }
            }
            letters.insert(id, letter.chars().next());
        }
        let member = |id: &str| GroupMember {
            source_id: id.to_owned(),
            codename: codenames.get(id).map(|c| c.to_string()).unwrap_or_default(),
            letter: letters.get(id).copied().flatten(),
        };
        let groups = dependence_groups(pairs.iter().map(|(a, b, p)| (a.as_str(), b.as_str(), *p)))
            .into_iter()
            .map(|g| DependenceGroupView {
                sources: g.members.iter().map(|m| member(m)).collect(),
                pairs: g
                    .pairs
                    .iter()
                    .map(|&(a, b, probability)| DependentPair {
                        source_a: a.to_owned(),
                        source_b: b.to_owned(),
                        probability,
                    })
                    .collect(),
            })
            .collect();
        Ok(DependenceView {
            compartment: record.name,
            groups,
            sources_estimated: letters.len(),
            updating: self.reliability_updating(&record.id),
        })
    }
}
