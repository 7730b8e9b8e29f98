//! The authorising officer's rank (AUTH-03): the rank table in force (a station setting) and
//! each officer's recorded rank. The rule is the core's (`handling::rank`); this module reads
//! and records, and hands the grant and renewal the table and the deciding officer's rank.

use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_core::handling::rank::{self, RankFacts, RankTable};
use humint_store::Store as _;

impl Station {
    /// The rank table in force: `None` (the default) when none is, and ranks are not checked.
    pub async fn rank_table(&self) -> Result<Option<&'static RankTable>, StationError> {
        match self.store.meta(humint_store::RANK_TABLE_SETTING).await? {
            None => Ok(None),
            Some(name) => Ok(rank::table_named(&name)?),
        }
    }

    /// Chooses the rank table in force by name, or `none` (admins). Audited with the name, so
    /// the ledger shows which table held when. `RANK_TABLE_UNKNOWN` for any other name.
    pub async fn set_rank_table(
        &self,
        p: &Principal,
        name: &str,
    ) -> Result<Option<&'static RankTable>, StationError> {
        p.require_role(&[Role::Admin], "choose the rank table")?;
        let table = rank::table_named(name)?;
        let shown = table.map_or(rank::NO_TABLE, |t| t.name);
        let audit = self.audit(
            p,
            "settings.ranks.change",
            "setting",
            &format!("ranks: {shown}"),
        );
        self.store
            .set_rank_table(table.map(|t| t.name), &audit)
            .await?;
        Ok(table)
    }

    /// Records an officer's rank (admins): it must be in the table in force (`RANK_UNKNOWN`),
    /// and is kept as the table spells it. Audited as `user.rank` with the rank.
    pub async fn set_user_rank(
        &self,
        p: &Principal,
        username: &str,
        rank_text: &str,
    ) -> Result<&'static str, StationError> {
        p.require_role(&[Role::Admin], "record ranks")?;
        let user = self
            .store
            .user_by_name(username)
            .await?
            .ok_or(StationError::NotFound { what: "user" })?;
        let spelled = rank::parse_rank(self.rank_table().await?, rank_text)?;
        let audit = self.audit(p, "user.rank", "user", &format!("{}: {spelled}", user.id));
        self.store
            .set_user_rank(&user.id, Some(spelled), &audit)
            .await?;
        Ok(spelled)
    }

    /// An officer's recorded rank, if any.
    pub async fn user_rank(&self, username: &str) -> Result<Option<String>, StationError> {
        Ok(self
            .store
            .user_by_name(username)
            .await?
            .ok_or(StationError::NotFound { what: "user" })?
            .rank)
    }

    /// AUTH-03 for a grant or renewal by `p`: the core's check against the table in force and
    /// `p`'s recorded rank. The rank to record on the decision (`None` without a table).
    pub(crate) async fn decision_rank(
        &self,
        p: &Principal,
        facts: &RankFacts<'_>,
    ) -> Result<Option<String>, StationError> {
        let Some(table) = self.rank_table().await? else {
            return Ok(None);
        };
        let officer = self
            .store
            .user_by_id(&p.user_id)
            .await?
            .and_then(|u| u.rank);
        Ok(rank::check_decision_rank(Some(table), facts, officer.as_deref())?.map(str::to_owned))
    }
}
