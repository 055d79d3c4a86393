//! The deployment secret: 32 random bytes kept outside the database (a key file beside the
//! signing key, or an environment variable), from which two keys are derived (HKDF-SHA256):
//!
//! - the **key-encryption key** that wraps every person's data key (AES-256-GCM, bound to the
//!   person's id) before it is stored in `person_keys`: a dump, a backup, a WAL archive or a
//!   replica of the database alone opens no person's details, and once erasure deleted the
//!   wrapped key nothing in the database can bring it back;
//! - the **fingerprint key** of idempotency keys: what a request is bound to is an HMAC-SHA256
//!   under this key, so a stored fingerprint cannot confirm a guess of the request's content
//!   (a name, an e-mail, a phone number) without the secret;
//! - the **event authentication key**: every event the server appends carries an HMAC of its
//!   content under this key in its metadata (`event_mac`), and the sealer seals (and so
//!   signs) only events whose code verifies, so that a row someone put in the log with the
//!   database's credentials alone is never covered by a signed checkpoint (see
//!   `integrity.rs`).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The bytes of a wrapped data key: nonce (12) ‖ key (32) ‖ tag (16).
pub const WRAPPED_KEY_LEN: usize = 12 + 32 + 16;

/// The deployment's secret keys (never stored in the database).
#[derive(Clone)]
pub struct Secrets {
    key_encryption: [u8; 32],
    fingerprint: [u8; 32],
    event_authentication: [u8; 32],
    /// A public name of the key-encryption key (HMAC of a fixed label), so that a store can
    /// tell a wrong secret from erased people.
    kek_id: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("kek_id", &self.kek_id)
            .finish_non_exhaustive()
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(b"governance deployment secret v1"), master)
        .expand(label.as_bytes(), &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

impl Secrets {
    /// From the 32-byte master secret.
    pub fn from_bytes(master: [u8; 32]) -> Self {
        let key_encryption = derive(&master, "person key wrapping");
        let fingerprint = derive(&master, "idempotency fingerprint");
        let event_authentication = derive(&master, "event authentication");
        let id_key = derive(&master, "key-encryption key id");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&id_key).expect("any key length");
        mac.update(b"kek-id");
        let kek_id = hex::encode(&mac.finalize().into_bytes()[..8]);
        Secrets {
            key_encryption,
            fingerprint,
            event_authentication,
            kek_id,
        }
    }

    /// A new random secret (tests, and the first start of a deployment).
    pub fn generate() -> Self {
        Self::from_bytes(random_master())
    }

    /// From the master secret in hex (the key file's content, or the environment variable).
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let master: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("a secret key holds 64 hexadecimal characters (32 bytes)")?;
        Ok(Self::from_bytes(master))
    }

    /// Reads the key file, or creates it (readable by the owner only) with a new secret.
    pub fn load_or_create(path: &std::path::Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let master = random_master();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                write_private(path, &hex::encode(master))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(Self::from_bytes(master))
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// A public, stable name of the key-encryption key (no secret can be learnt from it).
    pub fn key_id(&self) -> &str {
        &self.kek_id
    }

    /// Wraps a person's data key, bound to the person's id.
    pub fn wrap(&self, person: &str, key: &[u8]) -> Vec<u8> {
        aead_seal(&self.key_encryption, wrap_aad(person).as_bytes(), key)
    }

    /// Unwraps what [`Secrets::wrap`] wrapped; `None` with another secret, another person or
    /// altered bytes.
    pub fn unwrap(&self, person: &str, wrapped: &[u8]) -> Option<Vec<u8>> {
        if wrapped.len() != WRAPPED_KEY_LEN {
            return None;
        }
        aead_open(&self.key_encryption, wrap_aad(person).as_bytes(), wrapped)
    }

    /// The keyed fingerprint (HMAC-SHA256, hex) of `parts`, each length-prefixed so that no
    /// two different sequences of parts give the same input.
    pub fn fingerprint(&self, parts: &[&[u8]]) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.fingerprint).expect("any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The bytes of an event's authentication code (HMAC-SHA256 truncated to 128 bits), and so
/// twice that many hexadecimal characters in the metadata.
pub const EVENT_MAC_LEN: usize = 16;

/// Whether an event's authentication code verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticity {
    Authentic,
    /// The event carries no code: not appended by this system's server (or appended by a
    /// version before codes).
    Missing,
    /// The code does not verify: the event was forged, altered, or written under another
    /// deployment secret.
    Invalid,
}

impl Authenticity {
    /// Whether an event judged so, at `position`, is one a server of this deployment
    /// appended, when its signed checkpoints cover the log up to `vouched`. A missing code is
    /// the server's only under a checkpoint (an earlier version's events carry none); a code
    /// that does not verify never is, covered or not: every code was checked before a
    /// checkpoint was signed over it, so such an event was altered since.
    pub fn is_the_servers(self, position: i64, vouched: i64) -> bool {
        match self {
            Authenticity::Authentic => true,
            Authenticity::Missing => position <= vouched,
            Authenticity::Invalid => false,
        }
    }
}

impl Secrets {
    fn event_hmac(&self, event: &crate::event::Hashed<'_>) -> Hmac<Sha256> {
        let mut form = Vec::with_capacity(512);
        crate::integrity::canonical::write_authenticated_event(event, &mut form);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.event_authentication)
            .expect("any key length");
        mac.update(&form);
        mac
    }

    /// The authentication code of an event (hex), over what
    /// [`crate::integrity::canonical::write_authenticated_event`] covers.
    pub fn event_mac(&self, event: &crate::event::Hashed<'_>) -> String {
        hex::encode(&self.event_hmac(event).finalize().into_bytes()[..EVENT_MAC_LEN])
    }

    /// Checks the code `event`'s metadata carries (in constant time).
    pub fn authenticate(&self, event: &crate::event::Hashed<'_>) -> Authenticity {
        let Some(stored) = crate::integrity::canonical::stored_mac(event) else {
            return Authenticity::Missing;
        };
        match hex::decode(stored) {
            Ok(code) if code.len() == EVENT_MAC_LEN => {
                match self.event_hmac(event).verify_truncated_left(&code) {
                    Ok(()) => Authenticity::Authentic,
                    Err(_) => Authenticity::Invalid,
                }
            }
            _ => Authenticity::Invalid,
        }
    }

    /// Sets the authentication code in the metadata of `event`, about to be appended
    /// (replacing any code it carried, as an import does: codes are a deployment's own).
    pub fn authenticate_metadata(&self, event: Appending<'_>, metadata: &mut serde_json::Value) {
        use crate::event::{Hashed, Json};
        let code = self.event_mac(&Hashed {
            position: 0,
            aggregate_type: event.aggregate_type,
            aggregate_id: event.aggregate_id,
            sequence: event.sequence,
            event_type: event.event_type,
            event_version: event.event_version,
            payload: Json::Value(event.payload),
            metadata: Json::Value(metadata),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        });
        if let serde_json::Value::Object(map) = metadata {
            map.insert(
                aggregates::metadata::keys::EVENT_MAC.to_owned(),
                serde_json::Value::String(code),
            );
        }
    }
}

/// An event about to be appended, as its code covers it with its metadata.
#[derive(Debug, Clone, Copy)]
pub struct Appending<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub payload: &'a serde_json::Value,
}

/// AES-256-GCM of `msg` bound to `aad` under `key`: nonce (12 random bytes) ‖ ciphertext ‖ tag.
pub(crate) fn aead_seal(key: &[u8], aad: &[u8], msg: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(key).expect("a 256-bit key");
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg, aad })
        .expect("AES-GCM encryption does not fail for in-memory data");
    let mut out = nonce.to_vec();
    out.extend(sealed);
    out
}

/// Opens what [`aead_seal`] sealed; `None` for another key or aad, or altered bytes.
pub(crate) fn aead_open(key: &[u8], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 12 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let (nonce, msg) = sealed.split_at(12);
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg, aad })
        .ok()
}

#[cfg(unix)]
pub(crate) fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

fn wrap_aad(person: &str) -> String {
    format!("person-key:{person}")
}

fn random_master() -> [u8; 32] {
    let mut master = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut master);
    master
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use sha2::Digest;

    #[test]
    fn a_wrapped_key_opens_only_with_its_secret_and_person() {
        let secrets = Secrets::generate();
        let key = [7u8; 32];
        let wrapped = secrets.wrap("p1", &key);
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        assert!(
            !wrapped.windows(32).any(|w| w == key),
            "the key is not in clear"
        );
        assert_eq!(secrets.unwrap("p1", &wrapped).as_deref(), Some(&key[..]));
        assert_eq!(secrets.unwrap("p2", &wrapped), None, "bound to the person");
        assert_eq!(Secrets::generate().unwrap("p1", &wrapped), None);
        let mut altered = wrapped.clone();
        altered[20] ^= 1;
        assert_eq!(secrets.unwrap("p1", &altered), None);
        assert_eq!(
            secrets.unwrap("p1", &key),
            None,
            "a raw key is not a wrapped one"
        );
    }

    #[test]
    fn fingerprints_are_keyed_and_unambiguous() {
        let a = Secrets::generate();
        let b = Secrets::generate();
        let parts: [&[u8]; 2] = [b"Person", b"Maria Rossi"];
        assert_eq!(a.fingerprint(&parts), a.fingerprint(&parts));
        assert_ne!(a.fingerprint(&parts), b.fingerprint(&parts), "keyed");
        assert_ne!(
            a.fingerprint(&parts),
            hex::encode(Sha256::digest(b"PersonMaria Rossi")),
            "not a plain hash"
        );
        assert_ne!(
            a.fingerprint(&[b"ab", b"c"]),
            a.fingerprint(&[b"a", b"bc"]),
            "length-prefixed"
        );
    }

    #[test]
    fn an_event_code_covers_the_event_as_written_and_nothing_else() {
        use crate::event::{Hashed, Json};
        let secrets = Secrets::generate();
        let payload = serde_json::json!({"OrganizationRegistered": {"name": "Comune", "n": 1.5}});
        let mut metadata = serde_json::json!({"actor_id": "u", "correlation_id": "c"});
        secrets.authenticate_metadata(
            Appending {
                aggregate_type: "Organization",
                aggregate_id: "o-1",
                sequence: 1,
                event_type: "OrganizationRegistered",
                event_version: "1",
                payload: &payload,
            },
            &mut metadata,
        );
        let code = metadata["event_mac"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 2 * EVENT_MAC_LEN);
        let event = |id: &'static str,
                     seq: i64,
                     payload: &'static Value,
                     metadata: &'static Value| Hashed {
            position: 99,
            aggregate_type: "Organization",
            aggregate_id: id,
            sequence: seq,
            event_type: "OrganizationRegistered",
            event_version: "1",
            payload: Json::Value(payload),
            metadata: Json::Value(metadata),
            recorded_at: chrono::Utc::now(),
        };
        let leak = |v: Value| -> &'static Value { Box::leak(Box::new(v)) };
        let (p, m) = (leak(payload.clone()), leak(metadata.clone()));
        // As stored: any position, any recording time, keys in any order, metadata read as
        // a map of strings.
        assert_eq!(
            secrets.authenticate(&event("o-1", 1, p, m)),
            Authenticity::Authentic
        );
        let reordered: Value = serde_json::from_str(&format!(
            r#"{{"event_mac": "{code}", "correlation_id": "c", "actor_id": "u"}}"#
        ))
        .unwrap();
        assert_eq!(
            secrets.authenticate(&event("o-1", 1, p, leak(reordered))),
            Authenticity::Authentic
        );
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_value(metadata.clone()).unwrap();
        let strings = Hashed {
            metadata: Json::Strings(&map),
            ..event("o-1", 1, p, m)
        };
        assert_eq!(secrets.authenticate(&strings), Authenticity::Authentic);
        // Anything else changed, or another secret: refused.
        assert_eq!(
            secrets.authenticate(&event("o-2", 1, p, m)),
            Authenticity::Invalid
        );
        assert_eq!(
            secrets.authenticate(&event("o-1", 2, p, m)),
            Authenticity::Invalid
        );
        let other_payload =
            leak(serde_json::json!({"OrganizationRegistered": {"name": "Comune", "n": 2.5}}));
        assert_eq!(
            secrets.authenticate(&event("o-1", 1, other_payload, m)),
            Authenticity::Invalid
        );
        let mut more = metadata.clone();
        more["actor_id"] = "v".into();
        assert_eq!(
            secrets.authenticate(&event("o-1", 1, p, leak(more))),
            Authenticity::Invalid
        );
        assert_eq!(
            Secrets::generate().authenticate(&event("o-1", 1, p, m)),
            Authenticity::Invalid
        );
        let mut garbled = metadata.clone();
        garbled["event_mac"] = "zz".into();
        assert_eq!(
            secrets.authenticate(&event("o-1", 1, p, leak(garbled))),
            Authenticity::Invalid
        );
        let mut none = metadata.clone();
        none.as_object_mut().unwrap().remove("event_mac");
        assert_eq!(
            secrets.authenticate(&event("o-1", 1, p, leak(none))),
            Authenticity::Missing
        );
    }

    #[test]
    fn the_master_secret_round_trips_through_hex_and_a_key_file() {
        let dir = tempfile_dir();
        let path = dir.join("secret.key");
        let created = Secrets::load_or_create(&path).unwrap();
        let loaded = Secrets::load_or_create(&path).unwrap();
        assert_eq!(created.key_id(), loaded.key_id());
        let wrapped = created.wrap("p", &[1; 32]);
        assert!(loaded.unwrap("p", &wrapped).is_some());
        assert!(Secrets::from_hex("nothex").is_err());
        assert!(Secrets::from_hex(&"ab".repeat(31)).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("secrets-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
