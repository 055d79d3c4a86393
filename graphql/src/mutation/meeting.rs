//! The mutations of Meeting: their inputs, payloads and resolvers.

use super::*;

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
with_field!(ScheduleMeetingPayload, meeting: Meeting);

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
with_field!(RescheduleMeetingPayload, meeting: Meeting);

/// An act on a meeting at a moment (open, close) or with a reason (cancel).
pub struct MeetingActInput {
    /// The meeting.
    pub meeting: ID,
    /// When (open, close).
    pub at: Option<DateTime<Utc>>,
    /// Why (cancel).
    pub reason: Option<String>,
}
with_field!(OpenMeetingPayload, meeting: Meeting);
with_field!(CloseMeetingPayload, meeting: Meeting);
with_field!(CancelMeetingPayload, meeting: Meeting);

/// Record an organization's attendance.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    /// The meeting.
    pub meeting: ID,
    /// The organization.
    pub organization: ID,
    /// Present, absent or excused.
    pub attendance: Attendance,
    /// The person who represented it (id in the personal-data store).
    pub represented_by: Option<ID>,
}
with_field!(RecordAttendancePayload, meeting: Meeting);

/// One action item of a decision.
#[derive(InputObject)]
pub struct ActionItemInput {
    /// Who does it.
    pub obligor: ID,
    /// What.
    pub title: String,
    /// By when.
    pub due_on: Option<NaiveDate>,
}

/// Record a decision; its action items become commitments.
#[derive(InputObject)]
pub struct RecordDecisionInput {
    /// The meeting (open).
    pub meeting: ID,
    /// What was decided.
    pub text: String,
    /// Action items.
    pub action_items: Vec<ActionItemInput>,
}
with_field!(RecordDecisionPayload, meeting: Meeting);

/// Minutes by version hash.
pub struct MinutesInput {
    /// The meeting.
    pub meeting: ID,
    /// The SHA-256 of the minutes document.
    pub document_hash: String,
    /// The version to approve (approve only).
    pub version: Option<u32>,
    /// Approved on (approve only).
    pub approved_on: Option<NaiveDate>,
}
with_field!(DraftMinutesPayload, meeting: Meeting);
with_field!(ApproveMinutesPayload, meeting: Meeting);

/// The input of `cancelMeeting`.
#[derive(InputObject)]
pub struct CancelMeetingInput {
    /// The meeting.
    pub meeting: ID,
    /// When (open, close).
    pub at: Option<DateTime<Utc>>,
    /// Why (cancel).
    pub reason: Option<String>,
}

impl From<CancelMeetingInput> for MeetingActInput {
    fn from(input: CancelMeetingInput) -> Self {
        Self {
            meeting: input.meeting,
            at: input.at,
            reason: input.reason,
        }
    }
}

/// The input of `openMeeting`.
#[derive(InputObject)]
pub struct OpenMeetingInput {
    /// The meeting.
    pub meeting: ID,
    /// When (open, close).
    pub at: Option<DateTime<Utc>>,
    /// Why (cancel).
    pub reason: Option<String>,
}

impl From<OpenMeetingInput> for MeetingActInput {
    fn from(input: OpenMeetingInput) -> Self {
        Self {
            meeting: input.meeting,
            at: input.at,
            reason: input.reason,
        }
    }
}

/// The input of `closeMeeting`.
#[derive(InputObject)]
pub struct CloseMeetingInput {
    /// The meeting.
    pub meeting: ID,
    /// When (open, close).
    pub at: Option<DateTime<Utc>>,
    /// Why (cancel).
    pub reason: Option<String>,
}

impl From<CloseMeetingInput> for MeetingActInput {
    fn from(input: CloseMeetingInput) -> Self {
        Self {
            meeting: input.meeting,
            at: input.at,
            reason: input.reason,
        }
    }
}

/// The input of `draftMinutes`.
#[derive(InputObject)]
pub struct DraftMinutesInput {
    /// The meeting.
    pub meeting: ID,
    /// The SHA-256 of the minutes document.
    pub document_hash: String,
    /// The version to approve (approve only).
    pub version: Option<u32>,
    /// Approved on (approve only).
    pub approved_on: Option<NaiveDate>,
}

impl From<DraftMinutesInput> for MinutesInput {
    fn from(input: DraftMinutesInput) -> Self {
        Self {
            meeting: input.meeting,
            document_hash: input.document_hash,
            version: input.version,
            approved_on: input.approved_on,
        }
    }
}

/// The input of `approveMinutes`.
#[derive(InputObject)]
pub struct ApproveMinutesInput {
    /// The meeting.
    pub meeting: ID,
    /// The SHA-256 of the minutes document.
    pub document_hash: String,
    /// The version to approve (approve only).
    pub version: Option<u32>,
    /// Approved on (approve only).
    pub approved_on: Option<NaiveDate>,
}

impl From<ApproveMinutesInput> for MinutesInput {
    fn from(input: ApproveMinutesInput) -> Self {
        Self {
            meeting: input.meeting,
            document_hash: input.document_hash,
            version: input.version,
            approved_on: input.approved_on,
        }
    }
}

fn venue(p: &mut Parse, address: &Option<String>, link: &Option<String>) -> Option<Option<Venue>> {
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

/// The mutations of Meeting.
#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Schedule a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn schedule_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ScheduleMeetingInput,
    ) -> ApiResult<ScheduleMeetingPayload> {
        let access = allow!(ctx, ScheduleMeetingPayload);
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
        run!(
            ctx,
            access,
            ScheduleMeetingPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Move a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reschedule_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RescheduleMeetingInput,
    ) -> ApiResult<RescheduleMeetingPayload> {
        let access = allow!(ctx, RescheduleMeetingPayload);
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let venue = venue(&mut p, &input.address, &input.link);
        let command = venue.map(|venue| MeetingCommand::Reschedule {
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            venue,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RescheduleMeetingPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Cancel a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn cancel_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CancelMeetingInput,
    ) -> ApiResult<CancelMeetingPayload> {
        let access = allow!(ctx, CancelMeetingPayload);
        let input: MeetingActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let reason = required_reason(&mut p, &input.reason);
        let command = reason.map(|reason| MeetingCommand::Cancel { reason });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            CancelMeetingPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Open a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn open_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: OpenMeetingInput,
    ) -> ApiResult<OpenMeetingPayload> {
        let access = allow!(ctx, OpenMeetingPayload);
        let input: MeetingActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let command = Some(MeetingCommand::Open {
            opened_at: input.at.unwrap_or_else(Utc::now),
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            OpenMeetingPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Close a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn close_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CloseMeetingInput,
    ) -> ApiResult<CloseMeetingPayload> {
        let access = allow!(ctx, CloseMeetingPayload);
        let input: MeetingActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let command = Some(MeetingCommand::Close {
            closed_at: input.at.unwrap_or_else(Utc::now),
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            CloseMeetingPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Record attendance.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordAttendanceInput,
    ) -> ApiResult<RecordAttendancePayload> {
        let access = allow!(ctx, RecordAttendancePayload);
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let organization = p.org("organization", &input.organization);
        let represented_by = match &input.represented_by {
            Some(person) => match person.parse::<uuid::Uuid>() {
                Ok(u) => Some(Some(PersonId(u))),
                Err(_) => {
                    p.fail(
                        "representedBy",
                        "representedBy is not a person id".to_owned(),
                        "INVALID_ID",
                    );
                    None
                }
            },
            None => Some(None),
        };
        let command = (|| {
            Some(MeetingCommand::RecordAttendance {
                organization: organization?,
                attendance: input.attendance.into(),
                represented_by: represented_by?,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RecordAttendancePayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Record a decision; its action items become commitments.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn record_decision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordDecisionInput,
    ) -> ApiResult<RecordDecisionPayload> {
        let access = allow!(ctx, RecordDecisionPayload);
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let text = p.text("text", &input.text);
        let mut items = Vec::new();
        for item in &input.action_items {
            if let (Some(obligor), Some(title)) = (
                p.org("actionItems", &item.obligor),
                p.name("actionItems", &item.title),
            ) {
                items.push(ActionItem {
                    obligor,
                    title,
                    due_on: item.due_on,
                });
            }
        }
        let command = text.map(|text| MeetingCommand::RecordDecision {
            text,
            action_items: items,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RecordDecisionPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Draft a version of the minutes.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn draft_minutes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DraftMinutesInput,
    ) -> ApiResult<DraftMinutesPayload> {
        let access = allow!(ctx, DraftMinutesPayload);
        let input: MinutesInput = input.into();
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let command = p
            .hash("documentHash", &input.document_hash)
            .map(|document_hash| MeetingCommand::DraftMinutes { document_hash });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DraftMinutesPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }

    /// Approve one version of the minutes, once.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn approve_minutes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApproveMinutesInput,
    ) -> ApiResult<ApproveMinutesPayload> {
        let access = allow!(ctx, ApproveMinutesPayload);
        let input: MinutesInput = input.into();
        let mut p = Parse::default();
        let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
        let hash = p.hash("documentHash", &input.document_hash);
        if input.version.is_none() {
            p.fail(
                "version",
                "the version to approve is required".to_owned(),
                "INVALID_VALUE",
            );
        }
        let command = (|| {
            Some(MeetingCommand::ApproveMinutes {
                version: input.version?,
                document_hash: hash?,
                approved_on: input.approved_on.unwrap_or_else(|| Utc::now().date_naive()),
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ApproveMinutesPayload,
            MeetingAggregate,
            id,
            p.done(command),
            |id| load_meeting(ctx, &id).await?
        )
    }
}
