//! The mutations of Meeting: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share.

use crate::mutation::*;
use aggregates::ids::*;
use aggregates::meeting::{ActionItem, Meeting as MeetingAggregate, MeetingCommand, Venue};
use aggregates::values::{FreeText, Link};
use chrono::{DateTime, Utc};

mod approve_minutes;
mod cancel_meeting;
mod close_meeting;
mod draft_minutes;
mod open_meeting;
mod record_attendance;
mod record_decision;
mod reschedule_meeting;
mod schedule_meeting;

use crate::graph::Meeting;
use crate::lens::Lens;
pub use approve_minutes::*;
pub use cancel_meeting::*;
pub use close_meeting::*;
pub use draft_minutes::*;
pub use open_meeting::*;
pub use record_attendance::*;
pub use record_decision::*;
pub use reschedule_meeting::*;
pub use schedule_meeting::*;

/// One action item of a decision.
#[derive(InputObject)]
pub struct ActionItemInput {
    /// Who does it.
    pub obligor: ID,
    /// What.
    pub title: String,
    /// By when.
    pub due_on: Option<Date>,
}

pub(crate) fn venue(
    p: &mut Parse,
    address: &Option<String>,
    link: &Option<String>,
) -> Option<Option<Venue>> {
    let address = match address {
        Some(a) => Some(p.name("address", a)?),
        None => None,
    };
    let link = match link {
        Some(l) => Some(p.value("link", Link::parse(l))?),
        None => None,
    };
    Some(match (address, link) {
        (Some(address), Some(link)) => Some(Venue::Hybrid { address, link }),
        (Some(address), None) => Some(Venue::InPerson { address }),
        (None, Some(link)) => Some(Venue::Online { link }),
        (None, None) => None,
    })
}

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    schedule_meeting::RULE,
    reschedule_meeting::RULE,
    cancel_meeting::RULE,
    open_meeting::RULE,
    close_meeting::RULE,
    record_attendance::RULE,
    record_decision::RULE,
    draft_minutes::RULE,
    approve_minutes::RULE,
];

/// The mutations of Meeting.
#[derive(async_graphql::MergedObject, Default)]
pub struct MeetingMutation(
    ScheduleMeetingMutation,
    RescheduleMeetingMutation,
    CancelMeetingMutation,
    OpenMeetingMutation,
    CloseMeetingMutation,
    RecordAttendanceMutation,
    RecordDecisionMutation,
    DraftMinutesMutation,
    ApproveMinutesMutation,
);

impl Reloaded for Meeting {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .meeting(MeetingId(uuid), AsOf::Now)
            .await?
            .map(|view| Meeting {
                view,
                at: Lens::NOW,
            }))
    }
}

/// A reason the domain requires although the input's field is optional.
fn required_reason(p: &mut Parse, reason: &Option<String>) -> Option<FreeText> {
    match reason {
        Some(r) => p.text("reason", r),
        None => {
            p.fail("reason", "a reason is required".to_owned(), "INVALID_VALUE");
            None
        }
    }
}

impl Target for Meeting {
    type Aggregate = MeetingAggregate;
    const FIELD: &'static str = "meeting";
    const KIND: NodeKind = NodeKind::Meeting;
}
