//! The mutations of Person: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share.

use crate::mutation::*;
use aggregates::ids::*;
use aggregates::person::{Person as PersonAggregate, PersonCommand};
use aggregates::values::Sealed;
use chrono::Utc;

mod change_person_details;
mod erase_person;
mod register_person;

pub use change_person_details::*;
pub use erase_person::*;
pub use register_person::*;

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    register_person::RULE,
    change_person_details::RULE,
    erase_person::RULE,
];

/// The mutations of Person.
#[derive(async_graphql::MergedObject, Default)]
pub struct PersonMutation(
    RegisterPersonMutation,
    ChangePersonDetailsMutation,
    ErasePersonMutation,
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

impl Reloaded for crate::personal::Person {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .person(PersonId(uuid), AsOf::Now)
            .await?
            .map(|view| crate::personal::Person {
                id: view.id.to_string(),
                sealed: Some(view.details.as_str().to_owned()),
            }))
    }
}

/// Sealed details as the domain takes them.
fn sealed_details(sealed: &str) -> Result<Sealed, Refusal> {
    Sealed::parse(sealed).map_err(|e| error("INVALID_VALUE", &e.to_string()).into())
}
