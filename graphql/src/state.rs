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
