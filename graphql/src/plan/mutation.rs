//! The mutations of Plan: adopt, amend, approve, report progress, close.

use crate::graph::Plan;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::ids::*;
use aggregates::plan::{
    Funding, Plan as PlanAggregate, PlanCommand, PlanContent, PlanLine, Target as Aim, FUNDING_MAX,
    LINES_MAX, PROTOCOLS_MAX, TARGETS_MAX,
};
use aggregates::values::DateRange;

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    ADOPT_RULE,
    AMEND_RULE,
    APPROVE_RULE,
    REPORT_RULE,
    CLOSE_RULE,
];

const ADOPT_RULE: MutationRule = MutationRule::new("adoptPlan", Rule::Coordinator);
const AMEND_RULE: MutationRule = MutationRule::new("amendPlan", Rule::Coordinator);
const APPROVE_RULE: MutationRule = MutationRule::new("approvePlan", Rule::Coordinator);
const REPORT_RULE: MutationRule = MutationRule::new("reportPlanProgress", Rule::AnyWriter);
const CLOSE_RULE: MutationRule = MutationRule::new("closePlan", Rule::Coordinator);

/// Where money comes from.
#[derive(InputObject)]
pub struct PlanFundingInput {
    /// The source (e.g. Regione Puglia).
    pub source: String,
    /// How much, in euros: a decimal with at most two decimals (e.g. `150000` or `1234.50`).
    pub amount: String,
}

/// What a line aims at.
#[derive(InputObject)]
pub struct PlanTargetInput {
    /// What is counted.
    pub description: String,
    /// The unit (e.g. centri, servizi, operatori formati).
    pub unit: String,
    /// The value aimed at (a non-negative whole number).
    pub value: i32,
}

/// A line of action; lines are numbered 1, 2 … in the order given.
#[derive(InputObject)]
pub struct PlanLineInput {
    /// Its title.
    pub title: String,
    /// The organizations responsible (active members of the network).
    pub responsible: Vec<ID>,
    /// Its targets.
    #[graphql(default)]
    pub targets: Vec<PlanTargetInput>,
    /// Its budget in euros (a decimal with at most two decimals).
    pub budget: Option<String>,
    /// When its commitments fall due (default: the plan's last day).
    pub due_on: Option<Date>,
}

/// What a plan says (an amendment replaces all of it).
#[derive(InputObject)]
pub struct PlanContentInput {
    /// Its title.
    pub title: String,
    /// Its first day.
    pub from: Date,
    /// Its last day.
    pub until: Date,
    /// Where its money comes from.
    #[graphql(default)]
    pub funding: Vec<PlanFundingInput>,
    /// The network's protocols it rests on.
    #[graphql(default)]
    pub protocols: Vec<ID>,
    /// Its lines of action, in order.
    pub lines: Vec<PlanLineInput>,
}

/// Adopt a plan as a draft.
#[derive(InputObject)]
pub struct AdoptPlanInput {
    /// The network it governs.
    pub network: ID,
    /// What it says.
    pub content: PlanContentInput,
    /// Adopted on.
    pub adopted_on: Date,
}

/// Amend a draft plan.
#[derive(InputObject)]
pub struct AmendPlanInput {
    /// The plan.
    pub plan: ID,
    /// What it says now.
    pub content: PlanContentInput,
    /// Amended on.
    pub amended_on: Date,
}

/// Approve a draft plan.
#[derive(InputObject)]
pub struct ApprovePlanInput {
    /// The plan.
    pub plan: ID,
    /// Approved on.
    pub approved_on: Date,
}

/// Report the value a line's target reached.
#[derive(InputObject)]
pub struct ReportPlanProgressInput {
    /// The plan.
    pub plan: ID,
    /// The line's number.
    pub line: i32,
    /// The target's number in the line.
    pub target: i32,
    /// The value reached (a non-negative whole number).
    pub reached: i32,
    /// The evidence (a report, a deliberation, a count).
    pub evidence: String,
    /// Reported on.
    pub reported_on: Date,
}

/// Close a plan.
#[derive(InputObject)]
pub struct ClosePlanInput {
    /// The plan.
    pub plan: ID,
    /// Closed on.
    pub closed_on: Date,
}

payload!(PlanPayload, plan: Plan);

/// Euros as a decimal string to cents.
fn cents(p: &mut Parse, field: &str, value: &str) -> Option<u64> {
    let text = value.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let ok = !whole.is_empty()
        && whole.len() <= 12
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= 2
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        p.fail(
            field,
            format!("{field}: an amount in euros, digits with at most two decimals (e.g. 1234.50)"),
            "INVALID_AMOUNT",
        );
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

fn bounded<T>(p: &mut Parse, field: &str, list: &[T], max: usize) -> bool {
    if list.len() > max {
        p.fail(field, format!("{field}: at most {max}"), "TOO_MANY");
        return false;
    }
    true
}

/// Parses a plan's content; every field refused is recorded in `p`.
fn content(p: &mut Parse, input: &PlanContentInput) -> Option<PlanContent> {
    let title = p.name("content.title", &input.title);
    let period = p.value(
        "content.until",
        DateRange::new(input.from.0, Some(input.until.0)),
    );
    let mut funding = Some(vec![]);
    if bounded(p, "content.funding", &input.funding, FUNDING_MAX) {
        for f in &input.funding {
            let source = p.name("content.funding.source", &f.source);
            let amount = cents(p, "content.funding.amount", &f.amount);
            match (source, amount, funding.as_mut()) {
                (Some(source), Some(amount_cents), Some(list)) => list.push(Funding {
                    source,
                    amount_cents,
                }),
                _ => funding = None,
            }
        }
    } else {
        funding = None;
    }
    let mut protocols = Some(std::collections::BTreeSet::new());
    if bounded(p, "content.protocols", &input.protocols, PROTOCOLS_MAX) {
        for id in &input.protocols {
            match (
                p.id("content.protocols", id, NodeKind::Protocol),
                protocols.as_mut(),
            ) {
                (Some(u), Some(set)) => {
                    set.insert(ProtocolId(u));
                }
                _ => protocols = None,
            }
        }
    } else {
        protocols = None;
    }
    let mut lines = Some(vec![]);
    if bounded(p, "content.lines", &input.lines, LINES_MAX) {
        for (i, l) in input.lines.iter().enumerate() {
            let title = p.name("content.lines.title", &l.title);
            let mut responsible = Some(std::collections::BTreeSet::new());
            for id in &l.responsible {
                match (p.org("content.lines.responsible", id), responsible.as_mut()) {
                    (Some(o), Some(set)) => {
                        set.insert(o);
                    }
                    _ => responsible = None,
                }
            }
            let mut targets = Some(vec![]);
            if bounded(p, "content.lines.targets", &l.targets, TARGETS_MAX) {
                for t in &l.targets {
                    let description = p.name("content.lines.targets.description", &t.description);
                    let unit = p.name("content.lines.targets.unit", &t.unit);
                    let value = p.whole::<u64>("content.lines.targets.value", t.value);
                    match (description, unit, value, targets.as_mut()) {
                        (Some(description), Some(unit), Some(value), Some(list)) => {
                            list.push(Aim {
                                description,
                                unit,
                                value,
                            })
                        }
                        _ => targets = None,
                    }
                }
            } else {
                targets = None;
            }
            let budget = match &l.budget {
                None => Some(None),
                Some(b) => cents(p, "content.lines.budget", b).map(Some),
            };
            match (title, responsible, targets, budget, lines.as_mut()) {
                (Some(title), Some(responsible), Some(targets), Some(budget_cents), Some(list)) => {
                    list.push(PlanLine {
                        number: i as u16 + 1,
                        title,
                        responsible,
                        targets,
                        budget_cents,
                        due_on: l.due_on.map(|d| d.0),
                    })
                }
                _ => lines = None,
            }
        }
    } else {
        lines = None;
    }
    Some(PlanContent {
        title: title?,
        period: period?,
        funding: funding?,
        protocols: protocols?,
        lines: lines?,
    })
}

/// The resolvers of Plan's mutations.
#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Adopt a plan of a network as a draft: its period, funding, the protocols it rests on,
    /// and its lines of action with their responsible organizations, targets and budgets.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn adopt_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AdoptPlanInput,
    ) -> ApiResult<PlanPayload> {
        respond(adopt(ctx, input).await)
    }

    /// Amend a draft plan (its content is replaced).
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn amend_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AmendPlanInput,
    ) -> ApiResult<PlanPayload> {
        respond(
            decide(ctx, &AMEND_RULE, &input.plan, |p, by| {
                Some(PlanCommand::Amend {
                    by,
                    content: content(p, &input.content)?,
                    amended_on: input.amended_on.0,
                })
            })
            .await,
        )
    }

    /// Approve a draft plan: each line's responsible organizations take on a commitment for
    /// it.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn approve_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApprovePlanInput,
    ) -> ApiResult<PlanPayload> {
        respond(
            decide(ctx, &APPROVE_RULE, &input.plan, |_, by| {
                Some(PlanCommand::Approve {
                    by,
                    approved_on: input.approved_on.0,
                })
            })
            .await,
        )
    }

    /// Report the value a line's target reached, with the evidence (the network's coordinator
    /// or an organization responsible for the line).
    ///
    /// Who may call it: platform administrators, coordinators and referents.
    async fn report_plan_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReportPlanProgressInput,
    ) -> ApiResult<PlanPayload> {
        respond(
            decide(ctx, &REPORT_RULE, &input.plan, |p, by| {
                let line = u16::try_from(input.line).ok();
                if line.is_none() {
                    p.fail("line", "line: a line's number".to_owned(), "UNKNOWN_LINE");
                }
                let target = u16::try_from(input.target).ok();
                if target.is_none() {
                    p.fail(
                        "target",
                        "target: a target's number".to_owned(),
                        "UNKNOWN_TARGET",
                    );
                }
                let reached = p.whole::<u64>("reached", input.reached);
                let evidence = p.text("evidence", &input.evidence);
                Some(PlanCommand::ReportProgress {
                    by,
                    line: line?,
                    target: target?,
                    reached: reached?,
                    evidence: evidence?,
                    reported_on: input.reported_on.0,
                })
            })
            .await,
        )
    }

    /// Close a plan: what its lines' commitments still owe is cancelled.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn close_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ClosePlanInput,
    ) -> ApiResult<PlanPayload> {
        respond(
            decide(ctx, &CLOSE_RULE, &input.plan, |_, by| {
                Some(PlanCommand::Close {
                    by,
                    closed_on: input.closed_on.0,
                })
            })
            .await,
        )
    }
}

async fn adopt(ctx: &Context<'_>, input: AdoptPlanInput) -> Result<PlanPayload, Refusal> {
    let access = authorize(ctx, &ADOPT_RULE).await?;
    let by = acting_for(&access)?;
    let id = new_id(ctx, PlanId::derived, PlanId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let content = content(&mut p, &input.content);
    let command = (|| {
        Some(PlanCommand::Adopt {
            id,
            network: network?,
            by,
            content: content?,
            adopted_on: input.adopted_on.0,
        })
    })();
    let id = id.to_string();
    execute::<PlanAggregate, _>(ctx, &access, &id, p, command).await
}

impl Reloaded for Plan {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .plan(PlanId(uuid), AsOf::Now)
            .await?
            .map(|view| Plan {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for Plan {
    type Aggregate = PlanAggregate;
    const FIELD: &'static str = "plan";
    const KIND: NodeKind = NodeKind::Plan;
}
