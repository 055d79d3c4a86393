//! The mutations of MeetingSeries: define, skip an occurrence, invite, answer, end.

use crate::enums::MeetingKind;
use crate::graph::MeetingSeries;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::ids::*;
use aggregates::meeting_series::{
    MeetingSeries as SeriesAggregate, MeetingSeriesCommand, Recurrence, SeriesDetails,
};
use aggregates::values::FreeText;

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] =
    &[DEFINE_RULE, SKIP_RULE, INVITE_RULE, ANSWER_RULE, END_RULE];

const DEFINE_RULE: MutationRule = MutationRule::new("defineMeetingSeries", Rule::Coordinator);
const SKIP_RULE: MutationRule = MutationRule::new("skipSeriesOccurrence", Rule::Coordinator);
const INVITE_RULE: MutationRule = MutationRule::new("inviteToMeetingSeries", Rule::Coordinator);
const ANSWER_RULE: MutationRule = MutationRule::new("answerSeriesInvitation", Rule::Referent);
const END_RULE: MutationRule = MutationRule::new("endMeetingSeries", Rule::Coordinator);

/// Define recurring meetings.
#[derive(InputObject)]
pub struct DefineMeetingSeriesInput {
    /// The network.
    pub network: ID,
    /// The working group whose meetings they are, if any.
    pub working_group: Option<ID>,
    /// The kind of its meetings.
    pub kind: MeetingKind,
    /// Each meeting's title.
    pub title: String,
    /// The recurrence rule (RFC 5545 RRULE) bounded by COUNT or UNTIL, e.g.
    /// `FREQ=MONTHLY;BYDAY=3TH;COUNT=10`; at most 60 occurrences.
    pub rule: String,
    /// The first meeting's start in Italian local time (`YYYY-MM-DDTHH:MM:SS`).
    pub first_at: String,
    /// How long each meeting lasts, in minutes.
    pub duration_minutes: i32,
    /// Where (an address), if in person.
    pub address: Option<String>,
    /// Where (a link), if online.
    pub link: Option<String>,
    /// The standing agenda each meeting starts with.
    #[graphql(default)]
    pub agenda: Vec<String>,
    /// Whether its meetings are public.
    #[graphql(default = false)]
    pub public: bool,
    /// Defined on.
    pub defined_on: Date,
}

/// Skip one occurrence (its meeting is cancelled).
#[derive(InputObject)]
pub struct SkipSeriesOccurrenceInput {
    /// The series.
    pub meeting_series: ID,
    /// The Italian local date the occurrence starts on.
    pub starts_on: Date,
    /// Why.
    pub reason: String,
}

/// Invite an organization (a member of the network or not) to a series' meetings.
#[derive(InputObject)]
pub struct InviteToMeetingSeriesInput {
    /// The series.
    pub meeting_series: ID,
    /// The organization.
    pub organization: ID,
    /// Invited on.
    pub invited_on: Date,
}

/// Answer an invitation to a series (the invited organization).
#[derive(InputObject)]
pub struct AnswerSeriesInvitationInput {
    /// The series.
    pub meeting_series: ID,
    /// The invited organization.
    pub organization: ID,
    /// Whether it accepts.
    pub accepted: bool,
    /// Answered on.
    pub answered_on: Date,
}

/// End a series: no meeting after the date (those scheduled are cancelled).
#[derive(InputObject)]
pub struct EndMeetingSeriesInput {
    /// The series.
    pub meeting_series: ID,
    /// Its last day.
    pub ended_on: Date,
    /// Why.
    pub reason: String,
}

payload!(MeetingSeriesPayload, meeting_series: MeetingSeries);

/// The resolvers of MeetingSeries' mutations.
#[derive(Default)]
pub struct MeetingSeriesMutation;

#[Object]
impl MeetingSeriesMutation {
    /// Define recurring meetings of a network: a recurrence rule in Italian local time that
    /// schedules an ordinary meeting for each occurrence.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn define_meeting_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DefineMeetingSeriesInput,
    ) -> ApiResult<MeetingSeriesPayload> {
        respond(define(ctx, input).await)
    }

    /// Skip one occurrence of a series: its meeting is cancelled.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn skip_series_occurrence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SkipSeriesOccurrenceInput,
    ) -> ApiResult<MeetingSeriesPayload> {
        respond(
            decide(ctx, &SKIP_RULE, &input.meeting_series, |p, by| {
                Some(MeetingSeriesCommand::SkipOccurrence {
                    by,
                    starts_on: input.starts_on.0,
                    reason: p.text("reason", &input.reason)?,
                })
            })
            .await,
        )
    }

    /// Invite an organization, a member of the network or not, to a series' meetings.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn invite_to_meeting_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: InviteToMeetingSeriesInput,
    ) -> ApiResult<MeetingSeriesPayload> {
        respond(
            decide(ctx, &INVITE_RULE, &input.meeting_series, |p, by| {
                Some(MeetingSeriesCommand::Invite {
                    by,
                    organization: p.org("organization", &input.organization)?,
                    invited_on: input.invited_on.0,
                })
            })
            .await,
        )
    }

    /// Answer an invitation to a series' meetings.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn answer_series_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AnswerSeriesInvitationInput,
    ) -> ApiResult<MeetingSeriesPayload> {
        respond(
            decide(ctx, &ANSWER_RULE, &input.meeting_series, |p, by| {
                Some(MeetingSeriesCommand::AnswerInvitation {
                    by,
                    organization: p.org("organization", &input.organization)?,
                    accepted: input.accepted,
                    answered_on: input.answered_on.0,
                })
            })
            .await,
        )
    }

    /// End a series: no meeting after the date (those scheduled are cancelled).
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn end_meeting_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: EndMeetingSeriesInput,
    ) -> ApiResult<MeetingSeriesPayload> {
        respond(
            decide(ctx, &END_RULE, &input.meeting_series, |p, by| {
                Some(MeetingSeriesCommand::End {
                    by,
                    ended_on: input.ended_on.0,
                    reason: p.text("reason", &input.reason)?,
                })
            })
            .await,
        )
    }
}

async fn define(
    ctx: &Context<'_>,
    input: DefineMeetingSeriesInput,
) -> Result<MeetingSeriesPayload, Refusal> {
    let access = authorize(ctx, &DEFINE_RULE).await?;
    let by = acting_for(&access)?;
    let id = new_id(ctx, MeetingSeriesId::derived, MeetingSeriesId::new_random);
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
    let rule = p.value("rule", Recurrence::parse(&input.rule));
    let first_at =
        match chrono::NaiveDateTime::parse_from_str(input.first_at.trim(), "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| {
                chrono::NaiveDateTime::parse_from_str(input.first_at.trim(), "%Y-%m-%dT%H:%M")
            }) {
            Ok(at) => Some(at),
            Err(_) => {
                p.fail(
                    "firstAt",
                    "firstAt: a local date and time, YYYY-MM-DDTHH:MM:SS (Italian time)".to_owned(),
                    "INVALID_VALUE",
                );
                None
            }
        };
    let duration = u16::try_from(input.duration_minutes)
        .ok()
        .filter(|d| (1..=24 * 60).contains(d));
    if duration.is_none() {
        p.fail(
            "durationMinutes",
            "durationMinutes: 1 to 1440".to_owned(),
            "INVALID_DURATION",
        );
    }
    let venue = match crate::meeting::venue(&mut p, &input.address, &input.link) {
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
    let agenda: Option<Vec<FreeText>> = input.agenda.iter().map(|a| p.text("agenda", a)).collect();
    let command = (|| {
        Some(MeetingSeriesCommand::Define {
            id,
            network: network?,
            by,
            details: SeriesDetails {
                working_group: working_group?,
                kind: input.kind.into(),
                title: title?,
                rule: rule?,
                first_at: first_at?,
                duration_minutes: duration?,
                venue: venue?,
                agenda: agenda?,
                public: input.public,
            },
            defined_on: input.defined_on.0,
        })
    })();
    let id = id.to_string();
    execute::<SeriesAggregate, _>(ctx, &access, &id, p, command).await
}

impl Reloaded for MeetingSeries {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .meeting_series(MeetingSeriesId(uuid), AsOf::Now)
            .await?
            .map(|view| MeetingSeries {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for MeetingSeries {
    type Aggregate = SeriesAggregate;
    const FIELD: &'static str = "meetingSeries";
    const KIND: NodeKind = NodeKind::MeetingSeries;
}
