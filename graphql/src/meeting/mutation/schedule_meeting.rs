//! `scheduleMeeting`: its input, payload, access rule and resolver.

use super::*;
use crate::enums::MeetingKind;

/// Who may call `scheduleMeeting` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("scheduleMeeting", Rule::Coordinator);

/// Schedule a meeting: give an address, a link, or both.
#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    /// The network.
    pub network: ID,
    /// The working group, for a group session.
    pub working_group: Option<ID>,
    /// The kind of meeting.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// Starts at.
    pub starts_at: DateTime<Utc>,
    /// Ends at.
    pub ends_at: Option<DateTime<Utc>>,
    /// Where (an address).
    pub address: Option<String>,
    /// Where (an https link).
    pub link: Option<String>,
    /// The agenda items.
    pub agenda: Vec<String>,
    /// Whether the public may see it.
    pub public: bool,
}

payload!(ScheduleMeetingPayload, meeting: Meeting);

/// The resolver of `scheduleMeeting`.
#[derive(Default)]
pub struct ScheduleMeetingMutation;

#[Object]
impl ScheduleMeetingMutation {
    /// Schedule a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn schedule_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ScheduleMeetingInput,
    ) -> ApiResult<ScheduleMeetingPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ScheduleMeetingInput,
) -> Result<ScheduleMeetingPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let id = new_id(ctx, MeetingId::derived, MeetingId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let working_group = match &input.working_group {
        Some(g) => p
            .id("workingGroup", g, NodeKind::WorkingGroup)
            .map(|u| Some(WorkingGroupId(u))),
        None => Some(None),
    };
    let title = p.name("title", &input.title);
    let venue = match venue(&mut p, &input.address, &input.link) {
        Some(None) => {
            p.fail(
                "address",
                "give an address, a link or both".to_owned(),
                "INVALID_VALUE",
            );
            None
        }
        other => other.flatten(),
    };
    let agenda: Option<Vec<FreeText>> = input
        .agenda
        .iter()
        .map(|a| p.text("agenda", a))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let command = (|| {
        Some(MeetingCommand::Schedule {
            id,
            network: network?,
            working_group: working_group?,
            kind: input.kind.into(),
            title: title?,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            venue: venue?,
            agenda: agenda?,
            public: input.public,
        })
    })();
    let id = id.to_string();
    execute::<MeetingAggregate, _>(ctx, &access, &id, p, command).await
}
