//! What resolvers reach through the context: the store, the read side and the deployment's
//! limits and switches.

use std::time::Duration;

use async_graphql::Context;
use projections::queries::ReadModels;
use projections::store::Store;

/// What resolvers reach through the context.
#[derive(Clone)]
pub struct ApiState {
    pub store: Store,
    pub read: ReadModels,
    /// How long a mutation waits for the read side to show its own events.
    pub read_your_writes: Duration,
    /// The public key (hex) that verifies this deployment's checkpoints and reports.
    pub public_key: Option<String>,
    /// The key that signs reports.
    pub signer: Option<projections::integrity::Signer>,
}

impl ApiState {
    pub fn new(store: Store) -> Self {
        Self {
            read: ReadModels::new(store.clone()),
            store,
            read_your_writes: Duration::from_secs(5),
            public_key: None,
            signer: None,
        }
    }

    /// Signs reports with `signer` and publishes its public key.
    pub fn with_signer(mut self, signer: projections::integrity::Signer) -> Self {
        self.public_key = Some(signer.public_key_hex());
        self.signer = Some(signer);
        self
    }
}

/// The read side, from a resolver's context.
pub fn read<'a>(ctx: &'a Context<'_>) -> &'a ReadModels {
    &ctx.data_unchecked::<ApiState>().read
}

/// The `Idempotency-Key` header of a request: a mutation retried with the same key (and the
/// same input) answers with its first outcome and writes nothing. Each mutation field of the
/// request uses the key with its field name appended, so one request may hold several
/// different mutations.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub String);

/// The request asked not to wait for the read side (`Prefer: wait=0`, RFC 7240): its
/// mutations answer as soon as their events are recorded, with the positions written; the
/// objects they answer with are as the read side shows them then (perhaps before the change).
#[derive(Debug, Clone, Copy)]
pub struct NoReadYourWrites;

impl NoReadYourWrites {
    /// Whether a `Prefer` header value holds the preference `wait=0` (among others, in any
    /// case, with optional spaces).
    pub fn preferred(prefer: &str) -> bool {
        prefer.split(',').any(|preference| {
            let mut parts = preference.split(';').next().unwrap_or("").splitn(2, '=');
            let name = parts.next().unwrap_or("").trim();
            let value = parts.next().unwrap_or("").trim().trim_matches('"');
            name.eq_ignore_ascii_case("wait") && value.parse::<u64>() == Ok(0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::NoReadYourWrites;

    #[test]
    fn the_wait_preference_is_read_as_rfc_7240_writes_it() {
        for yes in [
            "wait=0",
            "WAIT = 0",
            "wait=\"0\"",
            "respond-async, wait=0",
            "handling=lenient,wait=0;x",
        ] {
            assert!(NoReadYourWrites::preferred(yes), "{yes}");
        }
        for no in [
            "",
            "wait=5",
            "wait",
            "wait=",
            "return=minimal",
            "await=0",
            "wait=0x",
        ] {
            assert!(!NoReadYourWrites::preferred(no), "{no}");
        }
    }
}
