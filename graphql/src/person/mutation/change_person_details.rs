//! `changePersonDetails`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `changePersonDetails` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("changePersonDetails", Rule::Admin);

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
payload!(ChangePersonDetailsPayload, person: crate::personal::Person);

/// The resolver of `changePersonDetails`.
#[derive(Default)]
pub struct ChangePersonDetailsMutation;

#[Object]
impl ChangePersonDetailsMutation {
    /// Change a person's contact details (sealed with the same key).
    ///
    /// Who may call it: platform administrators.
    async fn change_person_details(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ChangePersonDetailsInput,
    ) -> ApiResult<ChangePersonDetailsPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ChangePersonDetailsInput,
) -> Result<ChangePersonDetailsPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let mut p = Parse::default();
    let person = p.person("person", &input.person);
    let details = p.details(&input.name, &input.email, &input.phone);
    let (person, details) = p.done(person.zip(details))?;
    let state = ctx.data_unchecked::<ApiState>();
    let id = person.to_string();
    // An erased person's key is gone: sealing would make a new one, so refuse first.
    if state
        .store
        .person_key(&id)
        .await
        .map_err(Refusal::internal)?
        .is_none()
    {
        return Err(error("ERASED", "no such person, or their data was erased").into());
    }
    let sealed = crate::personal::seal(state, &id, &details).await?;
    let command = PersonCommand::ChangeDetails {
        details: sealed_details(&sealed)?,
    };
    let positions = perform::<PersonAggregate>(ctx, &access, &id, command).await?;
    Ok(ChangePersonDetailsPayload::done(
        positions,
        crate::personal::Person::reload(ctx, &id).await?,
    ))
}
