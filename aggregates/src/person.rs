//! A person (a referent or a signatory) whose contact details are personal data. The domain only
//! ever holds them sealed: the API seals name, e-mail and phone with a key of this person kept
//! outside the event log, and erasure (GDPR art. 17) destroys that key. The erasure itself is
//! recorded here, without any personal data, so the audit log says who erased whom and when.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::Services;
use crate::events::domain_events;
use crate::ids::PersonId;
use crate::values::Sealed;

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum PersonCommand {
    Register { id: PersonId, details: Sealed },
    ChangeDetails { details: Sealed },
    Erase { on: NaiveDate },
}

impl crate::DomainCommand for PersonCommand {
    fn business_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Self::Erase { on } => Some(*on),
            Self::Register { .. } | Self::ChangeDetails { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("this person is already registered")]
    AlreadyRegistered,
    #[error("no such person")]
    NotFound,
    #[error("this person's data was erased")]
    Erased,
}

crate::error_codes!(PersonError {
    AlreadyRegistered => "ALREADY_REGISTERED",
    NotFound => "NOT_FOUND",
    Erased => "ERASED",
});

domain_events!(
    /// Everything that can happen to a person's record.
    PersonEvent {
        PersonRegistered = "1",
        PersonDetailsChanged = "1",
        PersonErased = "1",
    }
);

/// A person was registered; their details are sealed with their own key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonRegistered {
    pub person_id: PersonId,
    pub details: Sealed,
}

/// A person's details changed (sealed with the same key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonDetailsChanged {
    pub details: Sealed,
}

/// A person's data was erased: their key was destroyed, so every sealed detail is unreadable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonErased {
    pub erased_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Person {
    pub id: Option<PersonId>,
    pub erased: bool,
}

impl Aggregate for Person {
    const TYPE: &'static str = "Person";
    type Command = PersonCommand;
    type Event = PersonEvent;
    type Error = PersonError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event: PersonEvent = match command {
            PersonCommand::Register { id, details } => {
                if self.id.is_some() {
                    return Err(PersonError::AlreadyRegistered);
                }
                PersonRegistered {
                    person_id: id,
                    details,
                }
                .into()
            }
            PersonCommand::ChangeDetails { details } => {
                self.registered()?;
                PersonDetailsChanged { details }.into()
            }
            PersonCommand::Erase { on } => {
                if self.id.is_none() {
                    return Err(PersonError::NotFound);
                }
                if self.erased {
                    // Erasing twice changes nothing.
                    return Ok(());
                }
                PersonErased { erased_on: on }.into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            PersonEvent::PersonRegistered(e) => self.id = Some(e.person_id),
            PersonEvent::PersonDetailsChanged(_) => {}
            PersonEvent::PersonErased(_) => self.erased = true,
        }
    }
}

impl Person {
    fn registered(&self) -> Result<(), PersonError> {
        match (self.id, self.erased) {
            (None, _) => Err(PersonError::NotFound),
            (Some(_), true) => Err(PersonError::Erased),
            (Some(_), false) => Ok(()),
        }
    }
}
