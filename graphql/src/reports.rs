//! The GraphQL objects of the reports a network answers.

use crate::graph::OrganizationRef;
use crate::prelude::*;

/// A signed annual monitoring report.
#[derive(SimpleObject)]
pub struct SignedAnnualReport {
    /// The report (JSON).
    pub document: crate::scalars::Json,
    /// SHA-256 (hex) of the document's canonical form (keys sorted, no whitespace).
    pub content_hash: String,
    /// Ed25519 signature (hex) of the content hash's hex text.
    pub signature: String,
    /// The public key (hex) that verifies the signature.
    pub public_key: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
}

/// The outcome of a commitment on a date.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Fulfilled by its due date.
    FulfilledOnTime,
    /// Fulfilled after its due date.
    FulfilledLate,
    /// Not yet due, or without a due date.
    Open,
    /// Past its due date, not fulfilled.
    Overdue,
    /// Waived by the coordinator.
    Waived,
    /// Cancelled (e.g. its obligor left the network).
    Cancelled,
}

impl From<projections::reports::Outcome> for Outcome {
    fn from(o: projections::reports::Outcome) -> Self {
        use projections::reports::Outcome as O;
        match o {
            O::FulfilledOnTime => Outcome::FulfilledOnTime,
            O::FulfilledLate => Outcome::FulfilledLate,
            O::Open => Outcome::Open,
            O::Overdue => Outcome::Overdue,
            O::Waived => Outcome::Waived,
            O::Cancelled => Outcome::Cancelled,
        }
    }
}

/// One commitment's outcome.
#[derive(SimpleObject)]
pub struct CommitmentOutcome {
    /// The commitment's global id (its history: `node(id:) { ... on Commitment { timeline } }`).
    pub commitment: ID,
    /// Its outcome.
    pub outcome: Outcome,
}

/// Commitment outcomes of one member.
#[derive(SimpleObject)]
pub struct MemberFulfilment {
    /// The member (`organization { id }` for its global id alone).
    pub organization: Option<OrganizationRef>,
    /// Fulfilled by the due date.
    pub fulfilled_on_time: usize,
    /// Fulfilled late.
    pub fulfilled_late: usize,
    /// Open, not overdue.
    pub open: usize,
    /// Overdue.
    pub overdue: usize,
    /// Waived.
    pub waived: usize,
    /// Cancelled.
    pub cancelled: usize,
    /// Each commitment with its outcome.
    pub commitments: Vec<CommitmentOutcome>,
}

/// Who signed one version of a protocol, and which members have not.
#[derive(SimpleObject)]
pub struct VersionCoverage {
    /// The version.
    pub version: u32,
    /// Its title.
    pub title: String,
    /// Opened for signature on.
    pub open_since: Option<Date>,
    /// The signatures: organization, business date, recording time.
    pub signed: Vec<SignedBy>,
    /// Active members and parties that have not signed it.
    pub not_signed: Vec<OrganizationRef>,
}

/// One signature in a coverage report.
#[derive(SimpleObject)]
pub struct SignedBy {
    /// The signatory.
    pub organization: OrganizationRef,
    /// The business date of the signature.
    pub signed_on: Date,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// Open and overdue commitments of one member.
#[derive(SimpleObject)]
pub struct CommitmentSummary {
    /// The member.
    pub organization: OrganizationRef,
    /// Commitments still owed.
    pub open: usize,
    /// Of those, the ones past their due date.
    pub overdue: usize,
}

/// How often a member attended in a period.
#[derive(SimpleObject)]
pub struct AttendanceRate {
    /// The member.
    pub organization: OrganizationRef,
    /// Meetings held in the period.
    pub meetings: usize,
    /// Meetings attended.
    pub present: usize,
    /// Meetings excused.
    pub excused: usize,
    /// Meetings recorded absent.
    pub absent: usize,
    /// The share of meetings attended (present / meetings).
    pub rate: f64,
}
