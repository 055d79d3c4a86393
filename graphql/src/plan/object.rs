//! The GraphQL objects of Plan: the plan, its lines, and its progress as of a date.

use aggregates::ids::PlanId;
use aggregates::plan::PlanLine;
use aggregates::processes::plan_line_commitment_id;

use crate::graph::{Commitment, Network, OrganizationRef, Plan, Protocol};
use crate::network::visible_network;
use crate::prelude::*;

/// An amount in euro cents as a decimal string of euros (`1234.50`).
pub(crate) fn euros(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Where money for a plan comes from.
#[derive(SimpleObject)]
pub struct PlanFunding {
    /// The source (e.g. Regione Puglia).
    pub source: String,
    /// How much, in euros (a decimal string, e.g. `150000.00`).
    pub amount: String,
}

/// What a line aims at.
#[derive(SimpleObject)]
pub struct PlanTarget {
    /// Its number in the line (1, 2 …).
    pub number: i32,
    /// What is counted.
    pub description: String,
    /// The unit.
    pub unit: String,
    /// The value aimed at.
    pub value: i64,
}

fn targets(line: &PlanLine) -> Vec<PlanTarget> {
    line.targets
        .iter()
        .enumerate()
        .map(|(i, t)| PlanTarget {
            number: i as i32 + 1,
            description: t.description.to_string(),
            unit: t.unit.to_string(),
            value: t.value as i64,
        })
        .collect()
}

/// A line of action of a plan.
pub struct PlanLineObject {
    plan: PlanId,
    line: PlanLine,
    at: Lens,
}

/// A line of action (linea di intervento): who is responsible, what it aims at, its budget.
#[Object(name = "PlanLine")]
impl PlanLineObject {
    /// Its number (1, 2 …).
    async fn number(&self) -> i32 {
        i32::from(self.line.number)
    }
    /// Its title.
    async fn title(&self) -> &str {
        self.line.title.as_str()
    }
    /// The organizations responsible.
    async fn responsible(&self) -> Vec<OrganizationRef> {
        self.line
            .responsible
            .iter()
            .map(|id| OrganizationRef {
                id: *id,
                at: self.at,
            })
            .collect()
    }
    /// Its targets.
    async fn targets(&self) -> Vec<PlanTarget> {
        targets(&self.line)
    }
    /// Its budget in euros, if it has one.
    async fn budget(&self) -> Option<String> {
        self.line.budget_cents.map(euros)
    }
    /// When its commitments fall due (else the plan's last day).
    async fn due_on(&self) -> Option<Date> {
        self.line.due_on.map(Date)
    }
    /// The commitments its responsible organizations took on when the plan was approved.
    async fn commitments(&self, ctx: &Context<'_>) -> ApiResult<Vec<Commitment>> {
        let mut out = vec![];
        for organization in &self.line.responsible {
            let id = plan_line_commitment_id(self.plan, self.line.number, *organization);
            if let Some(view) = read(ctx).commitment(id, self.at.known).await? {
                out.push(Commitment { view, at: self.at });
            }
        }
        Ok(out)
    }
}

/// How far one target got, as of a date.
#[derive(SimpleObject)]
pub struct TargetProgress {
    /// The target's number in its line.
    pub number: i32,
    /// What is counted.
    pub description: String,
    /// The unit.
    pub unit: String,
    /// The value aimed at.
    pub value: i64,
    /// The value reached by the date (null: nothing reported yet).
    pub reached: Option<i64>,
    /// Reached over aimed at (null when nothing was reported or the target is 0).
    pub share: Option<f64>,
    /// The date of the report it comes from.
    pub reported_on: Option<Date>,
    /// Who reported it.
    pub reported_by: Option<OrganizationRef>,
    /// The evidence given with it.
    pub evidence: Option<String>,
}

/// What one organization reported on a line by the date.
#[derive(SimpleObject)]
pub struct OrganizationProgress {
    /// The organization.
    pub organization: OrganizationRef,
    /// Whether it is responsible for the line.
    pub responsible: bool,
    /// How many reports it made on the line by the date.
    pub reports: i32,
    /// Its latest report on the line by the date.
    pub last_reported_on: Option<Date>,
}

/// A line's progress as of a date: per target and per organization.
#[derive(SimpleObject)]
pub struct LineProgress {
    /// The line's number.
    pub line: i32,
    /// The line's title.
    pub title: String,
    /// Each target, with the value reached by the date.
    pub targets: Vec<TargetProgress>,
    /// Each organization responsible for the line or that reported on it.
    pub by_organization: Vec<OrganizationProgress>,
}

/// A network's plan (e.g. a three-year local plan): its period, funding, the protocols it
/// rests on, its lines of action and their progress. Readable by those who read the network
/// in full.
#[Object]
impl Plan {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Plan, self.view.id)
    }
    /// Its title.
    async fn title(&self) -> &str {
        self.view.content.title.as_str()
    }
    /// The network it governs.
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Option<Network>> {
        visible_network(ctx, self.view.network.as_uuid(), self.at).await
    }
    /// Where it stands.
    async fn status(&self) -> PlanStatus {
        self.view.status.into()
    }
    /// Its first day.
    async fn from(&self) -> Date {
        Date(self.view.content.period.from())
    }
    /// Its last day.
    async fn until(&self) -> Option<Date> {
        self.view.content.period.to().map(Date)
    }
    /// When it was adopted as a draft.
    async fn adopted_on(&self) -> Date {
        Date(self.view.adopted_on)
    }
    /// How many times the draft was amended.
    async fn amendments(&self) -> i32 {
        self.view.amendments as i32
    }
    /// When it was approved.
    async fn approved_on(&self) -> Option<Date> {
        self.view.approved_on.map(Date)
    }
    /// When it was closed.
    async fn closed_on(&self) -> Option<Date> {
        self.view.closed_on.map(Date)
    }
    /// Where its money comes from.
    async fn funding(&self) -> Vec<PlanFunding> {
        self.view
            .content
            .funding
            .iter()
            .map(|f| PlanFunding {
                source: f.source.to_string(),
                amount: euros(f.amount_cents),
            })
            .collect()
    }
    /// Its funding, all sources together, in euros.
    async fn total_funding(&self) -> String {
        euros(
            self.view
                .content
                .funding
                .iter()
                .map(|f| f.amount_cents)
                .sum(),
        )
    }
    /// The protocols it rests on (those the viewer may read).
    async fn protocols(&self, ctx: &Context<'_>) -> ApiResult<Vec<Protocol>> {
        let mut out = vec![];
        for p in &self.view.content.protocols {
            if let Some(protocol) =
                crate::protocol::visible_protocol(ctx, p.as_uuid(), self.at).await?
            {
                out.push(protocol);
            }
        }
        Ok(out)
    }
    /// Its lines of action, in order.
    async fn lines(&self) -> Vec<PlanLineObject> {
        self.view
            .content
            .lines
            .iter()
            .map(|line| PlanLineObject {
                plan: self.view.id,
                line: line.clone(),
                at: self.at,
            })
            .collect()
    }
    /// Its progress per line, per target and per organization, from the reports dated on or
    /// before `on` (default: the lens's business date, else every report).
    async fn progress(
        &self,
        #[graphql(desc = "Read the reports dated on or before this date.")] on: Option<Date>,
    ) -> Vec<LineProgress> {
        let on = on.map(|d| d.0).or(self.at.on);
        self.view
            .content
            .lines
            .iter()
            .map(|line| {
                let targets = targets(line)
                    .into_iter()
                    .map(|t| {
                        let report = self.view.reached(line.number, t.number as u16, on);
                        TargetProgress {
                            reached: report.map(|r| r.reached as i64),
                            share: report
                                .filter(|_| t.value > 0)
                                .map(|r| r.reached as f64 / t.value as f64),
                            reported_on: report.map(|r| Date(r.on)),
                            reported_by: report.map(|r| OrganizationRef {
                                id: r.by,
                                at: self.at,
                            }),
                            evidence: report.map(|r| r.evidence.to_string()),
                            number: t.number,
                            description: t.description,
                            unit: t.unit,
                            value: t.value,
                        }
                    })
                    .collect();
                let mut organizations: Vec<aggregates::ids::OrganizationId> =
                    line.responsible.iter().copied().collect();
                for r in self.view.reports_by(on).filter(|r| r.line == line.number) {
                    if !organizations.contains(&r.by) {
                        organizations.push(r.by);
                    }
                }
                let by_organization = organizations
                    .into_iter()
                    .map(|o| {
                        let mine: Vec<_> = self
                            .view
                            .reports_by(on)
                            .filter(|r| r.line == line.number && r.by == o)
                            .collect();
                        OrganizationProgress {
                            organization: OrganizationRef { id: o, at: self.at },
                            responsible: line.responsible.contains(&o),
                            reports: mine.len() as i32,
                            last_reported_on: mine.iter().map(|r| r.on).max().map(Date),
                        }
                    })
                    .collect();
                LineProgress {
                    line: i32::from(line.number),
                    title: line.title.to_string(),
                    targets,
                    by_organization,
                }
            })
            .collect()
    }
}

/// The plan with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_plan(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Plan>> {
    match read(ctx).plan(PlanId(uuid), at.known).await? {
        Some(view) if viewer(ctx).full(ctx, view.network).await? => Ok(Some(Plan { view, at })),
        _ => Ok(None),
    }
}
