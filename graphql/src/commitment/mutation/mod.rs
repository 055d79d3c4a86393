//! The mutations of Commitment: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share.

use crate::graph::Commitment;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::commitment::{
    Commitment as CommitmentAggregate, CommitmentCommand, CommitmentSource,
};
use aggregates::ids::*;

mod create_commitment;
mod fulfil_commitment;
mod reopen_commitment;
mod report_commitment_progress;
mod waive_commitment;

pub use create_commitment::*;
pub use fulfil_commitment::*;
pub use reopen_commitment::*;
pub use report_commitment_progress::*;
pub use waive_commitment::*;

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    create_commitment::RULE,
    report_commitment_progress::RULE,
    fulfil_commitment::RULE,
    waive_commitment::RULE,
    reopen_commitment::RULE,
];

/// The mutations of Commitment.
#[derive(async_graphql::MergedObject, Default)]
pub struct CommitmentMutation(
    CreateCommitmentMutation,
    ReportCommitmentProgressMutation,
    FulfilCommitmentMutation,
    WaiveCommitmentMutation,
    ReopenCommitmentMutation,
);

impl Reloaded for Commitment {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .commitment(CommitmentId(uuid), AsOf::Now)
            .await?
            .map(|view| Commitment {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for Commitment {
    type Aggregate = CommitmentAggregate;
    const FIELD: &'static str = "commitment";
    const KIND: NodeKind = NodeKind::Commitment;
}
