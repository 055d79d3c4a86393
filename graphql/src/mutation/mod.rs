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

mod commitment;
mod meeting;
mod network;
mod organization;
mod person;
mod protocol;
mod working_group;

pub use commitment::*;
pub use meeting::*;
pub use network::*;
pub use organization::*;
pub use person::*;
pub use protocol::*;
pub use working_group::*;

// Merged from one root per aggregate (the modules above).
/// The root mutation: one mutation per command.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(
    OrganizationMutation,
    NetworkMutation,
    ProtocolMutation,
    CommitmentMutation,
    WorkingGroupMutation,
    MeetingMutation,
    PersonMutation,
);

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
