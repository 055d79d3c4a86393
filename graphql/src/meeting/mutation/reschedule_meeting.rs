//! `rescheduleMeeting`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `rescheduleMeeting` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("rescheduleMeeting", Rule::Coordinator);

/// Move a meeting.
#[derive(InputObject)]
pub struct RescheduleMeetingInput {
    /// The meeting.
    pub meeting: ID,
    /// Starts at.
    pub starts_at: DateTime<Utc>,
    /// Ends at.
    pub ends_at: Option<DateTime<Utc>>,
    /// A new address.
    pub address: Option<String>,
    /// A new link.
    pub link: Option<String>,
}

payload!(RescheduleMeetingPayload, meeting: Meeting);

/// The resolver of `rescheduleMeeting`.
#[derive(Default)]
pub struct RescheduleMeetingMutation;

#[Object]
impl RescheduleMeetingMutation {
    /// Move a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reschedule_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RescheduleMeetingInput,
    ) -> ApiResult<RescheduleMeetingPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RescheduleMeetingInput,
) -> Result<RescheduleMeetingPayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |p| {
        let venue = venue(p, &input.address, &input.link);
        venue.map(|venue| MeetingCommand::Reschedule {
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            venue,
        })
    })
    .await
}
