//! `erasePerson`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `erasePerson` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("erasePerson", Rule::Admin);

/// Erase a person's data.
#[derive(InputObject)]
pub struct ErasePersonInput {
    /// The person's id.
    pub person: ID,
    /// The date of the erasure (default: today).
    pub erased_on: Option<Date>,
}
payload!(ErasePersonPayload, person: crate::personal::Person);

/// The resolver of `erasePerson`.
#[derive(Default)]
pub struct ErasePersonMutation;

#[Object]
impl ErasePersonMutation {
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
        respond(run(ctx, input).await)
    }
}

async fn run(ctx: &Context<'_>, input: ErasePersonInput) -> Result<ErasePersonPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let mut p = Parse::default();
    let person = p.person("person", &input.person);
    let id = p.done(person)?.to_string();
    let command = PersonCommand::Erase {
        on: input
            .erased_on
            .map_or_else(|| Utc::now().date_naive(), |d| d.0),
    };
    let positions = perform::<PersonAggregate>(ctx, &access, &id, command).await?;
    // Recorded first, then the key destroyed: a retry after a failure here records nothing
    // new (erasing twice is a no-op) and destroys the key.
    let state = ctx.data_unchecked::<ApiState>();
    state
        .store
        .destroy_person_key(&id)
        .await
        .map_err(Refusal::internal)?;
    Ok(ErasePersonPayload::done(
        positions,
        crate::personal::Person::reload(ctx, &id).await?,
    ))
}
