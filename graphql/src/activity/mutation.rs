//! The mutations of Activity: record, update, cancel. Anyone who writes may call them; the
//! domain lets the network's coordinator, and for a working group's activity the group's
//! members, do so.

use crate::enums::ActivityKind;
use crate::graph::Activity;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::activity::{
    Activity as ActivityAggregate, ActivityCommand, ActivityDetails, ActivityOutput, AudienceCount,
    AUDIENCE_MAX, ORGANIZATIONS_MAX, OUTPUTS_MAX,
};
use aggregates::ids::*;
use aggregates::values::Link;

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[RECORD_RULE, UPDATE_RULE, CANCEL_RULE];

const RECORD_RULE: MutationRule = MutationRule::new("recordActivity", Rule::AnyWriter);
const UPDATE_RULE: MutationRule = MutationRule::new("updateActivity", Rule::AnyWriter);
const CANCEL_RULE: MutationRule = MutationRule::new("cancelActivity", Rule::AnyWriter);

/// How many people of one group an activity reached.
#[derive(InputObject)]
pub struct AudienceCountInput {
    /// The group (e.g. "studenti").
    pub group: String,
    /// How many (a non-negative whole number).
    pub count: i32,
}

/// What an activity produced: a link, a document hash, or both.
#[derive(InputObject)]
pub struct ActivityOutputInput {
    /// Its title.
    pub title: String,
    /// Where it is published (https).
    pub link: Option<String>,
    /// The SHA-256 hash of the document (64 hexadecimal characters).
    pub document_hash: Option<String>,
}

/// What an activity is (an update replaces all of it).
#[derive(InputObject)]
pub struct ActivityDetailsInput {
    /// What kind of work it is.
    pub kind: ActivityKind,
    /// Its title.
    pub title: String,
    /// What it was.
    pub description: Option<String>,
    /// Its first day.
    pub starts_on: Date,
    /// Its last day, for an activity of more than one day.
    pub ends_on: Option<Date>,
    /// The organizations involved (members of the network or not; at least one).
    pub organizations: Vec<ID>,
    /// Whom it reached, as counts per group.
    #[graphql(default)]
    pub audience: Vec<AudienceCountInput>,
    /// What it produced.
    #[graphql(default)]
    pub outputs: Vec<ActivityOutputInput>,
}

/// Record an activity of a network or of one of its working groups.
#[derive(InputObject)]
pub struct RecordActivityInput {
    /// The network.
    pub network: ID,
    /// The working group whose work it is (none: the network's own).
    pub working_group: Option<ID>,
    /// What it is.
    pub details: ActivityDetailsInput,
}

/// Replace an activity's details.
#[derive(InputObject)]
pub struct UpdateActivityInput {
    /// The activity.
    pub activity: ID,
    /// What it is now.
    pub details: ActivityDetailsInput,
}

/// Cancel an activity (it stays in the history).
#[derive(InputObject)]
pub struct CancelActivityInput {
    /// The activity.
    pub activity: ID,
    /// Why.
    pub reason: String,
    /// Cancelled on.
    pub cancelled_on: Date,
}

payload!(ActivityPayload, activity: Activity);

fn too_many(p: &mut Parse, field: &str, max: usize, code: &str) {
    p.fail(field, format!("{field}: at most {max}"), code);
}

/// Parses an activity's details; every field refused is recorded in `p`.
fn details(p: &mut Parse, input: &ActivityDetailsInput) -> Option<ActivityDetails> {
    let title = p.name("details.title", &input.title);
    let description = p.opt_text("details.description", &input.description);
    let mut organizations = Some(std::collections::BTreeSet::new());
    if input.organizations.len() > ORGANIZATIONS_MAX {
        too_many(
            p,
            "details.organizations",
            ORGANIZATIONS_MAX,
            "ORGANIZATION_COUNT",
        );
        organizations = None;
    } else {
        for id in &input.organizations {
            match (p.org("details.organizations", id), organizations.as_mut()) {
                (Some(o), Some(set)) => {
                    set.insert(o);
                }
                _ => organizations = None,
            }
        }
    }
    let mut audience = Some(vec![]);
    if input.audience.len() > AUDIENCE_MAX {
        too_many(p, "details.audience", AUDIENCE_MAX, "AUDIENCE_COUNT");
        audience = None;
    } else {
        for a in &input.audience {
            let group = p.name("details.audience.group", &a.group);
            let count = u32::try_from(a.count).ok();
            if count.is_none() {
                p.fail(
                    "details.audience.count",
                    "details.audience.count: a count is a non-negative whole number".to_owned(),
                    "NEGATIVE_COUNT",
                );
            }
            match (group, count, audience.as_mut()) {
                (Some(group), Some(count), Some(list)) => list.push(AudienceCount { group, count }),
                _ => audience = None,
            }
        }
    }
    let mut outputs = Some(vec![]);
    if input.outputs.len() > OUTPUTS_MAX {
        too_many(p, "details.outputs", OUTPUTS_MAX, "OUTPUT_COUNT");
        outputs = None;
    } else {
        for o in &input.outputs {
            let title = p.name("details.outputs.title", &o.title);
            let link = match &o.link {
                None => Some(None),
                Some(l) => p.value("details.outputs.link", Link::parse(l)).map(Some),
            };
            let document = match &o.document_hash {
                None => Some(None),
                Some(h) => p.hash("details.outputs.documentHash", h).map(Some),
            };
            match (title, link, document, outputs.as_mut()) {
                (Some(title), Some(link), Some(document), Some(list)) => {
                    list.push(ActivityOutput {
                        title,
                        link,
                        document,
                    })
                }
                _ => outputs = None,
            }
        }
    }
    Some(ActivityDetails {
        kind: input.kind.into(),
        title: title?,
        description: description?,
        starts_on: input.starts_on.0,
        ends_on: input.ends_on.map(|d| d.0),
        organizations: organizations?,
        audience: audience?,
        outputs: outputs?,
    })
}

/// The resolvers of Activity's mutations.
#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Record an activity of a network or of one of its working groups: its kind, dates, the
    /// organizations involved, its audience as counts and its outputs.
    ///
    /// Who may call it: platform administrators, coordinators and referents.
    async fn record_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordActivityInput,
    ) -> ApiResult<ActivityPayload> {
        respond(record(ctx, input).await)
    }

    /// Replace an activity's details.
    ///
    /// Who may call it: platform administrators, coordinators and referents.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: UpdateActivityInput,
    ) -> ApiResult<ActivityPayload> {
        respond(
            decide(ctx, &UPDATE_RULE, &input.activity, |p, by| {
                Some(ActivityCommand::Update {
                    by,
                    details: details(p, &input.details)?,
                })
            })
            .await,
        )
    }

    /// Cancel an activity (it stays in the history).
    ///
    /// Who may call it: platform administrators, coordinators and referents.
    async fn cancel_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CancelActivityInput,
    ) -> ApiResult<ActivityPayload> {
        respond(
            decide(ctx, &CANCEL_RULE, &input.activity, |p, by| {
                Some(ActivityCommand::Cancel {
                    by,
                    reason: p.text("reason", &input.reason)?,
                    cancelled_on: input.cancelled_on.0,
                })
            })
            .await,
        )
    }
}

async fn record(ctx: &Context<'_>, input: RecordActivityInput) -> Result<ActivityPayload, Refusal> {
    let access = authorize(ctx, &RECORD_RULE).await?;
    let by = acting_for(&access)?;
    let id = new_id(ctx, ActivityId::derived, ActivityId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let working_group = match &input.working_group {
        None => Some(None),
        Some(g) => p
            .id("workingGroup", g, NodeKind::WorkingGroup)
            .map(|u| Some(WorkingGroupId(u))),
    };
    let details = details(&mut p, &input.details);
    let command = (|| {
        Some(ActivityCommand::Record {
            id,
            network: network?,
            working_group: working_group?,
            by,
            details: details?,
        })
    })();
    let id = id.to_string();
    execute::<ActivityAggregate, _>(ctx, &access, &id, p, command).await
}

impl Reloaded for Activity {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .activity(ActivityId(uuid), AsOf::Now)
            .await?
            .map(|view| Activity {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for Activity {
    type Aggregate = ActivityAggregate;
    const FIELD: &'static str = "activity";
    const KIND: NodeKind = NodeKind::Activity;
}
