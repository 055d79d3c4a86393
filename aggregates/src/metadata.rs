//! The typed envelope every event carries (who, acting as what, for whom, why, when it took
//! effect), converted to and from cqrs-es's untyped metadata map in exactly one place.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::OrganizationId;
use crate::values::wire_enum;

wire_enum!(
    /// The role an actor acted in.
    Role {
        PlatformAdministrator,
        Coordinator,
        Referent,
        Auditor,
        /// The system itself: processes that follow the log.
        System,
        Anonymous,
    }
);

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdministrator => "PLATFORM_ADMINISTRATOR",
            Role::Coordinator => "COORDINATOR",
            Role::Referent => "REFERENT",
            Role::Auditor => "AUDITOR",
            Role::System => "SYSTEM",
            Role::Anonymous => "ANONYMOUS",
        }
    }
}

/// Who caused an event, in which role, acting for which organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The authenticated principal (a token subject or an API-token id); never personal data.
    pub id: String,
    pub role: Role,
    pub organization: Option<OrganizationId>,
}

impl Actor {
    /// A loader `id` that writes as the coordinator of the organization `by`, or as a
    /// platform administrator when no organization acts.
    pub fn loader(id: &str, by: Option<OrganizationId>) -> Self {
        Self {
            id: id.to_owned(),
            role: if by.is_some() {
                Role::Coordinator
            } else {
                Role::PlatformAdministrator
            },
            organization: by,
        }
    }

    /// The processes that follow the log.
    pub fn system() -> Self {
        Self {
            id: "system".to_owned(),
            role: Role::System,
            organization: None,
        }
    }
}

/// The metadata of every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    pub actor: Actor,
    /// Shared by every event a user request caused, across aggregates and processes.
    pub correlation_id: Uuid,
    /// The command (or, for processes, the event's command id) that directly caused this one.
    pub causation_id: Option<Uuid>,
    /// A client-chosen key: the same key and command from the same actor executes once.
    pub idempotency_key: Option<String>,
    /// The business date the change took effect on, where one applies.
    pub business_date: Option<NaiveDate>,
}

/// Why a stored metadata map could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event metadata is missing or has an invalid {0}")]
pub struct MetadataError(pub &'static str);

pub mod keys {
    pub const ACTOR_ID: &str = "actor_id";
    pub const ACTOR_ROLE: &str = "actor_role";
    pub const ACTOR_ORGANIZATION: &str = "actor_organization";
    pub const CORRELATION_ID: &str = "correlation_id";
    pub const CAUSATION_ID: &str = "causation_id";
    pub const IDEMPOTENCY_KEY: &str = "idempotency_key";
    pub const BUSINESS_DATE: &str = "business_date";
    /// Set by the command service: a fingerprint of the command, for idempotency checks.
    pub const COMMAND_HASH: &str = "command_hash";
    /// Set by the command service: the sequence of the command's first event.
    pub const FIRST_SEQUENCE: &str = "first_sequence";
    /// Set by the store as it appends: the event's authentication code (an HMAC under a key
    /// derived from the deployment secret, which never enters the database), so that a row
    /// put in the log by anyone but this deployment's server is never sealed or signed.
    pub const EVENT_MAC: &str = "event_mac";
}

impl EventMetadata {
    pub fn new(actor: Actor) -> Self {
        Self {
            actor,
            correlation_id: Uuid::nil(),
            causation_id: None,
            idempotency_key: None,
            business_date: None,
        }
    }

    pub fn with_correlation(mut self, correlation_id: Uuid) -> Self {
        self.correlation_id = correlation_id;
        self
    }

    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn with_business_date(mut self, date: NaiveDate) -> Self {
        self.business_date = Some(date);
        self
    }

    pub fn with_causation(mut self, causation_id: Uuid) -> Self {
        self.causation_id = Some(causation_id);
        self
    }

    /// The cqrs-es metadata map.
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::new();
        map.insert(keys::ACTOR_ID.to_owned(), self.actor.id.clone());
        map.insert(
            keys::ACTOR_ROLE.to_owned(),
            self.actor.role.as_str().to_owned(),
        );
        if let Some(org) = self.actor.organization {
            map.insert(keys::ACTOR_ORGANIZATION.to_owned(), org.to_string());
        }
        map.insert(
            keys::CORRELATION_ID.to_owned(),
            self.correlation_id.to_string(),
        );
        if let Some(id) = self.causation_id {
            map.insert(keys::CAUSATION_ID.to_owned(), id.to_string());
        }
        if let Some(key) = &self.idempotency_key {
            map.insert(keys::IDEMPOTENCY_KEY.to_owned(), key.clone());
        }
        if let Some(date) = self.business_date {
            map.insert(keys::BUSINESS_DATE.to_owned(), date.to_string());
        }
        map
    }

    /// Reads the cqrs-es metadata map back; keys it does not know are ignored.
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, MetadataError> {
        Self::from_lookup(|key| map.get(key).map(String::as_str))
    }

    /// [`EventMetadata::from_map`] from any map of strings, through its lookup by key.
    pub fn from_lookup<'a>(
        get: impl Fn(&'static str) -> Option<&'a str>,
    ) -> Result<Self, MetadataError> {
        let actor = Actor {
            id: get(keys::ACTOR_ID)
                .ok_or(MetadataError(keys::ACTOR_ID))?
                .to_owned(),
            role: get(keys::ACTOR_ROLE)
                .and_then(|r| Role::parse(r).ok())
                .ok_or(MetadataError(keys::ACTOR_ROLE))?,
            organization: get(keys::ACTOR_ORGANIZATION)
                .map(|o| {
                    o.parse()
                        .map_err(|_| MetadataError(keys::ACTOR_ORGANIZATION))
                })
                .transpose()?,
        };
        Ok(Self {
            actor,
            correlation_id: get(keys::CORRELATION_ID)
                .and_then(|c| c.parse().ok())
                .ok_or(MetadataError(keys::CORRELATION_ID))?,
            causation_id: get(keys::CAUSATION_ID)
                .map(|c| c.parse().map_err(|_| MetadataError(keys::CAUSATION_ID)))
                .transpose()?,
            idempotency_key: get(keys::IDEMPOTENCY_KEY).map(str::to_owned),
            business_date: get(keys::BUSINESS_DATE)
                .map(|d| d.parse().map_err(|_| MetadataError(keys::BUSINESS_DATE)))
                .transpose()?,
        })
    }
}
