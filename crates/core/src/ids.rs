//! Record identifiers: UUIDv7 (time-ordered), carried as text in both databases.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// A typed identifier: `Id<User>` and `Id<Source>` cannot be confused.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id<T> {
    value: uuid::Uuid,
    #[serde(skip)]
    kind: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    pub fn from_uuid(value: uuid::Uuid) -> Self {
        Self {
            value,
            kind: PhantomData,
        }
    }

    pub fn uuid(&self) -> uuid::Uuid {
        self.value
    }

    pub fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::parse_str(text).ok().map(Self::from_uuid)
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T> Eq for Id<T> {}
impl<T> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}
impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.value)
    }
}

/// A new time-ordered id whose random part comes from the given entropy and whose time part
/// from the given instant, so ids are reproducible in tests.
pub fn new_id<T>(at: chrono::DateTime<chrono::Utc>, entropy: &dyn crate::Entropy) -> Id<T> {
    let mut random = [0u8; 10];
    entropy.fill(&mut random);
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    Id::from_uuid(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SeededEntropy;
    use chrono::TimeZone;

    struct Thing;

    #[test]
    fn ids_are_time_ordered_and_parse_back() {
        let e = SeededEntropy::new(3);
        let t0 = chrono::Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let a: Id<Thing> = new_id(t0, &e);
        let b: Id<Thing> = new_id(t0 + chrono::Duration::milliseconds(1), &e);
        assert!(a < b);
        assert_eq!(Id::<Thing>::parse(&a.to_string()), Some(a));
        assert_eq!(a.uuid().get_version_num(), 7);
    }
}
