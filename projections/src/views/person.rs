//! The read model of Person: its documents (their serde form is the stored form) and the
//! fold of its events into them.

use super::*;

/// A person as the read side keeps them: their details only sealed (opened by the API with
/// the person's key, which erasure destroys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: PersonId,
    pub details: Sealed,
    pub erased_on: Option<NaiveDate>,
}

pub(super) fn project_person(
    docs: &mut Docs,
    p: i64,
    id: PersonId,
    e: aggregates::person::PersonEvent,
) -> Result<(), ProjectionError> {
    use aggregates::person::PersonEvent as E;
    let key = DocKey::new(Kind::Person, id);
    let view = match e {
        E::PersonRegistered(r) => PersonView {
            id,
            details: r.details,
            erased_on: None,
        },
        E::PersonDetailsChanged(c) => PersonView {
            details: c.details,
            ..docs.require(&key, p)?
        },
        E::PersonErased(e) => PersonView {
            erased_on: Some(e.erased_on),
            ..docs.require(&key, p)?
        },
    };
    docs.put(key, filters(None, None, None), p, view);
    Ok(())
}
