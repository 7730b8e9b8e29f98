//! Key rotation: a new data key version, then every encrypted field re-encrypted under it.
//! Old versions stay in the ring so a rotation cut short (a crash, a stop) leaves every field
//! readable; running it again finishes the job under a newer version.

use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_crypto::FieldRef;
use humint_store::{AuditContext, KeyVersionRow, Store};

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub new_version: u32,
    pub fields_rewrapped: u64,
}

const PAGE: i64 = 500;

impl Station {
    /// Adds a data key version and re-encrypts every encrypted field under it. `progress` is
    /// told (done, total) after each page.
    pub async fn rotate_keys(
        &self,
        actor: &Principal,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Rotation, StationError> {
        actor.require_role(&[Role::Admin], "rotate keys")?;
        let ring = self.keyring()?;
        let new_version = ring.current_version() + 1;
        let key = humint_crypto::generate_data_key(&self.master, new_version, self.entropy());
        let row = KeyVersionRow {
            version: i64::from(new_version),
            wrapped: key.blob,
            created_at_ms: self.now_ms(),
        };
        let audit = AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            "keys.rotate",
            "key_version",
            new_version.to_string(),
        );
        self.store.add_key_version(&row, &audit).await?;
        self.reload_keyring().await?;
        let ring = self.keyring()?;

        let total = u64::try_from(self.store.count_encrypted_fields().await?).unwrap_or(0);
        let mut done = 0u64;
        let mut cursor = None;
        progress(0, total);
        loop {
            let page = self.store.encrypted_fields(cursor.as_ref(), PAGE).await?;
            let Some(last) = page.last() else { break };
            cursor = Some(last.cursor.clone());
            let mut changed = Vec::with_capacity(page.len());
            for mut field in page {
                let at = FieldRef {
                    table: field.table,
                    column: field.column,
                    row: &field.row,
                };
                if humint_crypto::blob_version(&field.ciphertext) != Some(new_version) {
                    field.ciphertext =
                        ring.reencrypt(at, &field.ciphertext, new_version, self.entropy())?;
                    changed.push(field);
                }
            }
            self.store.replace_encrypted_fields(&changed).await?;
            done += changed.len() as u64;
            progress(done, total);
        }
        Ok(Rotation {
            new_version,
            fields_rewrapped: done,
        })
    }
}
