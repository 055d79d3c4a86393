//! What access control and personal data keep beside the events: opaque API tokens (only
//! their SHA-256 hash is stored) with the grants they carry, and one data key per person with
//! which personal data is sealed before it goes into an event (AES-256-GCM). Destroying a
//! person's key erases the person everywhere at once: the sealed bytes in events, read models
//! and exports can no longer be opened, while the events themselves stay untouched.

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Backend, Store, StoreError};
use crate::sql::{dialect, on_pool};

/// One permission a principal holds. A principal may hold several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Grant {
    /// Everything, including erasing a person and establishing networks.
    PlatformAdministrator,
    /// Coordinates one network: acts for the network's coordinating organization in it.
    Coordinator { network: Uuid },
    /// Represents one organization: acts for it, and only for it.
    Referent { organization: Uuid },
    /// Reads everything, including the full history and the audit log; writes nothing.
    Auditor,
}

impl Grant {
    /// Parses the command line's spelling: `admin`, `auditor`, `coordinator:<network uuid>`,
    /// `referent:<organization uuid>`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (role, scope) = match text.split_once(':') {
            Some((role, scope)) => (role, Some(scope)),
            None => (text, None),
        };
        let uuid = |scope: Option<&str>| {
            scope
                .and_then(|s| Uuid::parse_str(s.trim()).ok())
                .ok_or_else(|| format!("`{text}`: expected {role}:<uuid>"))
        };
        match role.trim().to_ascii_lowercase().as_str() {
            "admin" | "platform_administrator" => Ok(Grant::PlatformAdministrator),
            "auditor" => Ok(Grant::Auditor),
            "coordinator" => Ok(Grant::Coordinator {
                network: uuid(scope)?,
            }),
            "referent" => Ok(Grant::Referent {
                organization: uuid(scope)?,
            }),
            _ => Err(format!(
                "`{text}`: the role is one of admin, auditor, coordinator:<network>, referent:<organization>"
            )),
        }
    }
}

/// An issued API token (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub subject: String,
    pub grants: Vec<Grant>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The prefix of every API token, so that a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "gov_";

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

type TokenRow = (String, String, String, DateTime<Utc>, Option<DateTime<Utc>>);

fn token_of(row: TokenRow) -> Result<ApiToken, StoreError> {
    let (id, subject, grants, created_at, revoked_at) = row;
    Ok(ApiToken {
        id,
        subject,
        grants: serde_json::from_str(&grants)
            .map_err(|e| StoreError::Corrupt(format!("grants of an API token: {e}")))?,
        created_at,
        revoked_at,
    })
}

const TOKEN_COLUMNS_POSTGRES: &str = "id, subject, grants::text, created_at, revoked_at";
const TOKEN_COLUMNS_SQLITE: &str = "id, subject, grants, created_at, revoked_at";

fn token_columns(backend: &Backend) -> &'static str {
    match backend {
        Backend::Postgres(_) => TOKEN_COLUMNS_POSTGRES,
        Backend::Sqlite(_) => TOKEN_COLUMNS_SQLITE,
    }
}

impl Store {
    /// Issues a token for `subject` with `grants`; returns its id and the token, which is
    /// shown only now (only its hash is stored).
    pub async fn issue_token(
        &self,
        subject: &str,
        grants: &[Grant],
    ) -> Result<(String, String), StoreError> {
        let token = format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
        );
        let id = Uuid::new_v4().to_string();
        let grants = serde_json::to_string(grants).expect("grants serialise");
        let backend = self.backend();
        let sql = match backend {
            Backend::Postgres(_) => {
                "INSERT INTO api_tokens (id, hash, subject, grants) VALUES ($1, $2, $3, $4::jsonb)"
            }
            Backend::Sqlite(_) => {
                "INSERT INTO api_tokens (id, hash, subject, grants) VALUES ($1, $2, $3, $4)"
            }
        };
        let sql = dialect(backend, sql);
        on_pool!(backend, pool => sqlx::query(&sql)
            .bind(&id)
            .bind(token_hash(&token))
            .bind(subject)
            .bind(&grants)
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok((id, token))
    }

    /// The token presented, if it was issued (revoked ones included: the caller decides).
    pub async fn find_token(&self, token: &str) -> Result<Option<ApiToken>, StoreError> {
        self.token_with_hash(&token_hash(token)).await
    }

    async fn token_with_hash(&self, hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let backend = self.backend();
        let sql = dialect(
            backend,
            &format!(
                "SELECT {} FROM api_tokens WHERE hash = $1",
                token_columns(backend)
            ),
        );
        let row: Option<TokenRow> = on_pool!(backend, pool => sqlx::query_as(&sql)
            .bind(hash)
            .fetch_optional(pool)
            .await?);
        row.map(token_of).transpose()
    }

    /// The valid (unrevoked) token with this secret, if any: as verified less than the token
    /// cache's bound ago (see [`Store::with_token_cache`]), else asked from the database.
    pub async fn verify_token(&self, token: &str) -> Result<Option<ApiToken>, StoreError> {
        let hash = token_hash(token);
        if let Some(known) = self.tokens.get(&hash) {
            return Ok(Some(known));
        }
        let epoch = self.tokens.epoch();
        let found = self
            .token_with_hash(&hash)
            .await?
            .filter(|t| t.revoked_at.is_none());
        if let Some(valid) = &found {
            self.tokens.put(epoch, hash, valid.clone());
        }
        Ok(found)
    }

    /// Every token issued, newest first.
    pub async fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let backend = self.backend();
        let sql = format!(
            "SELECT {} FROM api_tokens ORDER BY created_at DESC, id",
            token_columns(backend)
        );
        let rows: Vec<TokenRow> =
            on_pool!(backend, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(token_of).collect()
    }

    /// Revokes a token by id; false if there is no such token or it was already revoked.
    pub async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        let backend = self.backend();
        let sql = match backend {
            Backend::Postgres(_) => {
                "UPDATE api_tokens SET revoked_at = clock_timestamp() WHERE id = $1 AND revoked_at IS NULL"
            }
            Backend::Sqlite(_) => {
                "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1 AND revoked_at IS NULL"
            }
        };
        let done = on_pool!(backend, pool => sqlx::query(sql).bind(id).execute(pool).await?.rows_affected());
        self.tokens.clear();
        Ok(done == 1)
    }

    /// Creates the data key of a new person (or returns the existing one). The key is stored
    /// wrapped by the deployment's key-encryption key, never in clear.
    pub async fn person_key_or_create(&self, person: &str) -> Result<Vec<u8>, StoreError> {
        let secrets = self.secrets()?;
        let backend = self.backend();
        let insert = insert_person_key(backend);
        let wrapped = secrets.wrap(person, &random_bytes::<32>());
        on_pool!(backend, pool => sqlx::query(insert).bind(person).bind(&wrapped).bind(secrets.key_id()).execute(pool).await.map(|_| ())?);
        self.person_key(person)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a person key vanished as it was created".into()))
    }

    /// The data key of a person; `None` once the person is erased (or never existed). A key
    /// wrapped with another deployment secret is an error, never taken for an erasure.
    pub async fn person_key(&self, person: &str) -> Result<Option<Vec<u8>>, StoreError> {
        person_key_in(self.backend(), self.secrets()?, person).await
    }

    /// Wraps every person key an earlier version stored in clear (run at start-up); answers
    /// how many it wrapped. The clear keys are then reclaimed as on erasure.
    pub async fn wrap_person_keys(&self) -> Result<usize, StoreError> {
        let secrets = self.secrets()?;
        let backend = self.backend();
        let rows: Vec<(String, Vec<u8>)> = on_pool!(backend, pool => sqlx::query_as(
            "SELECT person_id, key FROM person_keys WHERE kek_id IS NULL"
        ).fetch_all(pool).await?);
        let update = dialect(
            backend,
            "UPDATE person_keys SET key = $1, kek_id = $2 WHERE person_id = $3 AND kek_id IS NULL",
        );
        for (person, key) in &rows {
            let wrapped = secrets.wrap(person, key);
            on_pool!(backend, pool => sqlx::query(&update).bind(&wrapped).bind(secrets.key_id()).bind(person).execute(pool).await.map(|_| ())?);
        }
        if !rows.is_empty() {
            self.reclaim_person_keys().await?;
        }
        Ok(rows.len())
    }

    /// The wrapped keys, for an export that moves the deployment (erased people have none).
    pub async fn wrapped_person_keys(&self) -> Result<Vec<WrappedPersonKey>, StoreError> {
        let secrets = self.secrets()?;
        self.wrap_person_keys().await?;
        let backend = self.backend();
        let rows: Vec<(String, Vec<u8>, Option<String>)> = on_pool!(backend, pool => sqlx::query_as(
            "SELECT person_id, key, kek_id FROM person_keys ORDER BY person_id"
        ).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(person, key, kek_id)| match kek_id {
                Some(id) if id == secrets.key_id() => Ok(WrappedPersonKey {
                    person,
                    wrapped: base64::engine::general_purpose::STANDARD.encode(key),
                    kek_id: id,
                }),
                other => Err(StoreError::WrongSecret {
                    stored: other.unwrap_or_default(),
                    configured: secrets.key_id().to_owned(),
                }),
            })
            .collect()
    }

    /// Imports wrapped keys of an export (the same deployment secret must be configured:
    /// each key is checked to open). A person already holding a key keeps it; an erased
    /// person has no key in the export and stays erased.
    pub async fn import_person_keys(&self, keys: &[WrappedPersonKey]) -> Result<usize, StoreError> {
        let secrets = self.secrets()?;
        let backend = self.backend();
        let insert = insert_person_key(backend);
        let mut imported = 0;
        for key in keys {
            if key.kek_id != secrets.key_id() {
                return Err(StoreError::WrongSecret {
                    stored: key.kek_id.clone(),
                    configured: secrets.key_id().to_owned(),
                });
            }
            let wrapped = base64::engine::general_purpose::STANDARD
                .decode(&key.wrapped)
                .ok()
                .filter(|w| secrets.unwrap(&key.person, w).is_some())
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "the exported key of person {} does not open",
                        key.person
                    ))
                })?;
            let done = on_pool!(backend, pool => sqlx::query(insert).bind(&key.person).bind(&wrapped).bind(&key.kek_id).execute(pool).await?.rows_affected());
            imported += done as usize;
        }
        Ok(imported)
    }

    /// Destroys a person's data key: everything sealed with it becomes unreadable for good.
    /// The deleted row is reclaimed at once (see [`Store::reclaim_person_keys`]). Returns
    /// whether a key existed.
    pub async fn destroy_person_key(&self, person: &str) -> Result<bool, StoreError> {
        let backend = self.backend();
        let sql = dialect(backend, "DELETE FROM person_keys WHERE person_id = $1");
        let done = on_pool!(backend, pool => sqlx::query(&sql).bind(person).execute(pool).await?.rows_affected());
        self.reclaim_person_keys().await?;
        Ok(done == 1)
    }

    /// Removes the bytes of deleted person keys from the database files: on PostgreSQL the
    /// table is rewritten (`VACUUM FULL`: the old file, dead rows included, is unlinked); on
    /// SQLite secure_delete has overwritten them in the main file and a checkpoint truncates
    /// the write-ahead log. (PostgreSQL's WAL segments keep the wrapped bytes until they are
    /// recycled; without the deployment secret they open nothing: see the README.)
    async fn reclaim_person_keys(&self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Postgres(pool) => {
                sqlx::query("VACUUM FULL person_keys").execute(pool).await?;
            }
            Backend::Sqlite(pool) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Stores a wrapped key unless the person already has one: (person, wrapped key, kek id).
fn insert_person_key(backend: &Backend) -> &'static str {
    match backend {
        Backend::Postgres(_) => {
            "INSERT INTO person_keys (person_id, key, kek_id) VALUES ($1, $2, $3) ON CONFLICT (person_id) DO NOTHING"
        }
        Backend::Sqlite(_) => {
            "INSERT OR IGNORE INTO person_keys (person_id, key, kek_id) VALUES (?1, ?2, ?3)"
        }
    }
}

/// A person's data key as an export carries it: wrapped by the deployment's key-encryption
/// key (base64), with the id of that key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedPersonKey {
    pub person: String,
    pub wrapped: String,
    pub kek_id: String,
}

/// The data key of a person, unwrapped with `secrets`; `None` once the person is erased (or
/// never existed). A key wrapped with another deployment secret is an error, never taken for
/// an erasure.
pub(crate) async fn person_key_in(
    backend: &Backend,
    secrets: &crate::secrets::Secrets,
    person: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let sql = dialect(
        backend,
        "SELECT key, kek_id FROM person_keys WHERE person_id = $1",
    );
    let row: Option<(Vec<u8>, Option<String>)> =
        on_pool!(backend, pool => sqlx::query_as(&sql).bind(person).fetch_optional(pool).await?);
    let Some((wrapped, kek_id)) = row else {
        return Ok(None);
    };
    match kek_id {
        Some(id) if id == secrets.key_id() => {}
        Some(stored) => {
            return Err(StoreError::WrongSecret {
                stored,
                configured: secrets.key_id().to_owned(),
            })
        }
        // Stored unwrapped by an earlier version (until `wrap_person_keys` ran).
        None => return Ok(Some(wrapped)),
    }
    secrets.unwrap(person, &wrapped).map(Some).ok_or_else(|| {
        StoreError::Corrupt(format!("the wrapped key of person {person} does not open"))
    })
}

/// What is sealed: the clear-text contact details of one person.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PersonDetails {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Seals personal data with a person's key: base64 of nonce ‖ ciphertext, bound to the
/// person's id (a sealed value moved to another person does not open).
pub fn seal(key: &[u8], person: &str, plaintext: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::secrets::aead_seal(
        key,
        person.as_bytes(),
        plaintext,
    ))
}

/// Opens what `seal` sealed; `None` if the key is wrong, the data altered or not sealed.
pub fn open(key: &[u8], person: &str, sealed: &str) -> Option<Vec<u8>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .ok()?;
    crate::secrets::aead_open(key, person.as_bytes(), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_person() {
        let key = random_bytes::<32>();
        let sealed = seal(&key, "p1", b"Maria Rossi");
        assert!(!sealed.contains("Maria"));
        assert_eq!(
            open(&key, "p1", &sealed).as_deref(),
            Some(&b"Maria Rossi"[..])
        );
        assert_eq!(open(&key, "p2", &sealed), None, "bound to the person");
        assert_eq!(open(&random_bytes::<32>(), "p1", &sealed), None);
        let mut altered = base64::engine::general_purpose::STANDARD
            .decode(&sealed)
            .unwrap();
        altered[14] ^= 1;
        let altered = base64::engine::general_purpose::STANDARD.encode(altered);
        assert_eq!(open(&key, "p1", &altered), None);
        assert_eq!(open(&key, "p1", "not base64!"), None);
    }

    #[test]
    fn grants_parse_from_the_command_line() {
        let n = Uuid::new_v4();
        assert_eq!(Grant::parse("admin"), Ok(Grant::PlatformAdministrator));
        assert_eq!(
            Grant::parse(&format!("coordinator:{n}")),
            Ok(Grant::Coordinator { network: n })
        );
        assert!(Grant::parse("coordinator").is_err());
        assert!(Grant::parse("referent:nope").is_err());
        assert!(Grant::parse("root").is_err());
    }
}
