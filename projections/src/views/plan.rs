//! The read model of Plan: its document (the content as it stands, its status, every progress
//! report with its business date) and the fold of its events into it. Progress "as of a date"
//! is read from the reports dated on or before it.

use aggregates::plan::{PlanContent, PlanEvent};

use super::*;

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanStatus {
    Draft,
    Approved,
    Closed,
}

/// One progress report on one target of one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    pub line: u16,
    pub target: u16,
    pub by: OrganizationId,
    pub reached: u64,
    pub evidence: FreeText,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: PlanId,
    pub network: NetworkId,
    pub content: PlanContent,
    pub status: PlanStatus,
    pub adopted_on: NaiveDate,
    #[serde(default)]
    pub amendments: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
    /// In the order reported.
    #[serde(default)]
    pub reports: Vec<PlanReport>,
}

impl PlanView {
    /// The latest report on a target dated on or before `on` (any date when None).
    pub fn reached(&self, line: u16, target: u16, on: Option<NaiveDate>) -> Option<&PlanReport> {
        self.reports
            .iter()
            .filter(|r| r.line == line && r.target == target && on.is_none_or(|d| r.on <= d))
            .max_by_key(|r| r.on)
    }

    /// The reports dated on or before `on`.
    pub fn reports_by(&self, on: Option<NaiveDate>) -> impl Iterator<Item = &PlanReport> {
        self.reports
            .iter()
            .filter(move |r| on.is_none_or(|d| r.on <= d))
    }
}

pub(super) fn project_plan(
    docs: &mut Docs,
    p: i64,
    id: PlanId,
    e: PlanEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Plan, id);
    let mut view: PlanView = match &e {
        PlanEvent::PlanAdopted(a) => PlanView {
            id,
            network: a.network,
            content: a.content.clone(),
            status: PlanStatus::Draft,
            adopted_on: a.adopted_on,
            amendments: 0,
            approved_on: None,
            closed_on: None,
            reports: vec![],
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    match e {
        PlanEvent::PlanAdopted(_) => {}
        PlanEvent::PlanAmended(a) => {
            view.content = a.content;
            view.amendments += 1;
        }
        PlanEvent::PlanApproved(a) => {
            view.status = PlanStatus::Approved;
            view.approved_on = Some(a.approved_on);
        }
        PlanEvent::PlanProgressReported(r) => {
            docs.concern(Kind::Organization, r.by, p);
            view.reports.push(PlanReport {
                line: r.line,
                target: r.target,
                by: r.by,
                reached: r.reached,
                evidence: r.evidence,
                on: r.reported_on,
            });
        }
        PlanEvent::PlanClosed(c) => {
            view.status = PlanStatus::Closed;
            view.closed_on = Some(c.closed_on);
        }
    }
    docs.put(
        key,
        filters(Some(view.network.to_string()), None, None),
        p,
        view,
    );
    Ok(())
}
