//! The read model of Commitment: its documents (their serde form is the stored form) and the
//! fold of its events into them.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub by: OrganizationId,
    pub note: FreeText,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub note: FreeText,
    pub document_hash: Option<DocumentHash>,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentView {
    pub id: CommitmentId,
    pub network: NetworkId,
    pub source: CommitmentSource,
    pub obligor: OrganizationId,
    pub title: Name,
    pub description: Option<FreeText>,
    pub due_on: Option<NaiveDate>,
    pub created_on: NaiveDate,
    pub status: CommitmentStatus,
    pub progress: Vec<ProgressView>,
    pub evidence: Option<EvidenceView>,
    pub closed_on: Option<NaiveDate>,
    pub reason: Option<FreeText>,
}

impl CommitmentView {
    pub fn is_pending(&self) -> bool {
        matches!(
            self.status,
            CommitmentStatus::Open | CommitmentStatus::InProgress
        )
    }
    /// Overdue is derived at the moment of the question, never stored.
    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        self.is_pending() && self.due_on.is_some_and(|due| on > due)
    }
}

pub(super) fn project_commitment(
    docs: &mut Docs,
    p: i64,
    id: CommitmentId,
    e: CommitmentEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Commitment, id);
    let mut view: CommitmentView = match &e {
        CommitmentEvent::CommitmentCreated(c) => CommitmentView {
            id,
            network: c.network,
            source: c.source.clone(),
            obligor: c.obligor,
            title: c.title.clone(),
            description: c.description.clone(),
            due_on: c.due_on,
            created_on: c.created_on,
            status: CommitmentStatus::Open,
            progress: vec![],
            evidence: None,
            closed_on: None,
            reason: None,
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    docs.concern(Kind::Organization, view.obligor, p);
    match e {
        CommitmentEvent::CommitmentCreated(c) => match c.source {
            CommitmentSource::ProtocolClause { protocol, .. } => {
                docs.concern(Kind::Protocol, protocol, p)
            }
            CommitmentSource::MeetingDecision { meeting, .. } => {
                docs.concern(Kind::Meeting, meeting, p)
            }
            CommitmentSource::Coordinator { by } => docs.concern(Kind::Organization, by, p),
            CommitmentSource::PlanLine { plan, .. } => docs.concern(Kind::Plan, plan, p),
        },
        CommitmentEvent::CommitmentProgressReported(r) => {
            view.status = CommitmentStatus::InProgress;
            view.progress.push(ProgressView {
                by: r.by,
                note: r.note,
                on: r.reported_on,
            });
        }
        CommitmentEvent::CommitmentFulfilled(f) => {
            view.status = CommitmentStatus::Fulfilled;
            view.evidence = Some(EvidenceView {
                note: f.note,
                document_hash: f.evidence,
                on: f.fulfilled_on,
            });
            view.closed_on = Some(f.fulfilled_on);
        }
        CommitmentEvent::CommitmentWaived(w) => {
            view.status = CommitmentStatus::Waived;
            view.reason = Some(w.reason);
            view.closed_on = Some(w.waived_on);
        }
        CommitmentEvent::CommitmentCancelled(c) => {
            view.status = CommitmentStatus::Cancelled;
            view.reason = Some(c.reason);
            view.closed_on = Some(c.cancelled_on);
        }
        CommitmentEvent::CommitmentReopened(r) => {
            view.status = CommitmentStatus::Open;
            view.reason = Some(r.reason);
            view.closed_on = None;
            view.evidence = None;
        }
    }
    let parent = match &view.source {
        CommitmentSource::ProtocolClause { protocol, .. } => Some(protocol.to_string()),
        CommitmentSource::MeetingDecision { meeting, .. } => Some(meeting.to_string()),
        CommitmentSource::Coordinator { .. } => None,
        CommitmentSource::PlanLine { plan, .. } => Some(plan.to_string()),
    };
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            Some(view.obligor.to_string()),
            parent,
        ),
        p,
        view,
    );
    Ok(())
}
