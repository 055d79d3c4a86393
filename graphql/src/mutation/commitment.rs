//! The mutations of Commitment: their inputs, payloads and resolvers.

use super::*;

/// A commitment set directly by the coordinator.
#[derive(InputObject)]
pub struct CreateCommitmentInput {
    /// The network.
    pub network: ID,
    /// Who owes it.
    pub obligor: ID,
    /// What is owed.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Due date.
    pub due_on: Option<NaiveDate>,
    /// Created on.
    pub created_on: NaiveDate,
}
with_field!(CreateCommitmentPayload, commitment: Commitment);

/// An act on a commitment (report progress, fulfil, waive, reopen).
pub struct CommitmentActInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}
with_field!(ReportCommitmentProgressPayload, commitment: Commitment);
with_field!(FulfilCommitmentPayload, commitment: Commitment);
with_field!(WaiveCommitmentPayload, commitment: Commitment);
with_field!(ReopenCommitmentPayload, commitment: Commitment);

/// The input of `reportCommitmentProgress`.
#[derive(InputObject)]
pub struct ReportCommitmentProgressInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<ReportCommitmentProgressInput> for CommitmentActInput {
    fn from(input: ReportCommitmentProgressInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The input of `fulfilCommitment`.
#[derive(InputObject)]
pub struct FulfilCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<FulfilCommitmentInput> for CommitmentActInput {
    fn from(input: FulfilCommitmentInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The input of `waiveCommitment`.
#[derive(InputObject)]
pub struct WaiveCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<WaiveCommitmentInput> for CommitmentActInput {
    fn from(input: WaiveCommitmentInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The input of `reopenCommitment`.
#[derive(InputObject)]
pub struct ReopenCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<ReopenCommitmentInput> for CommitmentActInput {
    fn from(input: ReopenCommitmentInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The mutations of Commitment.
#[derive(Default)]
pub struct CommitmentMutation;

#[Object]
impl CommitmentMutation {
    /// The coordinator sets a commitment directly.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CreateCommitmentInput,
    ) -> ApiResult<CreateCommitmentPayload> {
        let access = allow!(ctx, CreateCommitmentPayload);
        let by = acting!(access, CreateCommitmentPayload);
        let id = new_id(ctx, CommitmentId::derived, CommitmentId::new_random);
        let mut p = Parse::default();
        let network = p
            .id("network", &input.network, NodeKind::Network)
            .map(NetworkId);
        let obligor = p.org("obligor", &input.obligor);
        let title = p.name("title", &input.title);
        let description = p.opt_text("description", &input.description);
        let command = (|| {
            Some(CommitmentCommand::Create {
                id,
                network: network?,
                source: CommitmentSource::Coordinator { by },
                obligor: obligor?,
                title: title?,
                description: description?,
                due_on: input.due_on,
                created_on: input.created_on,
            })
        })();
        run!(
            ctx,
            access,
            CreateCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The obligor reports progress.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn report_commitment_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReportCommitmentProgressInput,
    ) -> ApiResult<ReportCommitmentProgressPayload> {
        let access = allow!(ctx, ReportCommitmentProgressPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, ReportCommitmentProgressPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let command = p
            .text("note", &input.note)
            .map(|note| CommitmentCommand::ReportProgress {
                by,
                note,
                reported_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ReportCommitmentProgressPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The commitment is fulfilled, with evidence.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn fulfil_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: FulfilCommitmentInput,
    ) -> ApiResult<FulfilCommitmentPayload> {
        let access = allow!(ctx, FulfilCommitmentPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, FulfilCommitmentPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let note = p.text("note", &input.note);
        let evidence = match &input.evidence_hash {
            Some(h) => p.hash("evidenceHash", h).map(Some),
            None => Some(None),
        };
        let command = (|| {
            Some(CommitmentCommand::Fulfil {
                by,
                note: note?,
                evidence: evidence?,
                fulfilled_on: input.on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            FulfilCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The coordinator waives a commitment.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn waive_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: WaiveCommitmentInput,
    ) -> ApiResult<WaiveCommitmentPayload> {
        let access = allow!(ctx, WaiveCommitmentPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, WaiveCommitmentPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let command = p
            .text("note", &input.note)
            .map(|reason| CommitmentCommand::Waive {
                by,
                reason,
                waived_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            WaiveCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The coordinator reopens a closed commitment.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reopen_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReopenCommitmentInput,
    ) -> ApiResult<ReopenCommitmentPayload> {
        let access = allow!(ctx, ReopenCommitmentPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, ReopenCommitmentPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let command = p
            .text("note", &input.note)
            .map(|reason| CommitmentCommand::Reopen {
                by,
                reason,
                reopened_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ReopenCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }
}
