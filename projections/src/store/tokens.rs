//! Verified API tokens, remembered for a short bound so that a request does not look its
//! token up in the database every time. Only tokens found valid are remembered (an unknown or
//! revoked one is asked again each time, and nothing a caller invents fills the memory), by
//! their SHA-256 hash (the secret itself is not kept). A revocation through this process's
//! store forgets them all at once; one through another process (the `token revoke` command)
//! takes effect within the bound.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::access::ApiToken;

/// How long a verified API token is trusted without asking the database, by default.
pub const TOKEN_CACHE_DEFAULT: Duration = Duration::from_secs(5);

/// How many verified tokens are remembered at most (the least recently used go first).
const TOKENS_CACHED: usize = 10_000;

/// Token hash → (when verified, the token).
type Verified = lru::LruCache<String, (Instant, ApiToken)>;

pub(crate) struct TokenCache {
    bound: Duration,
    /// The entries, and how many times they were forgotten: a lookup that began before a
    /// revocation does not remember what it found (it may predate the revocation).
    entries: Mutex<(Verified, u64)>,
}

impl TokenCache {
    /// Remembers tokens for `bound` (zero: never).
    pub(crate) fn new(bound: Duration) -> Self {
        Self {
            bound,
            entries: Mutex::new((
                lru::LruCache::new(NonZeroUsize::new(TOKENS_CACHED).expect("at least one")),
                0,
            )),
        }
    }

    /// The token with this hash, if it was verified less than the bound ago.
    pub(crate) fn get(&self, hash: &str) -> Option<ApiToken> {
        if self.bound.is_zero() {
            return None;
        }
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entries = &mut guard.0;
        let fresh = matches!(entries.peek(hash), Some((at, _)) if at.elapsed() < self.bound);
        let found = match fresh {
            true => entries.get(hash).map(|(_, token)| token.clone()),
            false => {
                entries.pop(hash);
                None
            }
        };
        drop(guard);
        let result = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!("governance_token_cache_total", "result" => result).increment(1);
        found
    }

    /// A mark to take before asking the database, for [`Self::put`].
    pub(crate) fn epoch(&self) -> u64 {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// Remembers a token verified in the database by a lookup that began at `epoch`, unless
    /// the tokens were forgotten since.
    pub(crate) fn put(&self, epoch: u64, hash: String, token: ApiToken) {
        if self.bound.is_zero() {
            return;
        }
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if guard.1 == epoch {
            guard.0.put(hash, (Instant::now(), token));
        }
    }

    /// Forgets every token (a revocation through this process).
    pub(crate) fn clear(&self) {
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        guard.0.clear();
        guard.1 += 1;
    }
}
