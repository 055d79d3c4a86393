//! The root mutation: one mutation per command of the domain (the process-driven ones
//! excepted), each taking `input: XInput!` and returning `XPayload` with the affected object,
//! typed `userErrors` for every refusal, and the global positions written. A mutation answers
//! after the read side shows its own events (read-your-writes), within a bounded wait.

use aggregates::commitment::{
    Commitment as CommitmentAggregate, CommitmentCommand, CommitmentSource,
};
use aggregates::ids::*;
use aggregates::meeting::{ActionItem, Meeting as MeetingAggregate, MeetingCommand, Venue};
use aggregates::metadata::EventMetadata;
use aggregates::network::{Network as NetworkAggregate, NetworkCommand};
use aggregates::organization::{Organization as OrganizationAggregate, OrganizationCommand};
use aggregates::person::{Person as PersonAggregate, PersonCommand};
use aggregates::protocol::{
    Clause, CommitmentTerms, Protocol as ProtocolAggregate, ProtocolCommand, ProtocolContent,
    RenewalRule,
};
use aggregates::values::{
    DateRange, DocumentHash, FreeText, Link, Name, Sealed, TaxCode, ValueError,
};
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::Aggregate;
use projections::queries::AsOf;
use projections::store::CommandError;

use crate::auth::{Access, Principal};
use crate::model::*;
use crate::{read, ApiResult, ApiState};

pub use crate::errors::UserError;

/// Collects the parse errors of one input.
#[derive(Default)]
struct Parse {
    errors: Vec<UserError>,
}

impl Parse {
    fn fail(&mut self, field: &str, message: String, code: &str) {
        self.errors.push(UserError {
            field: Some(vec!["input".to_owned(), field.to_owned()]),
            message,
            code: code.to_owned(),
        });
    }
    fn value<T>(&mut self, field: &str, result: Result<T, ValueError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                let code = match e {
                    ValueError::PersonalData(_) => "PERSONAL_DATA",
                    _ => "INVALID_VALUE",
                };
                self.fail(field, format!("{field}: {e}"), code);
                None
            }
        }
    }
    fn name(&mut self, field: &str, value: &str) -> Option<Name> {
        self.value(field, Name::parse(value))
    }
    fn text(&mut self, field: &str, value: &str) -> Option<FreeText> {
        self.value(field, FreeText::parse(value))
    }
    /// None: absent; Some(None): present but invalid (already reported).
    fn opt_text(&mut self, field: &str, value: &Option<String>) -> Option<Option<FreeText>> {
        match value {
            None => Some(None),
            Some(v) => self.text(field, v).map(Some),
        }
    }
    fn hash(&mut self, field: &str, value: &str) -> Option<DocumentHash> {
        self.value(field, DocumentHash::parse(value))
    }
    fn id(&mut self, field: &str, value: &ID, kind: NodeKind) -> Option<uuid::Uuid> {
        let decoded = decode_kind(value, kind);
        if decoded.is_none() {
            self.fail(
                field,
                format!("{field} is not the id of a {kind:?}"),
                "INVALID_ID",
            );
        }
        decoded
    }
    fn org(&mut self, field: &str, value: &ID) -> Option<OrganizationId> {
        self.id(field, value, NodeKind::Organization)
            .map(OrganizationId)
    }
    fn done<T>(self, value: Option<T>) -> Result<T, Vec<UserError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

fn error(code: &str, message: &str) -> Vec<UserError> {
    vec![UserError {
        field: None,
        message: message.to_owned(),
        code: code.to_owned(),
    }]
}

/// Authorizes the current mutation (see `auth.rs`), or returns its payload refusing it.
macro_rules! allow {
    ($ctx:expr, $payload:ident) => {
        match crate::auth::authorize($ctx).await? {
            Ok(access) => access,
            Err(errors) => return Ok($payload::refused(errors)),
        }
    };
}

/// The organization the caller acts for (decisions are taken by organizations).
fn acting_for(access: &Access) -> Result<OrganizationId, Vec<UserError>> {
    access.actor.organization.ok_or_else(|| {
        error(
            "ACTING_FOR_REQUIRED",
            "this change is made on behalf of an organization, and none is concerned",
        )
    })
}

/// The organization acted for, or the mutation's payload refusing the change.
macro_rules! acting {
    ($access:expr, $payload:ident) => {
        match acting_for(&$access) {
            Ok(by) => by,
            Err(errors) => return Ok($payload::refused(errors)),
        }
    };
}

/// The idempotency key of this mutation field, when the request carries one.
fn field_key(ctx: &Context<'_>) -> Option<String> {
    let key = ctx.data_opt::<crate::IdempotencyKey>()?;
    let field = ctx
        .path_node
        .map(|p| p.field_name().to_owned())
        .unwrap_or_default();
    Some(format!("{}/{field}", key.0))
}

/// The id of a new object: derived from the idempotency key when there is one (so a retry
/// is the same command), random otherwise.
fn new_id<T>(ctx: &Context<'_>, derived: fn(&str) -> T, random: fn() -> T) -> T {
    match field_key(ctx) {
        Some(key) => derived(&format!(
            "{key}/{}",
            ctx.data_opt::<Principal>()
                .map_or("", |p| p.subject.as_str())
        )),
        None => random(),
    }
}

/// The request a mutation field carries: its name and its arguments, variables resolved.
fn request_of(ctx: &Context<'_>) -> ApiResult<String> {
    let field = ctx.field();
    let arguments: Vec<(String, async_graphql::Value)> = field
        .arguments()?
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    Ok(format!(
        "{}\0{}",
        field.name(),
        serde_json::to_string(&arguments).unwrap_or_default()
    ))
}

/// Executes a command and waits for the read side to show it.
async fn perform<A>(
    ctx: &Context<'_>,
    access: &Access,
    id: &str,
    command: A::Command,
) -> ApiResult<Result<Vec<i64>, Vec<UserError>>>
where
    A: Aggregate<Services = aggregates::Services>,
    A::Command: Clone + std::fmt::Debug + aggregates::DomainCommand + 'static,
    A::Error: aggregates::errors::ErrorCode,
{
    let state = ctx.data_unchecked::<ApiState>();
    let mut metadata =
        EventMetadata::new(access.actor.clone()).with_correlation(uuid::Uuid::new_v4());
    // The key is bound to the request as the client sent it (field and arguments), so a
    // retry replays even where the command holds what the server chose (a default of "now",
    // the nonce of sealed personal data).
    let mut request = None;
    if let Some(key) = field_key(ctx) {
        metadata = metadata.with_idempotency_key(key);
        request = Some(request_of(ctx)?);
    }
    let executed = state
        .store
        .execute_request::<A>(id, command, &metadata, request.as_deref())
        .await;
    match executed {
        Ok(outcome) => {
            if let Some(last) = outcome.positions.last() {
                // (For a replayed key the positions are the first execution's.)
                let waiting = std::time::Instant::now();
                state.read.wait_for(*last, state.read_your_writes).await?;
                metrics::histogram!("governance_read_your_writes_wait_seconds")
                    .record(waiting.elapsed().as_secs_f64());
            }
            Ok(Ok(outcome.positions))
        }
        Err(CommandError::Domain(e)) => Ok(Err(vec![UserError {
            field: None,
            message: e.to_string(),
            code: aggregates::errors::ErrorCode::code(&e).to_owned(),
        }])),
        Err(CommandError::Conflict { .. }) => Ok(Err(error(
            "CONFLICT",
            "the record was changed by someone else at the same time; please try again",
        ))),
        Err(CommandError::IdempotencyKeyReused) => Ok(Err(error(
            "IDEMPOTENCY_KEY_REUSED",
            "this idempotency key was already used for a different change",
        ))),
        Err(CommandError::Store(e)) => Err(async_graphql::Error::new(e.to_string())),
    }
}

/// Declares the payload of a mutation: the affected object, user errors, positions.
macro_rules! payload {
    ($name:ident, $field:ident: $ty:ty) => {
        /// The outcome of the mutation of the same name.
        #[derive(SimpleObject)]
        pub struct $name {
            /// The affected object as the read side shows it after the change.
            pub $field: Option<$ty>,
            /// Why the change was refused; empty when it was carried out.
            pub user_errors: Vec<UserError>,
            /// The global positions of the events written (empty if nothing changed).
            pub positions: Vec<i64>,
        }

        impl $name {
            fn refused(user_errors: Vec<UserError>) -> Self {
                Self {
                    $field: None,
                    user_errors,
                    positions: vec![],
                }
            }
        }
    };
}

/// Runs the command of a parsed input and builds the payload, loading the object after.
macro_rules! run {
    ($ctx:expr, $access:expr, $payload:ident, $agg:ty, $id:expr, $parsed:expr, |$loaded:ident| $load:expr) => {{
        let command = match $parsed {
            Ok(command) => command,
            Err(errors) => return Ok($payload::refused(errors)),
        };
        let id: String = $id.to_string();
        match perform::<$agg>($ctx, &$access, &id, command).await? {
            Err(errors) => Ok($payload::refused(errors)),
            Ok(positions) => {
                let $loaded = id;
                let object = $load;
                Ok($payload {
                    positions,
                    user_errors: vec![],
                    ..$payload::refused(vec![])
                }
                .with(object))
            }
        }
    }};
}

macro_rules! with_field {
    ($name:ident, $field:ident: $ty:ty) => {
        payload!($name, $field: $ty);
        impl $name {
            fn with(mut self, object: Option<$ty>) -> Self {
                self.$field = object;
                self
            }
        }
    };
}

async fn load_organization(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Organization>> {
    let Ok(uuid) = id.parse() else {
        return Ok(None);
    };
    Ok(read(ctx)
        .organization(OrganizationId(uuid), AsOf::Now)
        .await?
        .map(|view| Organization {
            view,
            at: Lens::NOW,
        }))
}
async fn load_network(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Network>> {
    let Ok(uuid) = id.parse() else {
        return Ok(None);
    };
    Ok(read(ctx)
        .network(NetworkId(uuid), AsOf::Now)
        .await?
        .map(|view| Network {
            view,
            at: Lens::NOW,
        }))
}
async fn load_protocol(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Protocol>> {
    Ok(read(ctx)
        .protocol(id, AsOf::Now)
        .await?
        .map(|view| Protocol {
            view,
            at: Lens::NOW,
        }))
}
async fn load_commitment(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Commitment>> {
    Ok(read(ctx)
        .commitment(id, AsOf::Now)
        .await?
        .map(|view| Commitment {
            view,
            at: Lens::NOW,
        }))
}
async fn load_group(ctx: &Context<'_>, id: &str) -> ApiResult<Option<WorkingGroup>> {
    Ok(read(ctx)
        .working_group(id, AsOf::Now)
        .await?
        .map(|view| WorkingGroup {
            view,
            at: Lens::NOW,
        }))
}
async fn load_meeting(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Meeting>> {
    Ok(read(ctx).meeting(id, AsOf::Now).await?.map(|view| Meeting {
        view,
        at: Lens::NOW,
    }))
}

// --- Organization ---------------------------------------------------------------------------

/// Register an organization.
#[derive(InputObject)]
pub struct RegisterOrganizationInput {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub category: OrganizationCategory,
    /// The Italian tax code (11 digits, or 16 characters), check character verified.
    pub tax_code: Option<String>,
    /// The territory it serves.
    pub territory: String,
}
with_field!(RegisterOrganizationPayload, organization: Organization);

/// Rename an organization (its history keeps the old name).
#[derive(InputObject)]
pub struct RenameOrganizationInput {
    /// The organization.
    pub organization: ID,
    /// The new name.
    pub name: String,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(RenameOrganizationPayload, organization: Organization);

/// Update an organization's details; absent fields are left as they are.
#[derive(InputObject)]
pub struct UpdateOrganizationDetailsInput {
    /// The organization.
    pub organization: ID,
    /// A new category.
    pub category: Option<OrganizationCategory>,
    /// A new tax code.
    pub tax_code: Option<String>,
    /// A new territory.
    pub territory: Option<String>,
}
with_field!(UpdateOrganizationDetailsPayload, organization: Organization);

/// An organization succeeds another and takes over its history.
#[derive(InputObject)]
pub struct SucceedOrganizationInput {
    /// The successor.
    pub organization: ID,
    /// The predecessor.
    pub predecessor: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(SucceedOrganizationPayload, organization: Organization);

/// Deactivate an organization.
#[derive(InputObject)]
pub struct DeactivateOrganizationInput {
    /// The organization.
    pub organization: ID,
    /// Why.
    pub reason: String,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(DeactivateOrganizationPayload, organization: Organization);

// --- Network ---------------------------------------------------------------------------------

/// Establish a network.
#[derive(InputObject)]
pub struct EstablishNetworkInput {
    /// Its name.
    pub name: String,
    /// The kind of body.
    pub kind: NetworkKind,
    /// The territory it covers.
    pub territory: String,
    /// The lead organization (capofila).
    pub coordinator: ID,
    /// Established on.
    pub established_on: NaiveDate,
    /// Whether it publishes its members and public meetings.
    pub public: bool,
}
with_field!(EstablishNetworkPayload, network: Network);

/// Change the coordinator (decided by the current coordinator).
#[derive(InputObject)]
pub struct ChangeCoordinatorInput {
    /// The network.
    pub network: ID,
    /// The new coordinator, an active member.
    pub new_coordinator: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(ChangeCoordinatorPayload, network: Network);

/// Close a network.
#[derive(InputObject)]
pub struct CloseNetworkInput {
    /// The network.
    pub network: ID,
    /// Why.
    pub reason: String,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(CloseNetworkPayload, network: Network);

/// A membership decision or change about one organization.
pub struct MembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// A reason or motivation (required to reject, suspend or expel).
    pub reason: Option<String>,
}
with_field!(ApplyForMembershipPayload, network: Network);
with_field!(ApproveMembershipPayload, network: Network);
with_field!(RejectMembershipPayload, network: Network);
with_field!(SuspendMembershipPayload, network: Network);
with_field!(ReinstateMembershipPayload, network: Network);
with_field!(WithdrawMembershipPayload, network: Network);
with_field!(ExpelMemberPayload, network: Network);

/// Designate a referent for a member (the person is referenced by id).
#[derive(InputObject)]
pub struct DesignateReferentInput {
    /// The network.
    pub network: ID,
    /// The member.
    pub organization: ID,
    /// The person's id in the personal-data store.
    pub person: ID,
    /// The referent's role.
    pub role: ReferentRole,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(DesignateReferentPayload, network: Network);

/// Revoke a referent designation.
#[derive(InputObject)]
pub struct RevokeReferentInput {
    /// The network.
    pub network: ID,
    /// The designation's id.
    pub referent: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(RevokeReferentPayload, network: Network);

// --- Protocol --------------------------------------------------------------------------------

/// A clause of a protocol.
#[derive(InputObject)]
pub struct ClauseInput {
    /// Its number, from 1.
    pub number: u16,
    /// Its text.
    pub text: String,
    /// The commitment every signatory takes on by signing, if any.
    pub commitment: Option<String>,
    /// Due this many days after signing.
    pub due_within_days: Option<u32>,
}

/// The text of a protocol version.
#[derive(InputObject)]
pub struct ProtocolContentInput {
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// Clauses.
    pub clauses: Vec<ClauseInput>,
    /// Valid from.
    pub valid_from: NaiveDate,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Months of tacit renewal; absent: renewed only by an explicit act.
    pub tacit_renewal_months: Option<u16>,
}

impl Parse {
    fn content(&mut self, input: &ProtocolContentInput) -> Option<ProtocolContent> {
        let title = self.name("title", &input.title);
        let purpose = self.text("purpose", &input.purpose);
        let mut clauses = Vec::new();
        for clause in &input.clauses {
            let text = self.text("clauses", &clause.text);
            let commitment = match &clause.commitment {
                Some(c) => self.name("clauses", c).map(|title| {
                    Some(CommitmentTerms {
                        title,
                        due_within_days: clause.due_within_days,
                    })
                }),
                None => Some(None),
            };
            if let (Some(text), Some(commitment)) = (text, commitment) {
                clauses.push(Clause {
                    number: clause.number,
                    text,
                    commitment,
                });
            }
        }
        let validity = self.value(
            "validUntil",
            DateRange::new(input.valid_from, input.valid_until),
        );
        let renewal = match input.tacit_renewal_months {
            Some(months) => RenewalRule::Tacit { months },
            None => RenewalRule::Explicit,
        };
        Some(ProtocolContent {
            title: title?,
            purpose: purpose?,
            clauses,
            validity: validity?,
            renewal,
        })
    }
}

/// Draft a protocol.
#[derive(InputObject)]
pub struct DraftProtocolInput {
    /// The network it governs.
    pub network: ID,
    /// Its kind.
    pub kind: ProtocolKind,
    /// Its text.
    pub content: ProtocolContentInput,
    /// The organizations whose signatures are required.
    pub parties: Vec<ID>,
}
with_field!(DraftProtocolPayload, protocol: Protocol);

/// Replace the text of the version being drafted, or start a revision.
pub struct ProtocolTextInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}
with_field!(AmendProtocolPayload, protocol: Protocol);
with_field!(ReviseProtocolPayload, protocol: Protocol);

/// Publish the drafted version: its text is frozen under the document's hash.
#[derive(InputObject)]
pub struct PublishProtocolVersionInput {
    /// The protocol.
    pub protocol: ID,
    /// The SHA-256 of the document.
    pub document_hash: String,
    /// Published on.
    pub published_on: NaiveDate,
}
with_field!(PublishProtocolVersionPayload, protocol: Protocol);

/// A dated act on a protocol (open for signature, expire, enter into force).
pub struct ProtocolActInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}
with_field!(OpenProtocolForSignaturePayload, protocol: Protocol);
with_field!(EnterProtocolIntoForcePayload, protocol: Protocol);
with_field!(ExpireProtocolPayload, protocol: Protocol);

/// Record a signature of the current version.
#[derive(InputObject)]
pub struct RecordSignatureInput {
    /// The protocol.
    pub protocol: ID,
    /// The signatory.
    pub organization: ID,
    /// The office that signed (e.g. "Sindaco"): never a person's name.
    pub signing_office: String,
    /// How it was signed.
    pub method: SignatureMethod,
    /// The SHA-256 of the document signed.
    pub document_hash: String,
    /// The date it was signed (may be earlier than today: a paper signature).
    pub signed_on: NaiveDate,
}
with_field!(RecordSignaturePayload, protocol: Protocol);

/// A party's act (decline, be added, withdraw).
pub struct ProtocolPartyInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}
with_field!(DeclineProtocolPayload, protocol: Protocol);
with_field!(AddProtocolPartyPayload, protocol: Protocol);
with_field!(RecordProtocolWithdrawalPayload, protocol: Protocol);

/// Renew a protocol in force.
#[derive(InputObject)]
pub struct RenewProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new end of validity.
    pub valid_until: NaiveDate,
    /// Decided on.
    pub decided_on: NaiveDate,
}
with_field!(RenewProtocolPayload, protocol: Protocol);

/// Supersede a protocol by another.
#[derive(InputObject)]
pub struct SupersedeProtocolInput {
    /// The protocol superseded.
    pub protocol: ID,
    /// The protocol that replaces it.
    pub by_protocol: ID,
    /// On.
    pub on: NaiveDate,
}
with_field!(SupersedeProtocolPayload, protocol: Protocol);

// --- Commitment ------------------------------------------------------------------------------

/// A commitment set directly by the coordinator.
#[derive(InputObject)]
pub struct CreateCommitmentInput {
    /// The network.
    pub network: ID,
    /// Who owes it.
    pub obligor: ID,
    /// What is owed.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Due date.
    pub due_on: Option<NaiveDate>,
    /// Created on.
    pub created_on: NaiveDate,
}
with_field!(CreateCommitmentPayload, commitment: Commitment);

/// An act on a commitment (report progress, fulfil, waive, reopen).
pub struct CommitmentActInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}
with_field!(ReportCommitmentProgressPayload, commitment: Commitment);
with_field!(FulfilCommitmentPayload, commitment: Commitment);
with_field!(WaiveCommitmentPayload, commitment: Commitment);
with_field!(ReopenCommitmentPayload, commitment: Commitment);

// --- Working group ---------------------------------------------------------------------------

/// Form a working group.
#[derive(InputObject)]
pub struct FormWorkingGroupInput {
    /// The network.
    pub network: ID,
    /// Its name.
    pub name: String,
    /// Its mandate.
    pub mandate: String,
    /// The lead organization.
    pub lead: ID,
    /// Formed on.
    pub formed_on: NaiveDate,
}
with_field!(FormWorkingGroupPayload, working_group: WorkingGroup);

/// Add or remove a member of a working group.
pub struct WorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(AddWorkingGroupMemberPayload, working_group: WorkingGroup);
with_field!(RemoveWorkingGroupMemberPayload, working_group: WorkingGroup);

/// Dissolve a working group.
#[derive(InputObject)]
pub struct DissolveWorkingGroupInput {
    /// The working group.
    pub working_group: ID,
    /// Why.
    pub reason: String,
    /// Dissolved on.
    pub dissolved_on: NaiveDate,
}
with_field!(DissolveWorkingGroupPayload, working_group: WorkingGroup);

// --- Meeting ---------------------------------------------------------------------------------

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

// One input type per mutation (the convention clients expect), converted into the shared
// internal form where mutations have the same shape.

/// The input of `applyForMembership`.
#[derive(InputObject)]
pub struct ApplyForMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the organization applies (optional).
    pub reason: Option<String>,
}

impl From<ApplyForMembershipInput> for MembershipInput {
    fn from(input: ApplyForMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: input.reason,
        }
    }
}

/// The input of `approveMembership`.
#[derive(InputObject)]
pub struct ApproveMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
}

impl From<ApproveMembershipInput> for MembershipInput {
    fn from(input: ApproveMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: None,
        }
    }
}

/// The input of `rejectMembership`.
#[derive(InputObject)]
pub struct RejectMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the application is rejected (required, not empty).
    pub reason: String,
}

impl From<RejectMembershipInput> for MembershipInput {
    fn from(input: RejectMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: Some(input.reason),
        }
    }
}

/// The input of `suspendMembership`.
#[derive(InputObject)]
pub struct SuspendMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the member is suspended (required, not empty).
    pub reason: String,
}

impl From<SuspendMembershipInput> for MembershipInput {
    fn from(input: SuspendMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: Some(input.reason),
        }
    }
}

/// The input of `reinstateMembership`.
#[derive(InputObject)]
pub struct ReinstateMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
}

impl From<ReinstateMembershipInput> for MembershipInput {
    fn from(input: ReinstateMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: None,
        }
    }
}

/// The input of `withdrawMembership`.
#[derive(InputObject)]
pub struct WithdrawMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the member leaves (optional).
    pub reason: Option<String>,
}

impl From<WithdrawMembershipInput> for MembershipInput {
    fn from(input: WithdrawMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: input.reason,
        }
    }
}

/// The input of `expelMember`.
#[derive(InputObject)]
pub struct ExpelMemberInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the member is expelled (required, not empty).
    pub reason: String,
}

impl From<ExpelMemberInput> for MembershipInput {
    fn from(input: ExpelMemberInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: Some(input.reason),
        }
    }
}

/// The input of `amendProtocol`.
#[derive(InputObject)]
pub struct AmendProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}

impl From<AmendProtocolInput> for ProtocolTextInput {
    fn from(input: AmendProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            content: input.content,
        }
    }
}

/// The input of `reviseProtocol`.
#[derive(InputObject)]
pub struct ReviseProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}

impl From<ReviseProtocolInput> for ProtocolTextInput {
    fn from(input: ReviseProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            content: input.content,
        }
    }
}

/// The input of `openProtocolForSignature`.
#[derive(InputObject)]
pub struct OpenProtocolForSignatureInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}

impl From<OpenProtocolForSignatureInput> for ProtocolActInput {
    fn from(input: OpenProtocolForSignatureInput) -> Self {
        Self {
            protocol: input.protocol,
            on: input.on,
            explicit_act: input.explicit_act,
        }
    }
}

/// The input of `enterProtocolIntoForce`.
#[derive(InputObject)]
pub struct EnterProtocolIntoForceInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}

impl From<EnterProtocolIntoForceInput> for ProtocolActInput {
    fn from(input: EnterProtocolIntoForceInput) -> Self {
        Self {
            protocol: input.protocol,
            on: input.on,
            explicit_act: input.explicit_act,
        }
    }
}

/// The input of `expireProtocol`.
#[derive(InputObject)]
pub struct ExpireProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}

impl From<ExpireProtocolInput> for ProtocolActInput {
    fn from(input: ExpireProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            on: input.on,
            explicit_act: input.explicit_act,
        }
    }
}

/// The input of `declineProtocol`.
#[derive(InputObject)]
pub struct DeclineProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

impl From<DeclineProtocolInput> for ProtocolPartyInput {
    fn from(input: DeclineProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            organization: input.organization,
            on: input.on,
            reason: input.reason,
        }
    }
}

/// The input of `addProtocolParty`.
#[derive(InputObject)]
pub struct AddProtocolPartyInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

impl From<AddProtocolPartyInput> for ProtocolPartyInput {
    fn from(input: AddProtocolPartyInput) -> Self {
        Self {
            protocol: input.protocol,
            organization: input.organization,
            on: input.on,
            reason: input.reason,
        }
    }
}

/// The input of `recordProtocolWithdrawal`.
#[derive(InputObject)]
pub struct RecordProtocolWithdrawalInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

impl From<RecordProtocolWithdrawalInput> for ProtocolPartyInput {
    fn from(input: RecordProtocolWithdrawalInput) -> Self {
        Self {
            protocol: input.protocol,
            organization: input.organization,
            on: input.on,
            reason: input.reason,
        }
    }
}

/// The input of `reportCommitmentProgress`.
#[derive(InputObject)]
pub struct ReportCommitmentProgressInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<ReportCommitmentProgressInput> for CommitmentActInput {
    fn from(input: ReportCommitmentProgressInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The input of `fulfilCommitment`.
#[derive(InputObject)]
pub struct FulfilCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<FulfilCommitmentInput> for CommitmentActInput {
    fn from(input: FulfilCommitmentInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The input of `waiveCommitment`.
#[derive(InputObject)]
pub struct WaiveCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<WaiveCommitmentInput> for CommitmentActInput {
    fn from(input: WaiveCommitmentInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The input of `reopenCommitment`.
#[derive(InputObject)]
pub struct ReopenCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// A note, evidence or reason.
    pub note: String,
    /// The SHA-256 of an evidence document (fulfil only).
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: NaiveDate,
}

impl From<ReopenCommitmentInput> for CommitmentActInput {
    fn from(input: ReopenCommitmentInput) -> Self {
        Self {
            commitment: input.commitment,
            note: input.note,
            evidence_hash: input.evidence_hash,
            on: input.on,
        }
    }
}

/// The input of `addWorkingGroupMember`.
#[derive(InputObject)]
pub struct AddWorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}

impl From<AddWorkingGroupMemberInput> for WorkingGroupMemberInput {
    fn from(input: AddWorkingGroupMemberInput) -> Self {
        Self {
            working_group: input.working_group,
            organization: input.organization,
            effective_on: input.effective_on,
        }
    }
}

/// The input of `removeWorkingGroupMember`.
#[derive(InputObject)]
pub struct RemoveWorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}

impl From<RemoveWorkingGroupMemberInput> for WorkingGroupMemberInput {
    fn from(input: RemoveWorkingGroupMemberInput) -> Self {
        Self {
            working_group: input.working_group,
            organization: input.organization,
            effective_on: input.effective_on,
        }
    }
}

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

/// The root mutation.
pub struct Mutation;

/// The root mutation: one mutation per command.
#[Object]
impl Mutation {
    /// Register an organization.
    ///
    /// Who may call it: platform administrators and the coordinator of any network.
    async fn register_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RegisterOrganizationInput,
    ) -> ApiResult<RegisterOrganizationPayload> {
        let access = allow!(ctx, RegisterOrganizationPayload);
        let id = new_id(ctx, OrganizationId::derived, OrganizationId::new_random);
        let mut p = Parse::default();
        let name = p.name("name", &input.name);
        let territory = p.name("territory", &input.territory);
        let tax_code = match &input.tax_code {
            Some(t) => p.value("taxCode", TaxCode::parse(t)).map(Some),
            None => Some(None),
        };
        let command = (|| {
            Some(OrganizationCommand::Register {
                id,
                name: name?,
                category: input.category.into(),
                tax_code: tax_code?,
                territory: territory?,
            })
        })();
        run!(
            ctx,
            access,
            RegisterOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// Rename an organization.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn rename_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RenameOrganizationInput,
    ) -> ApiResult<RenameOrganizationPayload> {
        let access = allow!(ctx, RenameOrganizationPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let name = p.name("name", &input.name);
        let command = (|| {
            Some(OrganizationCommand::Rename {
                name: name?,
                effective_on: input.effective_on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RenameOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// Update an organization's details.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn update_organization_details(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: UpdateOrganizationDetailsInput,
    ) -> ApiResult<UpdateOrganizationDetailsPayload> {
        let access = allow!(ctx, UpdateOrganizationDetailsPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let tax_code = match &input.tax_code {
            Some(t) => p.value("taxCode", TaxCode::parse(t)).map(Some),
            None => Some(None),
        };
        let territory = match &input.territory {
            Some(t) => p.name("territory", t).map(Some),
            None => Some(None),
        };
        let command = (|| {
            Some(OrganizationCommand::UpdateDetails {
                category: input.category.map(Into::into),
                tax_code: tax_code?,
                territory: territory?,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            UpdateOrganizationDetailsPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// An organization succeeds another.
    ///
    /// Who may call it: platform administrators.
    async fn succeed_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SucceedOrganizationInput,
    ) -> ApiResult<SucceedOrganizationPayload> {
        let access = allow!(ctx, SucceedOrganizationPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let predecessor = p.org("predecessor", &input.predecessor);
        let command = predecessor.map(|predecessor| OrganizationCommand::Succeed {
            predecessor,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            SucceedOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// Deactivate an organization.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn deactivate_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DeactivateOrganizationInput,
    ) -> ApiResult<DeactivateOrganizationPayload> {
        let access = allow!(ctx, DeactivateOrganizationPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let reason = p.text("reason", &input.reason);
        let command = reason.map(|reason| OrganizationCommand::Deactivate {
            reason,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DeactivateOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// Establish a network.
    ///
    /// Who may call it: platform administrators.
    async fn establish_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: EstablishNetworkInput,
    ) -> ApiResult<EstablishNetworkPayload> {
        let access = allow!(ctx, EstablishNetworkPayload);
        let id = new_id(ctx, NetworkId::derived, NetworkId::new_random);
        let mut p = Parse::default();
        let name = p.name("name", &input.name);
        let territory = p.name("territory", &input.territory);
        let coordinator = p.org("coordinator", &input.coordinator);
        let command = (|| {
            Some(NetworkCommand::Establish {
                id,
                name: name?,
                kind: input.kind.into(),
                territory: territory?,
                coordinator: coordinator?,
                established_on: input.established_on,
                public: input.public,
            })
        })();
        run!(
            ctx,
            access,
            EstablishNetworkPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// Change the coordinator.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn change_coordinator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ChangeCoordinatorInput,
    ) -> ApiResult<ChangeCoordinatorPayload> {
        let access = allow!(ctx, ChangeCoordinatorPayload);
        let by = acting!(access, ChangeCoordinatorPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let new_coordinator = p.org("newCoordinator", &input.new_coordinator);
        let command = new_coordinator.map(|new_coordinator| NetworkCommand::ChangeCoordinator {
            by,
            new_coordinator,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ChangeCoordinatorPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// Close a network.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn close_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CloseNetworkInput,
    ) -> ApiResult<CloseNetworkPayload> {
        let access = allow!(ctx, CloseNetworkPayload);
        let by = acting!(access, CloseNetworkPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let reason = p.text("reason", &input.reason);
        let command = reason.map(|reason| NetworkCommand::Close {
            by,
            reason,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            CloseNetworkPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// An organization applies to join a network.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn apply_for_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApplyForMembershipInput,
    ) -> ApiResult<ApplyForMembershipPayload> {
        let access = allow!(ctx, ApplyForMembershipPayload);
        let input: MembershipInput = input.into();
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let motivation = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(NetworkCommand::Apply {
                organization: organization?,
                applied_on: input.effective_on,
                motivation: motivation?,
            })
        })();
        run!(
            ctx,
            access,
            ApplyForMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator approves an application.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn approve_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApproveMembershipInput,
    ) -> ApiResult<ApproveMembershipPayload> {
        let access = allow!(ctx, ApproveMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, ApproveMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let command = organization.map(|organization| NetworkCommand::Approve {
            by,
            organization,
            effective_on: input.effective_on,
        });
        run!(
            ctx,
            access,
            ApproveMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator rejects an application.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reject_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RejectMembershipInput,
    ) -> ApiResult<RejectMembershipPayload> {
        let access = allow!(ctx, RejectMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, RejectMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = required_reason(&mut p, &input.reason);
        let command = (|| {
            Some(NetworkCommand::Reject {
                by,
                organization: organization?,
                reason: reason?,
            })
        })();
        run!(
            ctx,
            access,
            RejectMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator suspends a member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn suspend_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SuspendMembershipInput,
    ) -> ApiResult<SuspendMembershipPayload> {
        let access = allow!(ctx, SuspendMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, SuspendMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = required_reason(&mut p, &input.reason);
        let command = (|| {
            Some(NetworkCommand::Suspend {
                by,
                organization: organization?,
                reason: reason?,
                effective_on: input.effective_on,
            })
        })();
        run!(
            ctx,
            access,
            SuspendMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator reinstates a suspended member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reinstate_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReinstateMembershipInput,
    ) -> ApiResult<ReinstateMembershipPayload> {
        let access = allow!(ctx, ReinstateMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, ReinstateMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let command = organization.map(|organization| NetworkCommand::Reinstate {
            by,
            organization,
            effective_on: input.effective_on,
        });
        run!(
            ctx,
            access,
            ReinstateMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// A member leaves (only the member itself may say so).
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn withdraw_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: WithdrawMembershipInput,
    ) -> ApiResult<WithdrawMembershipPayload> {
        let access = allow!(ctx, WithdrawMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, WithdrawMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(NetworkCommand::Withdraw {
                by,
                organization: organization?,
                reason: reason?,
                effective_on: input.effective_on,
            })
        })();
        run!(
            ctx,
            access,
            WithdrawMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator expels a member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn expel_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ExpelMemberInput,
    ) -> ApiResult<ExpelMemberPayload> {
        let access = allow!(ctx, ExpelMemberPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, ExpelMemberPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = required_reason(&mut p, &input.reason);
        let command = (|| {
            Some(NetworkCommand::Expel {
                by,
                organization: organization?,
                reason: reason?,
                effective_on: input.effective_on,
            })
        })();
        run!(
            ctx,
            access,
            ExpelMemberPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator designates a referent of a member, at the member's request: the
    /// person's contact details become readable by the network's full readers, so the
    /// coordinator approves the designation by making it (a referent cannot designate anyone
    /// on its own).
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn designate_referent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DesignateReferentInput,
    ) -> ApiResult<DesignateReferentPayload> {
        let access = allow!(ctx, DesignateReferentPayload);
        let by = acting!(access, DesignateReferentPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let organization = p.org("organization", &input.organization);
        let person = input.person.parse::<uuid::Uuid>().ok().map(PersonId);
        if person.is_none() {
            p.fail(
                "person",
                "person is not a person id".to_owned(),
                "INVALID_ID",
            );
        }
        let command = (|| {
            Some(NetworkCommand::DesignateReferent {
                by,
                organization: organization?,
                referent: ReferentId::new_random(),
                person: person?,
                role: input.role.into(),
                effective_on: input.effective_on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DesignateReferentPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// Revoke a referent designation.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn revoke_referent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RevokeReferentInput,
    ) -> ApiResult<RevokeReferentPayload> {
        let access = allow!(ctx, RevokeReferentPayload);
        let by = acting!(access, RevokeReferentPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let referent = input.referent.parse::<uuid::Uuid>().ok().map(ReferentId);
        if referent.is_none() {
            p.fail(
                "referent",
                "referent is not a designation id".to_owned(),
                "INVALID_ID",
            );
        }
        let command = referent.map(|referent| NetworkCommand::RevokeReferent {
            by,
            referent,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RevokeReferentPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// Draft a protocol.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn draft_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DraftProtocolInput,
    ) -> ApiResult<DraftProtocolPayload> {
        let access = allow!(ctx, DraftProtocolPayload);
        let id = new_id(ctx, ProtocolId::derived, ProtocolId::new_random);
        let mut p = Parse::default();
        let network = p
            .id("network", &input.network, NodeKind::Network)
            .map(NetworkId);
        let content = p.content(&input.content);
        let parties: Vec<Option<OrganizationId>> =
            input.parties.iter().map(|o| p.org("parties", o)).collect();
        let parties: Option<Vec<OrganizationId>> = parties.into_iter().collect();
        let command = (|| {
            Some(ProtocolCommand::Draft {
                id,
                network: network?,
                kind: input.kind.into(),
                content: content?,
                parties: parties?,
            })
        })();
        run!(
            ctx,
            access,
            DraftProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Replace the text of the version being drafted.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn amend_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AmendProtocolInput,
    ) -> ApiResult<AmendProtocolPayload> {
        let access = allow!(ctx, AmendProtocolPayload);
        let input: ProtocolTextInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = p
            .content(&input.content)
            .map(|content| ProtocolCommand::Amend { content });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            AmendProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Start a new version, which needs new signatures.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn revise_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReviseProtocolInput,
    ) -> ApiResult<ReviseProtocolPayload> {
        let access = allow!(ctx, ReviseProtocolPayload);
        let input: ProtocolTextInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = p
            .content(&input.content)
            .map(|content| ProtocolCommand::Revise { content });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ReviseProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Publish the drafted version under its document's hash.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn publish_protocol_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: PublishProtocolVersionInput,
    ) -> ApiResult<PublishProtocolVersionPayload> {
        let access = allow!(ctx, PublishProtocolVersionPayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let hash = p.hash("documentHash", &input.document_hash);
        let command = hash.map(|document_hash| ProtocolCommand::PublishVersion {
            document_hash,
            published_on: input.published_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            PublishProtocolVersionPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Open the published version for signature.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn open_protocol_for_signature(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: OpenProtocolForSignatureInput,
    ) -> ApiResult<OpenProtocolForSignaturePayload> {
        let access = allow!(ctx, OpenProtocolForSignaturePayload);
        let input: ProtocolActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = Some(ProtocolCommand::OpenForSignature {
            opened_on: input.on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            OpenProtocolForSignaturePayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Record a signature of the current version.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn record_signature(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordSignatureInput,
    ) -> ApiResult<RecordSignaturePayload> {
        let access = allow!(ctx, RecordSignaturePayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let organization = p.org("organization", &input.organization);
        let office = p.name("signingOffice", &input.signing_office);
        let hash = p.hash("documentHash", &input.document_hash);
        let command = (|| {
            Some(ProtocolCommand::RecordSignature {
                organization: organization?,
                signing_office: office?,
                method: input.method.into(),
                document_hash: hash?,
                signed_on: input.signed_on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RecordSignaturePayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// A party declines to sign.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn decline_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DeclineProtocolInput,
    ) -> ApiResult<DeclineProtocolPayload> {
        let access = allow!(ctx, DeclineProtocolPayload);
        let input: ProtocolPartyInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let organization = p.org("organization", &input.organization);
        let reason = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(ProtocolCommand::Decline {
                organization: organization?,
                reason: reason?,
                declined_on: input.on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DeclineProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// The protocol enters into force.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn enter_protocol_into_force(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: EnterProtocolIntoForceInput,
    ) -> ApiResult<EnterProtocolIntoForcePayload> {
        let access = allow!(ctx, EnterProtocolIntoForcePayload);
        let input: ProtocolActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let act = p.opt_text("explicitAct", &input.explicit_act);
        let command = act.map(|explicit_act| ProtocolCommand::EnterIntoForce {
            effective_on: input.on,
            explicit_act,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            EnterProtocolIntoForcePayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Add a party later ("in itinere").
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn add_protocol_party(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AddProtocolPartyInput,
    ) -> ApiResult<AddProtocolPartyPayload> {
        let access = allow!(ctx, AddProtocolPartyPayload);
        let input: ProtocolPartyInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = p
            .org("organization", &input.organization)
            .map(|organization| ProtocolCommand::AddParty {
                organization,
                added_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            AddProtocolPartyPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Record a party's withdrawal.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn record_protocol_withdrawal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordProtocolWithdrawalInput,
    ) -> ApiResult<RecordProtocolWithdrawalPayload> {
        let access = allow!(ctx, RecordProtocolWithdrawalPayload);
        let input: ProtocolPartyInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let organization = p.org("organization", &input.organization);
        let reason = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(ProtocolCommand::RecordWithdrawal {
                organization: organization?,
                reason: reason?,
                effective_on: input.on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RecordProtocolWithdrawalPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Renew a protocol in force.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn renew_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RenewProtocolInput,
    ) -> ApiResult<RenewProtocolPayload> {
        let access = allow!(ctx, RenewProtocolPayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = Some(ProtocolCommand::Renew {
            valid_until: input.valid_until,
            decided_on: input.decided_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RenewProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// The protocol's validity ended.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn expire_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ExpireProtocolInput,
    ) -> ApiResult<ExpireProtocolPayload> {
        let access = allow!(ctx, ExpireProtocolPayload);
        let input: ProtocolActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = Some(ProtocolCommand::Expire { on: input.on });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ExpireProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Another protocol replaces this one.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn supersede_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SupersedeProtocolInput,
    ) -> ApiResult<SupersedeProtocolPayload> {
        let access = allow!(ctx, SupersedeProtocolPayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let by = p
            .id("byProtocol", &input.by_protocol, NodeKind::Protocol)
            .map(ProtocolId);
        let command = by.map(|by_protocol| ProtocolCommand::Supersede {
            by_protocol,
            on: input.on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            SupersedeProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// The coordinator sets a commitment directly.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CreateCommitmentInput,
    ) -> ApiResult<CreateCommitmentPayload> {
        let access = allow!(ctx, CreateCommitmentPayload);
        let by = acting!(access, CreateCommitmentPayload);
        let id = new_id(ctx, CommitmentId::derived, CommitmentId::new_random);
        let mut p = Parse::default();
        let network = p
            .id("network", &input.network, NodeKind::Network)
            .map(NetworkId);
        let obligor = p.org("obligor", &input.obligor);
        let title = p.name("title", &input.title);
        let description = p.opt_text("description", &input.description);
        let command = (|| {
            Some(CommitmentCommand::Create {
                id,
                network: network?,
                source: CommitmentSource::Coordinator { by },
                obligor: obligor?,
                title: title?,
                description: description?,
                due_on: input.due_on,
                created_on: input.created_on,
            })
        })();
        run!(
            ctx,
            access,
            CreateCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The obligor reports progress.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn report_commitment_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReportCommitmentProgressInput,
    ) -> ApiResult<ReportCommitmentProgressPayload> {
        let access = allow!(ctx, ReportCommitmentProgressPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, ReportCommitmentProgressPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let command = p
            .text("note", &input.note)
            .map(|note| CommitmentCommand::ReportProgress {
                by,
                note,
                reported_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ReportCommitmentProgressPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The commitment is fulfilled, with evidence.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn fulfil_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: FulfilCommitmentInput,
    ) -> ApiResult<FulfilCommitmentPayload> {
        let access = allow!(ctx, FulfilCommitmentPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, FulfilCommitmentPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let note = p.text("note", &input.note);
        let evidence = match &input.evidence_hash {
            Some(h) => p.hash("evidenceHash", h).map(Some),
            None => Some(None),
        };
        let command = (|| {
            Some(CommitmentCommand::Fulfil {
                by,
                note: note?,
                evidence: evidence?,
                fulfilled_on: input.on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            FulfilCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The coordinator waives a commitment.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn waive_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: WaiveCommitmentInput,
    ) -> ApiResult<WaiveCommitmentPayload> {
        let access = allow!(ctx, WaiveCommitmentPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, WaiveCommitmentPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let command = p
            .text("note", &input.note)
            .map(|reason| CommitmentCommand::Waive {
                by,
                reason,
                waived_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            WaiveCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// The coordinator reopens a closed commitment.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reopen_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReopenCommitmentInput,
    ) -> ApiResult<ReopenCommitmentPayload> {
        let access = allow!(ctx, ReopenCommitmentPayload);
        let input: CommitmentActInput = input.into();
        let by = acting!(access, ReopenCommitmentPayload);
        let mut p = Parse::default();
        let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
        let command = p
            .text("note", &input.note)
            .map(|reason| CommitmentCommand::Reopen {
                by,
                reason,
                reopened_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ReopenCommitmentPayload,
            CommitmentAggregate,
            id,
            p.done(command),
            |id| load_commitment(ctx, &id).await?
        )
    }

    /// Form a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn form_working_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: FormWorkingGroupInput,
    ) -> ApiResult<FormWorkingGroupPayload> {
        let access = allow!(ctx, FormWorkingGroupPayload);
        let by = acting!(access, FormWorkingGroupPayload);
        let id = new_id(ctx, WorkingGroupId::derived, WorkingGroupId::new_random);
        let mut p = Parse::default();
        let network = p
            .id("network", &input.network, NodeKind::Network)
            .map(NetworkId);
        let name = p.name("name", &input.name);
        let mandate = p.text("mandate", &input.mandate);
        let lead = p.org("lead", &input.lead);
        let command = (|| {
            Some(aggregates::working_group::WorkingGroupCommand::Form {
                id,
                network: network?,
                by,
                name: name?,
                mandate: mandate?,
                lead: lead?,
                formed_on: input.formed_on,
            })
        })();
        run!(
            ctx,
            access,
            FormWorkingGroupPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }

    /// Add a member to a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn add_working_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AddWorkingGroupMemberInput,
    ) -> ApiResult<AddWorkingGroupMemberPayload> {
        let access = allow!(ctx, AddWorkingGroupMemberPayload);
        let input: WorkingGroupMemberInput = input.into();
        let by = acting!(access, AddWorkingGroupMemberPayload);
        let mut p = Parse::default();
        let id = p.id("workingGroup", &input.working_group, NodeKind::WorkingGroup);
        let command = p
            .org("organization", &input.organization)
            .map(
                |organization| aggregates::working_group::WorkingGroupCommand::AddMember {
                    by,
                    organization,
                    effective_on: input.effective_on,
                },
            );
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            AddWorkingGroupMemberPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }

    /// Remove a member from a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn remove_working_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RemoveWorkingGroupMemberInput,
    ) -> ApiResult<RemoveWorkingGroupMemberPayload> {
        let access = allow!(ctx, RemoveWorkingGroupMemberPayload);
        let input: WorkingGroupMemberInput = input.into();
        let by = acting!(access, RemoveWorkingGroupMemberPayload);
        let mut p = Parse::default();
        let id = p.id("workingGroup", &input.working_group, NodeKind::WorkingGroup);
        let command = p
            .org("organization", &input.organization)
            .map(
                |organization| aggregates::working_group::WorkingGroupCommand::RemoveMember {
                    by,
                    organization,
                    effective_on: input.effective_on,
                },
            );
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RemoveWorkingGroupMemberPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }

    /// Dissolve a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn dissolve_working_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DissolveWorkingGroupInput,
    ) -> ApiResult<DissolveWorkingGroupPayload> {
        let access = allow!(ctx, DissolveWorkingGroupPayload);
        let by = acting!(access, DissolveWorkingGroupPayload);
        let mut p = Parse::default();
        let id = p.id("workingGroup", &input.working_group, NodeKind::WorkingGroup);
        let command = p.text("reason", &input.reason).map(|reason| {
            aggregates::working_group::WorkingGroupCommand::Dissolve {
                by,
                reason,
                dissolved_on: input.dissolved_on,
            }
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DissolveWorkingGroupPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }

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

    /// Register a person (a referent or signatory). Their name, e-mail and phone are sealed
    /// with a key of their own before anything is recorded; the events hold only the sealed
    /// bytes.
    ///
    /// Who may call it: platform administrators, coordinators and referents.
    async fn register_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RegisterPersonInput,
    ) -> ApiResult<RegisterPersonPayload> {
        let access = allow!(ctx, RegisterPersonPayload);
        let mut p = Parse::default();
        let details = p.details(&input.name, &input.email, &input.phone);
        let details = match p.done(details) {
            Ok(details) => details,
            Err(errors) => return Ok(RegisterPersonPayload::refused(errors)),
        };
        let id = new_id(ctx, PersonId::derived, PersonId::new_random);
        let state = ctx.data_unchecked::<ApiState>();
        let sealed = crate::personal::seal(state, &id.to_string(), &details).await?;
        let command = Sealed::parse(&sealed)
            .map(|details| PersonCommand::Register { id, details })
            .map_err(|e| error("INVALID_VALUE", &e.to_string()));
        run!(
            ctx,
            access,
            RegisterPersonPayload,
            PersonAggregate,
            id,
            command,
            |id| load_person(ctx, &id).await?
        )
    }

    /// Change a person's contact details (sealed with the same key).
    ///
    /// Who may call it: platform administrators.
    async fn change_person_details(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ChangePersonDetailsInput,
    ) -> ApiResult<ChangePersonDetailsPayload> {
        let access = allow!(ctx, ChangePersonDetailsPayload);
        let mut p = Parse::default();
        let person = input.person.parse::<uuid::Uuid>().ok().map(PersonId);
        if person.is_none() {
            p.fail(
                "person",
                "person is not a person id".to_owned(),
                "INVALID_ID",
            );
        }
        let details = p.details(&input.name, &input.email, &input.phone);
        let (person, details) = match p.done(person.zip(details)) {
            Ok(both) => both,
            Err(errors) => return Ok(ChangePersonDetailsPayload::refused(errors)),
        };
        let state = ctx.data_unchecked::<ApiState>();
        // An erased person's key is gone: sealing would make a new one, so refuse first.
        if state.store.person_key(&person.to_string()).await?.is_none() {
            return Ok(ChangePersonDetailsPayload::refused(error(
                "ERASED",
                "no such person, or their data was erased",
            )));
        }
        let sealed = crate::personal::seal(state, &person.to_string(), &details).await?;
        let command = Sealed::parse(&sealed)
            .map(|details| PersonCommand::ChangeDetails { details })
            .map_err(|e| error("INVALID_VALUE", &e.to_string()));
        run!(
            ctx,
            access,
            ChangePersonDetailsPayload,
            PersonAggregate,
            person,
            command,
            |id| load_person(ctx, &id).await?
        )
    }

    /// Erase a person (GDPR art. 17): their key is destroyed, so every sealed detail in
    /// events, read models and exports becomes unreadable for good; the erasure is recorded
    /// (without personal data) and history stays verifiable.
    ///
    /// Who may call it: platform administrators.
    async fn erase_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ErasePersonInput,
    ) -> ApiResult<ErasePersonPayload> {
        let access = allow!(ctx, ErasePersonPayload);
        let Some(person) = input.person.parse::<uuid::Uuid>().ok().map(PersonId) else {
            return Ok(ErasePersonPayload::refused(vec![UserError {
                field: Some(vec!["input".to_owned(), "person".to_owned()]),
                message: "person is not a person id".to_owned(),
                code: "INVALID_ID".to_owned(),
            }]));
        };
        let command = PersonCommand::Erase {
            on: input.erased_on.unwrap_or_else(|| Utc::now().date_naive()),
        };
        let outcome =
            match perform::<PersonAggregate>(ctx, &access, &person.to_string(), command).await? {
                Ok(positions) => positions,
                Err(errors) => return Ok(ErasePersonPayload::refused(errors)),
            };
        // Recorded first, then the key destroyed: a retry after a failure here records nothing
        // new (erasing twice is a no-op) and destroys the key.
        let state = ctx.data_unchecked::<ApiState>();
        state.store.destroy_person_key(&person.to_string()).await?;
        Ok(ErasePersonPayload {
            positions: outcome,
            user_errors: vec![],
            person: load_person(ctx, &person.to_string()).await?,
        })
    }
}

impl Parse {
    fn details(
        &mut self,
        name: &str,
        email: &Option<String>,
        phone: &Option<String>,
    ) -> Option<crate::personal::Details> {
        let name = self.name("name", name);
        let email = match email {
            Some(e) => self
                .value("email", aggregates::values::Email::parse(e))
                .map(|e| Some(e.as_str().to_owned())),
            None => Some(None),
        };
        let phone = match phone.as_deref().map(str::trim) {
            Some(p)
                if (6..=20).contains(&p.len())
                    && p.chars()
                        .all(|c| c.is_ascii_digit() || " +-./()".contains(c)) =>
            {
                Some(Some(p.to_owned()))
            }
            Some(_) => {
                self.fail(
                    "phone",
                    "phone: 6 to 20 digits, spaces and + - . / ( )".to_owned(),
                    "INVALID_VALUE",
                );
                None
            }
            None => Some(None),
        };
        Some(crate::personal::Details {
            name: name?.as_str().to_owned(),
            email: email?,
            phone: phone?,
        })
    }
}

async fn load_person(ctx: &Context<'_>, id: &str) -> ApiResult<Option<crate::personal::Person>> {
    Ok(read(ctx)
        .person(id, AsOf::Now)
        .await?
        .map(|view| crate::personal::Person {
            id: view.id,
            sealed: Some(view.details.as_str().to_owned()),
        }))
}

/// Register a person; their details are sealed before they are recorded.
#[derive(InputObject)]
pub struct RegisterPersonInput {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}
with_field!(RegisterPersonPayload, person: crate::personal::Person);

/// Replace a person's contact details.
#[derive(InputObject)]
pub struct ChangePersonDetailsInput {
    /// The person's id.
    pub person: ID,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}
with_field!(ChangePersonDetailsPayload, person: crate::personal::Person);

/// Erase a person's data.
#[derive(InputObject)]
pub struct ErasePersonInput {
    /// The person's id.
    pub person: ID,
    /// The date of the erasure (default: today).
    pub erased_on: Option<NaiveDate>,
}
payload!(ErasePersonPayload, person: crate::personal::Person);

fn membership_ids(p: &mut Parse, input: &MembershipInput) -> (String, Option<OrganizationId>) {
    let id = p
        .id("network", &input.network, NodeKind::Network)
        .map(|i| i.to_string())
        .unwrap_or_default();
    (id, p.org("organization", &input.organization))
}

fn required_reason(p: &mut Parse, reason: &Option<String>) -> Option<FreeText> {
    match reason {
        Some(r) => p.text("reason", r),
        None => {
            p.fail("reason", "a reason is required".to_owned(), "INVALID_VALUE");
            None
        }
    }
}
