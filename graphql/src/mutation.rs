//! The root mutation: one mutation per command of the domain (the process-driven ones
//! excepted), each taking `input: XInput!` and returning `XPayload` with the affected object,
//! typed `userErrors` for every refusal, and the global positions written. A mutation answers
//! after the read side shows its own events (read-your-writes), within a bounded wait.

use aggregates::ids::{OrganizationId, PersonId};
use aggregates::metadata::EventMetadata;
use aggregates::values::{DocumentHash, FreeText, Name, ValueError};
use cqrs_es::Aggregate;
use projections::store::CommandError;

pub(crate) use crate::auth::{authorize, Access, MutationRule, Principal, Rule};
pub(crate) use crate::errors::ApiResult;
pub(crate) use crate::errors::{respond, Refusal, UserError};
pub(crate) use crate::ids::{decode_kind, NodeKind};
pub(crate) use crate::scalars::Date;
pub(crate) use crate::state::{read, ApiState};
pub(crate) use async_graphql::{Context, InputObject, Object, ID};
pub(crate) use projections::queries::AsOf;

/// Collects the parse errors of one input.
#[derive(Default)]
pub(crate) struct Parse {
    errors: Vec<UserError>,
}

/// The largest value of an unsigned type, for [`Parse::whole`]'s refusal.
pub(crate) trait Bounded {
    const MAX: u64;
}

impl Bounded for u16 {
    const MAX: u64 = u16::MAX as u64;
}

impl Bounded for u32 {
    const MAX: u64 = u32::MAX as u64;
}

impl Bounded for u64 {
    const MAX: u64 = u64::MAX;
}

impl Parse {
    /// A refusal of an input field; a nested one is named with dots (`details.name`).
    pub(crate) fn fail(&mut self, field: &str, message: String, code: &str) {
        let path = std::iter::once("input").chain(field.split('.'));
        self.errors.push(UserError {
            field: Some(path.map(str::to_owned).collect()),
            message,
            code: code.to_owned(),
        });
    }
    pub(crate) fn value<T>(&mut self, field: &str, result: Result<T, ValueError>) -> Option<T> {
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
    /// A whole number the domain keeps unsigned (`T`: `u16`, `u32`, `u64`), sent as a GraphQL
    /// `Int`: a negative one is `NEGATIVE_VALUE`, one beyond `T` is `TOO_LARGE`. (An input
    /// field typed `u32` would have had async-graphql refuse it while parsing, after the
    /// document's earlier mutations ran, and without naming the field.)
    pub(crate) fn whole<T: TryFrom<i32> + Bounded>(
        &mut self,
        field: &str,
        value: i32,
    ) -> Option<T> {
        match T::try_from(value) {
            Ok(v) => Some(v),
            Err(_) if value < 0 => {
                let message = format!("{field}: a non-negative whole number");
                self.fail(field, message, "NEGATIVE_VALUE");
                None
            }
            Err(_) => {
                let message = format!("{field}: at most {}", T::MAX);
                self.fail(field, message, "TOO_LARGE");
                None
            }
        }
    }
    pub(crate) fn name(&mut self, field: &str, value: &str) -> Option<Name> {
        self.value(field, Name::parse(value))
    }
    pub(crate) fn text(&mut self, field: &str, value: &str) -> Option<FreeText> {
        self.value(field, FreeText::parse(value))
    }
    /// None: absent; Some(None): present but invalid (already reported).
    pub(crate) fn opt_text(
        &mut self,
        field: &str,
        value: &Option<String>,
    ) -> Option<Option<FreeText>> {
        match value {
            None => Some(None),
            Some(v) => self.text(field, v).map(Some),
        }
    }
    pub(crate) fn hash(&mut self, field: &str, value: &str) -> Option<DocumentHash> {
        self.value(field, DocumentHash::parse(value))
    }
    pub(crate) fn id(&mut self, field: &str, value: &ID, kind: NodeKind) -> Option<uuid::Uuid> {
        let decoded = decode_kind(value, kind);
        if decoded.is_none() {
            self.fail(field, kind.not_the_id_of(field), "INVALID_ID");
        }
        decoded
    }
    /// The id of a person or a referent designation (not nodes): its global id of `kind`,
    /// or, deprecated for one release, its bare UUID; made into `T`, `what` names the kind in
    /// the error.
    pub(crate) fn uuid<T>(
        &mut self,
        field: &str,
        value: &str,
        kind: NodeKind,
        what: &str,
        make: fn(uuid::Uuid) -> T,
    ) -> Option<T> {
        let parsed = crate::ids::uuid_in(value, kind).map(make);
        if parsed.is_none() {
            self.fail(field, format!("{field} is not {what}"), "INVALID_ID");
        }
        parsed
    }
    /// A person's id (its global id, or, deprecated, its bare UUID).
    pub(crate) fn person(&mut self, field: &str, value: &str) -> Option<PersonId> {
        self.uuid(field, value, NodeKind::Person, "a person id", PersonId)
    }
    pub(crate) fn org(&mut self, field: &str, value: &ID) -> Option<OrganizationId> {
        self.id(field, value, NodeKind::Organization)
            .map(OrganizationId)
    }
    /// The errors of both parses, this one's first.
    pub(crate) fn merge(mut self, other: Parse) -> Parse {
        self.errors.extend(other.errors);
        self
    }
    pub(crate) fn done<T>(self, value: Option<T>) -> Result<T, Refusal> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors.into()),
        }
    }
}

/// The input path of a command's field (`details.contacts` → `input.details.contacts`, in the
/// API's camelCase).
fn input_path(command_path: Vec<&'static str>) -> Vec<String> {
    let camel = |name: &str| {
        let mut out = String::with_capacity(name.len());
        let mut upper = false;
        for c in name.chars() {
            match c {
                '_' => upper = true,
                c if upper => {
                    out.extend(c.to_uppercase());
                    upper = false;
                }
                c => out.push(c),
            }
        }
        out
    };
    std::iter::once("input".to_owned())
        .chain(command_path.into_iter().map(camel))
        .collect()
}

/// A refusal without a field at fault.
pub(crate) fn error(code: &str, message: &str) -> Vec<UserError> {
    vec![UserError {
        field: None,
        message: message.to_owned(),
        code: code.to_owned(),
    }]
}

/// The organization the caller acts for (decisions are taken by organizations).
pub(crate) fn acting_for(access: &Access) -> Result<OrganizationId, Refusal> {
    access.actor.organization.ok_or_else(|| {
        Refusal::from(error(
            "ACTING_FOR_REQUIRED",
            "this change is made on behalf of an organization, and none is concerned",
        ))
    })
}

/// The idempotency key of this mutation field, when the request carries one.
fn field_key(ctx: &Context<'_>) -> Option<String> {
    let key = ctx.data_opt::<crate::state::IdempotencyKey>()?;
    let field = ctx
        .path_node
        .map(|p| p.field_name().to_owned())
        .unwrap_or_default();
    Some(format!("{}/{field}", key.0))
}

/// The id of a new object: derived from the idempotency key when there is one (so a retry
/// is the same command), random otherwise.
pub(crate) fn new_id<T>(ctx: &Context<'_>, derived: fn(&str) -> T, random: fn() -> T) -> T {
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

/// An aggregate the API sends commands to, with what the command service asks of it.
pub(crate) trait Domain:
    Aggregate<
        Services = aggregates::Services,
        Command: aggregates::DomainCommand,
        Error: aggregates::errors::ErrorCode,
    > + Clone
    + 'static
{
}

impl<A> Domain for A where
    A: Aggregate<
            Services = aggregates::Services,
            Command: aggregates::DomainCommand,
            Error: aggregates::errors::ErrorCode,
        > + Clone
        + 'static
{
}

/// Executes a command as `access` and waits for the read side to show it; answers the
/// global positions written.
pub(crate) async fn perform<A>(
    ctx: &Context<'_>,
    access: &Access,
    id: &str,
    command: A::Command,
) -> Result<Vec<i64>, Refusal>
where
    A: Domain,
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
    let outcome = state
        .store
        .execute_request::<A>(id, command, &metadata, request.as_deref())
        .await
        .map_err(|e| match e {
            CommandError::Domain(e) => Refusal::from(vec![UserError {
                field: aggregates::errors::ErrorCode::field(&e).map(input_path),
                message: e.to_string(),
                code: aggregates::errors::ErrorCode::code(&e).to_owned(),
            }]),
            CommandError::Conflict { .. } => error(
                "CONFLICT",
                "the record was changed by someone else at the same time; please try again",
            )
            .into(),
            CommandError::IdempotencyKeyReused => error(
                "IDEMPOTENCY_KEY_REUSED",
                "this idempotency key was already used for a different change",
            )
            .into(),
            CommandError::Store(projections::store::StoreError::Unauthenticated {
                position,
                ..
            }) => {
                // Not the client's fault, nor this server's: a row put in the log behind its
                // back, which nothing is decided on. Named, so that an operator can find it.
                use async_graphql::ErrorExtensions;
                tracing::warn!(
                    position,
                    "a command's history holds an event this deployment did not append"
                );
                Refusal::Internal(
                    async_graphql::Error::new(format!(
                        "nothing was changed: this record's history holds an event (position \
                         {position}) that no server of this deployment appended; an operator \
                         must remove or adopt it (see /readyz and `governance verify`)"
                    ))
                    .extend_with(move |_, e| {
                        e.set("code", "HISTORY_NOT_AUTHENTIC");
                        e.set("positions", vec![position]);
                    }),
                )
            }
            CommandError::Store(e) => Refusal::internal(e),
        })?;
    let wait = ctx.data_opt::<crate::state::NoReadYourWrites>().is_none();
    if let Some(last) = outcome.positions.last().filter(|_| wait) {
        // (For a replayed key the positions are the first execution's.)
        let waiting = std::time::Instant::now();
        let shown = state.read.wait_for(*last, state.read_your_writes).await?;
        metrics::histogram!("governance_read_your_writes_wait_seconds")
            .record(waiting.elapsed().as_secs_f64());
        if !shown {
            // Recorded, but not yet readable: said, with what was written, never a silent
            // wait or an answer that reads as if the change had not happened.
            use async_graphql::ErrorExtensions;
            metrics::counter!("governance_read_your_writes_timeouts_total").increment(1);
            let positions = outcome.positions.clone();
            return Err(Refusal::Internal(
                async_graphql::Error::new(format!(
                    "the change was recorded (positions {positions:?}) but the read side did \
                     not show it within {} s (see /readyz); read it again shortly, do not \
                     send it again",
                    state.read_your_writes.as_secs()
                ))
                .extend_with(|_, e| {
                    e.set("code", "READ_SIDE_BEHIND");
                    e.set("positions", positions.clone());
                }),
            ));
        }
    }
    Ok(outcome.positions)
}

/// A mutation's payload: refused, or carried out with the object as it reads after.
pub(crate) trait Answer: crate::errors::Payload {
    /// The object the mutation answers with.
    type Object: Reloaded;
    /// The change was carried out: the positions written and the object after it.
    fn done(positions: Vec<i64>, object: Option<Self::Object>) -> Self;
}

/// An object a mutation answers with, read again as the read side shows it now.
pub(crate) trait Reloaded: Sized {
    /// The object with this aggregate id (absent when the read side has none).
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>>;
}

/// Finishes a mutation: the parsed command (or the parse errors), executed on aggregate `id`
/// as `access`, answered with the object as the read side shows it after.
pub(crate) async fn execute<A, P>(
    ctx: &Context<'_>,
    access: &Access,
    id: &str,
    parsed: Parse,
    command: Option<A::Command>,
) -> Result<P, Refusal>
where
    A: Domain,
    P: Answer,
{
    let command = parsed.done(command)?;
    let positions = perform::<A>(ctx, access, id, command).await?;
    // The object is read again only if the client asked for it: a payload selected for its
    // positions and errors alone costs no read.
    let object = match ctx
        .field()
        .selection_set()
        .any(|f| !matches!(f.name(), "positions" | "userErrors" | "__typename"))
    {
        true => P::Object::reload(ctx, id).await?,
        false => None,
    };
    Ok(P::done(positions, object))
}

/// An object a mutation changes, named by one field of the mutation's input.
pub(crate) trait Target: Reloaded {
    /// The aggregate behind the object.
    type Aggregate: Domain;
    /// The input field that names the object (`"commitment"`, `"workingGroup"`, …).
    const FIELD: &'static str;
    /// The kind of global id that field takes.
    const KIND: NodeKind;
}

/// The command a mutation builds from its input, for the object of its payload.
type CommandOf<P> = <<<P as Answer>::Object as Target>::Aggregate as Aggregate>::Command;

/// Carries out a mutation on an existing object: authorizes the caller by `rule`, reads the
/// object's id from `target` (the input field `Target::FIELD`), builds the command from the
/// rest of the input (`build` records in the parse what it cannot read) and executes it.
pub(crate) async fn change<P>(
    ctx: &Context<'_>,
    rule: &MutationRule,
    target: &ID,
    build: impl FnOnce(&mut Parse) -> Option<CommandOf<P>>,
) -> Result<P, Refusal>
where
    P: Answer<Object: Target>,
{
    carry_out(ctx, rule, target, |p, _| Ok(build(p))).await
}

/// [`change`], for a decision taken on behalf of the organization the caller acts for: `build`
/// is given that organization.
pub(crate) async fn decide<P>(
    ctx: &Context<'_>,
    rule: &MutationRule,
    target: &ID,
    build: impl FnOnce(&mut Parse, OrganizationId) -> Option<CommandOf<P>>,
) -> Result<P, Refusal>
where
    P: Answer<Object: Target>,
{
    carry_out(ctx, rule, target, |p, access| {
        Ok(build(p, acting_for(access)?))
    })
    .await
}

async fn carry_out<P>(
    ctx: &Context<'_>,
    rule: &MutationRule,
    target: &ID,
    build: impl FnOnce(&mut Parse, &Access) -> Result<Option<CommandOf<P>>, Refusal>,
) -> Result<P, Refusal>
where
    P: Answer<Object: Target>,
{
    let access = authorize(ctx, rule).await?;
    let mut p = Parse::default();
    let id = p.id(P::Object::FIELD, target, P::Object::KIND);
    let id = id.map(|i| i.to_string()).unwrap_or_default();
    let command = build(&mut p, &access)?;
    execute::<<P::Object as Target>::Aggregate, P>(ctx, &access, &id, p, command).await
}

/// Declares the payload of a mutation: the affected object, user errors, positions.
macro_rules! payload {
    ($name:ident, $field:ident: $ty:ty) => {
        /// The outcome of the mutation of the same name.
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            /// The affected object as the read side shows it after the change.
            pub $field: Option<$ty>,
            /// Why the change was refused; empty when it was carried out.
            pub user_errors: Vec<UserError>,
            /// The global positions of the events written (empty if nothing changed).
            pub positions: Vec<$crate::scalars::Position>,
        }

        impl $crate::mutation::Answer for $name {
            type Object = $ty;
            fn done(positions: Vec<i64>, object: Option<$ty>) -> Self {
                Self {
                    $field: object,
                    user_errors: vec![],
                    positions: positions
                        .into_iter()
                        .map($crate::scalars::Position)
                        .collect(),
                }
            }
        }

        impl $crate::errors::Payload for $name {
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
pub(crate) use payload;
