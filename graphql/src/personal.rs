//! Personal data at the API boundary: a person's contact details are sealed here, with the
//! person's own key, before the command that records them is run, and opened here when an
//! authorised reader asks. Once the key is destroyed (erasure), every place that shows the
//! person — referents, mutation payloads, history entries — shows them as erased.

use async_graphql::{Context, Object};
use serde::{Deserialize, Serialize};

use crate::errors::ApiResult;
use crate::state::ApiState;

pub use projections::store::PersonDetails as Details;

/// What the API shows for an erased person's name.
pub const ERASED: &str = "[erased]";

/// Seals details for a person, creating the person's key if needed.
pub async fn seal(state: &ApiState, person: &str, details: &Details) -> ApiResult<String> {
    let key = state.store.person_key_or_create(person).await?;
    let plain = serde_json::to_vec(details).expect("details serialise");
    Ok(projections::store::seal(&key, person, &plain))
}

/// Opens a person's sealed details; `None` once the person is erased.
pub async fn open(ctx: &Context<'_>, person: &str, sealed: &str) -> ApiResult<Option<Details>> {
    let state = ctx.data_unchecked::<ApiState>();
    let Some(key) = state.store.person_key(person).await? else {
        return Ok(None);
    };
    Ok(projections::store::open(&key, person, sealed)
        .and_then(|plain| serde_json::from_slice(&plain).ok()))
}

/// A person's contact details as the caller may see them.
pub struct Person {
    pub id: String,
    pub sealed: Option<String>,
}

impl Person {
    async fn details(&self, ctx: &Context<'_>) -> ApiResult<Option<Details>> {
        match &self.sealed {
            Some(sealed) => open(ctx, &self.id, sealed).await,
            None => Ok(None),
        }
    }
}

/// A person (a referent or signatory). Contact details are personal data: sealed with the
/// person's own key, shown as erased once an administrator erased the person.
#[Object]
impl Person {
    /// The person's global id (what `designateReferent`, `changePersonDetails` and
    /// `erasePerson` take).
    async fn id(&self) -> crate::ids::ID {
        crate::ids::global_id(crate::ids::NodeKind::Person, &self.id)
    }
    /// The name, or "[erased]".
    async fn name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(self
            .details(ctx)
            .await?
            .map_or_else(|| ERASED.to_owned(), |d| d.name))
    }
    /// The e-mail address, if given and not erased.
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.details(ctx).await?.and_then(|d| d.email))
    }
    /// The phone number, if given and not erased.
    async fn phone(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.details(ctx).await?.and_then(|d| d.phone))
    }
    /// Whether the person's data was erased.
    async fn erased(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.details(ctx).await?.is_none())
    }
}

/// Lets a typed event payload learn whose personal data it holds (the aggregate id of a
/// Person event); payloads without personal data ignore it.
pub trait Bind {
    fn bind(&mut self, person: &str);
}

/// Sealed personal data as an event holds it, opened for the reader when the person's key
/// still exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SealedDetails {
    sealed: String,
    #[serde(skip)]
    person: String,
}

impl Bind for SealedDetails {
    fn bind(&mut self, person: &str) {
        self.person = person.to_owned();
    }
}

/// Sealed personal data: the person's details while their key exists, erased after.
#[Object]
impl SealedDetails {
    /// The person's details, or "[erased]".
    async fn person(&self) -> Person {
        Person {
            id: self.person.clone(),
            sealed: Some(self.sealed.clone()),
        }
    }
}
