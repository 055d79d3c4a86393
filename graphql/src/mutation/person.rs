//! The mutations of Person: their inputs, payloads and resolvers.

use super::*;

/// The mutations of Person.
#[derive(Default)]
pub struct PersonMutation;

#[Object]
impl PersonMutation {
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
