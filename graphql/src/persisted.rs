//! Automatic persisted queries (Apollo's APQ protocol, version 1): a client sends the SHA-256 of
//! its operation's text in `extensions.persistedQuery.sha256Hash` instead of the text; when this
//! server does not know the hash it answers `PERSISTED_QUERY_NOT_FOUND` (message
//! `PersistedQueryNotFound`, which Apollo's clients look for), and the client sends the text with
//! the hash, which is checked against the text before it is remembered. Only an operation that
//! ran (passed validation) is remembered, under the hash of its own text: no request can make
//! another client's hash run a text of its choosing.
//!
//! Each caller has its texts of its own: a text is remembered under its hash and the caller's
//! subject (every anonymous caller one subject), and a hash alone runs only a text the same
//! caller sent. A cache shared by every caller would tell one caller which texts another sent
//! lately (its hash alone would run), and a text may carry a person's details as literals: a
//! caller could confirm that someone asked about a tax code by hashing a guess.
//!
//! Memory is bounded as the parsed outlines are (`parsed.rs`): at most [`REMEMBERED`] texts,
//! each of at most [`LONGEST`] bytes (a longer one runs, and is sent again in full the next
//! time), the least recently used forgotten first.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::Value;
use sha2::{Digest, Sha256};

/// The bounds of the parsed outlines: as many texts, as long.
use crate::parsed::{LONGEST, REMEMBERED};

/// The code of a persisted query sent by `GET`, which never runs an operation: Apollo's link
/// reads it, stops sending hashes alone, and sends the operation's text by `POST`.
pub(crate) const NOT_SUPPORTED_BY_GET: &str = "PERSISTED_QUERY_NOT_SUPPORTED";

/// The texts of the operations clients sent with their hash, by hash.
pub(crate) struct PersistedQueries(Mutex<lru::LruCache<[u8; 32], String>>);

impl Default for PersistedQueries {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(REMEMBERED).unwrap_or(NonZeroUsize::MIN);
        Self(Mutex::new(lru::LruCache::new(capacity)))
    }
}

/// Why a request's `persistedQuery` extension cannot be honoured.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The extension is not `{"version": 1, "sha256Hash": "<64 hexadecimal digits>"}`.
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    /// A hash without a text, of no text this server remembers.
    NotFound,
    /// The text sent is not the one the hash is of.
    Mismatch,
}

impl Refused {
    /// The error's code.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Refused::Invalid { .. } => "INVALID_PERSISTED_QUERY",
            Refused::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Refused::Mismatch => "PERSISTED_QUERY_HASH_MISMATCH",
        }
    }

    /// The input at fault, as a path in the request body.
    pub(crate) fn field(&self) -> &'static str {
        match self {
            Refused::Invalid { field, .. } => field,
            Refused::NotFound | Refused::Mismatch => "extensions.persistedQuery.sha256Hash",
        }
    }

    /// What the client is told.
    pub(crate) fn message(&self) -> &'static str {
        match self {
            Refused::Invalid { message, .. } => message,
            // The text Apollo's clients match (besides the code).
            Refused::NotFound => "PersistedQueryNotFound",
            Refused::Mismatch => {
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`"
            }
        }
    }
}

impl PersistedQueries {
    /// Applies the request's `persistedQuery` extension, if it has one: fills in the text of a
    /// request that sends only the hash, checks the hash of one that sends both. Answers the
    /// hash to remember the text under once the operation ran ([`Self::keep`]): Some for a text
    /// sent with its hash, None otherwise.
    ///
    /// `caller` is the principal's subject: only its own texts are found (see the module's doc).
    pub(crate) fn apply(
        &self,
        request: &mut async_graphql::Request,
        caller: &str,
    ) -> Result<Option<[u8; 32]>, Refused> {
        let Some(extension) = request.extensions.0.get("persistedQuery") else {
            return Ok(None);
        };
        let hash = parse(extension)?;
        if request.query.trim().is_empty() {
            let known = self.lock().get(&scoped(caller, &hash)).cloned();
            request.query = known.ok_or(Refused::NotFound)?;
            return Ok(None);
        }
        match <[u8; 32]>::from(Sha256::digest(request.query.as_bytes())) == hash {
            true => Ok(Some(scoped(caller, &hash))),
            false => Err(Refused::Mismatch),
        }
    }

    /// Remembers `query` under the key [`Self::apply`] answered (its checked hash, scoped to
    /// its caller) once its operation ran.
    pub(crate) fn keep(&self, key: [u8; 32], query: &str) {
        if query.len() <= LONGEST {
            let mut texts = self.lock();
            if !texts.contains(&key) {
                texts.put(key, query.to_owned());
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<[u8; 32], String>> {
        // Every change to the cache is a single call: a panic cannot leave it half-made.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The key of a caller's text: the SHA-256 of the caller's subject (its length first, so that
/// no two pairs run together alike) and the text's hash.
fn scoped(caller: &str, hash: &[u8; 32]) -> [u8; 32] {
    let mut key = Sha256::new();
    key.update((caller.len() as u64).to_le_bytes());
    key.update(caller.as_bytes());
    key.update(hash);
    key.finalize().into()
}

/// The hash an extension names, if it is version 1's shape.
fn parse(extension: &Value) -> Result<[u8; 32], Refused> {
    let Value::Object(fields) = extension else {
        return Err(Refused::Invalid {
            field: "extensions.persistedQuery",
            message: "`extensions.persistedQuery` must be an object: {\"version\": 1, \"sha256Hash\": \"…\"}",
        });
    };
    let version = fields.get("version").and_then(|v| match v {
        Value::Number(n) => n.as_u64(),
        _ => None,
    });
    if version != Some(1) {
        return Err(Refused::Invalid {
            field: "extensions.persistedQuery.version",
            message: "only version 1 of persisted queries is supported",
        });
    }
    let hex = match fields.get("sha256Hash") {
        Some(Value::String(hex)) => hex.as_str(),
        _ => "",
    };
    let mut hash = [0u8; 32];
    match hex.len() == 64 && hex::decode_to_slice(hex, &mut hash).is_ok() {
        true => Ok(hash),
        false => Err(Refused::Invalid {
            field: "extensions.persistedQuery.sha256Hash",
            message:
                "`extensions.persistedQuery.sha256Hash` must be a SHA-256 in 64 hexadecimal digits",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{ __typename }";

    fn request(query: &str, extension: serde_json::Value) -> async_graphql::Request {
        serde_json::from_value(serde_json::json!({
            "query": query,
            "extensions": {"persistedQuery": extension},
        }))
        .expect("a request")
    }

    fn hash_of(text: &str) -> String {
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    #[test]
    fn a_hash_runs_the_text_sent_with_it_once_that_ran() {
        let texts = PersistedQueries::default();
        let extension = serde_json::json!({"version": 1, "sha256Hash": hash_of(TEXT)});
        // Unknown hash: not found, and the request is left as it was.
        let mut only_hash = request("", extension.clone());
        assert_eq!(
            texts.apply(&mut only_hash, "token:a"),
            Err(Refused::NotFound)
        );
        // The text with its hash: checked, to be remembered once it ran.
        let mut both = request(TEXT, extension.clone());
        let hash = texts
            .apply(&mut both, "token:a")
            .expect("the hash is the text's");
        assert_eq!(both.query, TEXT);
        assert_eq!(
            texts.apply(&mut request("", extension.clone()), "token:a"),
            Err(Refused::NotFound)
        );
        texts.keep(hash.expect("a hash to remember"), &both.query);
        // Now the hash alone runs the text; the hash in upper case is the same hash.
        let mut only_hash = request("", extension);
        assert_eq!(texts.apply(&mut only_hash, "token:a"), Ok(None));
        assert_eq!(only_hash.query, TEXT);
        let upper = serde_json::json!({"version": 1, "sha256Hash": hash_of(TEXT).to_uppercase()});
        let mut only_hash = request("", upper);
        assert_eq!(texts.apply(&mut only_hash, "token:a"), Ok(None));
        assert_eq!(only_hash.query, TEXT);
    }

    #[test]
    fn a_hash_alone_runs_only_the_callers_own_text() {
        let texts = PersistedQueries::default();
        let extension = serde_json::json!({"version": 1, "sha256Hash": hash_of(TEXT)});
        let key = texts
            .apply(&mut request(TEXT, extension.clone()), "token:a")
            .expect("the hash is the text's")
            .expect("a key to remember");
        texts.keep(key, TEXT);
        // Another caller (a subject that runs together with the first's alike included) does
        // not find it, and cannot tell that anyone sent it.
        for other in ["token:b", "anonymous", "token:", "token:a "] {
            assert_eq!(
                texts.apply(&mut request("", extension.clone()), other),
                Err(Refused::NotFound),
                "{other}"
            );
        }
        let mut own = request("", extension);
        assert_eq!(texts.apply(&mut own, "token:a"), Ok(None));
        assert_eq!(own.query, TEXT);
    }

    #[test]
    fn a_text_is_never_remembered_under_another_texts_hash() {
        let texts = PersistedQueries::default();
        let other = serde_json::json!({"version": 1, "sha256Hash": hash_of("{ other }")});
        assert_eq!(
            texts.apply(&mut request(TEXT, other.clone()), "token:a"),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            texts.apply(&mut request("", other), "token:a"),
            Err(Refused::NotFound)
        );
    }

    #[test]
    fn malformed_extensions_are_refused_naming_the_field() {
        let texts = PersistedQueries::default();
        let good = hash_of(TEXT);
        for (extension, field) in [
            (serde_json::json!("x"), "extensions.persistedQuery"),
            (
                serde_json::json!({"sha256Hash": good}),
                "extensions.persistedQuery.version",
            ),
            (
                serde_json::json!({"version": 2, "sha256Hash": good}),
                "extensions.persistedQuery.version",
            ),
            (
                serde_json::json!({"version": "1", "sha256Hash": good}),
                "extensions.persistedQuery.version",
            ),
            (
                serde_json::json!({"version": 1}),
                "extensions.persistedQuery.sha256Hash",
            ),
            (
                serde_json::json!({"version": 1, "sha256Hash": "abc"}),
                "extensions.persistedQuery.sha256Hash",
            ),
            (
                serde_json::json!({"version": 1, "sha256Hash": format!("g{}", &good[1..])}),
                "extensions.persistedQuery.sha256Hash",
            ),
            (
                serde_json::json!({"version": 1, "sha256Hash": format!("{good}00")}),
                "extensions.persistedQuery.sha256Hash",
            ),
        ] {
            let refused = texts
                .apply(&mut request(TEXT, extension.clone()), "token:a")
                .expect_err("refused");
            assert_eq!(refused.code(), "INVALID_PERSISTED_QUERY", "{extension}");
            assert_eq!(refused.field(), field, "{extension}");
        }
    }

    #[test]
    fn long_texts_are_not_remembered() {
        let texts = PersistedQueries::default();
        let long = format!("{{ __typename {} }}", " ".repeat(LONGEST));
        let hash: [u8; 32] = Sha256::digest(long.as_bytes()).into();
        texts.keep(hash, &long);
        let extension = serde_json::json!({"version": 1, "sha256Hash": hex::encode(hash)});
        assert_eq!(
            texts.apply(&mut request("", extension), "token:a"),
            Err(Refused::NotFound)
        );
    }
}
