//! `registerPerson`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `registerPerson` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("registerPerson", Rule::AnyWriter);

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
payload!(RegisterPersonPayload, person: crate::personal::Person);

/// The resolver of `registerPerson`.
#[derive(Default)]
pub struct RegisterPersonMutation;

#[Object]
impl RegisterPersonMutation {
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
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RegisterPersonInput,
) -> Result<RegisterPersonPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let mut p = Parse::default();
    let details = p.details(&input.name, &input.email, &input.phone);
    let details = p.done(details)?;
    let id = new_id(ctx, PersonId::derived, PersonId::new_random);
    let state = ctx.data_unchecked::<ApiState>();
    let sealed = crate::personal::seal(state, &id.to_string(), &details).await?;
    let command = PersonCommand::Register {
        id,
        details: sealed_details(&sealed)?,
    };
    let id = id.to_string();
    let positions = perform::<PersonAggregate>(ctx, &access, &id, command).await?;
    Ok(RegisterPersonPayload::done(
        positions,
        crate::personal::Person::reload(ctx, &id).await?,
    ))
}
