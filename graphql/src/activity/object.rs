//! The GraphQL objects of Activity, and who may read one.

use aggregates::ids::ActivityId;

use crate::graph::{Activity, Network, OrganizationRef, WorkingGroup};
use crate::network::visible_network;
use crate::prelude::*;

/// How many people of one group an activity reached.
#[derive(SimpleObject)]
pub struct AudienceCountEntry {
    /// The group (e.g. students, professionals).
    pub group: String,
    /// How many.
    pub count: i64,
}

/// What an activity produced.
#[derive(SimpleObject)]
pub struct ActivityOutputEntry {
    /// Its title.
    pub title: String,
    /// Where it is published.
    pub link: Option<String>,
    /// The SHA-256 hash of the document.
    pub document_hash: Option<String>,
}

/// Work a network or one of its working groups carried out: a campaign, a training module, a
/// school project, an event, a webinar, a publication. Readable by those who read the network
/// in full.
#[Object]
impl Activity {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Activity, self.view.id)
    }
    /// What kind of work it is.
    async fn kind(&self) -> ActivityKind {
        self.view.details.kind.into()
    }
    /// Its title.
    async fn title(&self) -> &str {
        self.view.details.title.as_str()
    }
    /// What it was.
    async fn description(&self) -> Option<&str> {
        self.view.details.description.as_ref().map(|t| t.as_str())
    }
    /// Its first day.
    async fn starts_on(&self) -> Date {
        Date(self.view.details.starts_on)
    }
    /// Its last day, for an activity of more than one day.
    async fn ends_on(&self) -> Option<Date> {
        self.view.details.ends_on.map(Date)
    }
    /// The network whose work it is.
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Option<Network>> {
        visible_network(ctx, self.view.network.as_uuid(), self.at).await
    }
    /// The working group whose work it is (null for the network's own).
    async fn working_group(&self, ctx: &Context<'_>) -> ApiResult<Option<WorkingGroup>> {
        match self.view.working_group {
            Some(group) => {
                crate::working_group::visible_working_group(ctx, group.as_uuid(), self.at).await
            }
            None => Ok(None),
        }
    }
    /// The organizations involved (members of the network or not).
    async fn organizations(&self) -> Vec<OrganizationRef> {
        self.view
            .details
            .organizations
            .iter()
            .map(|id| OrganizationRef {
                id: *id,
                at: self.at,
            })
            .collect()
    }
    /// Whom it reached, as counts per group.
    async fn audience(&self) -> Vec<AudienceCountEntry> {
        self.view
            .details
            .audience
            .iter()
            .map(|a| AudienceCountEntry {
                group: a.group.to_string(),
                count: i64::from(a.count),
            })
            .collect()
    }
    /// How many people it reached, all groups together.
    async fn audience_total(&self) -> i64 {
        self.view.audience_total() as i64
    }
    /// What it produced.
    async fn outputs(&self) -> Vec<ActivityOutputEntry> {
        self.view
            .details
            .outputs
            .iter()
            .map(|o| ActivityOutputEntry {
                title: o.title.to_string(),
                link: o.link.as_ref().map(|l| l.to_string()),
                document_hash: o.document.as_ref().map(|d| d.to_string()),
            })
            .collect()
    }
    /// When it was cancelled, if it was.
    async fn cancelled_on(&self) -> Option<Date> {
        self.view.cancelled_on.map(Date)
    }
    /// Why it was cancelled.
    async fn cancellation_reason(&self) -> Option<&str> {
        self.view.cancellation_reason.as_ref().map(|t| t.as_str())
    }
    /// How many times its details were updated.
    async fn updates(&self) -> i32 {
        self.view.updates as i32
    }
}

/// The activity with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_activity(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Activity>> {
    match read(ctx).activity(ActivityId(uuid), at.known).await? {
        Some(view) if viewer(ctx).full(ctx, view.network).await? => Ok(Some(Activity { view, at })),
        _ => Ok(None),
    }
}
