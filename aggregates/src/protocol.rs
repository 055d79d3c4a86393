//! Protocol of understanding (protocollo d'intesa): drafted, published by version (the
//! document's SHA-256 freezes the text), signed by its parties, in force, revised, renewed,
//! expired or superseded. A signature binds to one version's hash.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, Services};
use crate::events::domain_events;
use crate::ids::{NetworkId, OrganizationId, ProtocolId};
use crate::values::{wire_enum, DateRange, DocumentHash, FreeText, Name};

wire_enum!(
    /// Quadro, operativo, addendum, or a bilateral protocol with one party.
    ProtocolKind {
        Framework,
        Operational,
        Addendum,
        Bilateral,
    }
);

wire_enum!(
    /// How a signature was given.
    SignatureMethod {
        Handwritten,
        QualifiedElectronic,
        AdvancedElectronic,
        DigitalPlatform,
    }
);

/// How the protocol is renewed when its validity ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RenewalRule {
    /// It ends with its validity.
    NoRenewal,
    /// Only an explicit act renews it.
    Explicit,
    /// Renewed for `months` unless a party objects (tacito rinnovo); still recorded explicitly.
    Tacit { months: u16 },
}

/// What a clause obliges each signatory to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentTerms {
    pub title: Name,
    /// Due this many days after the party signs; no due date when absent.
    pub due_within_days: Option<u32>,
}

/// One numbered clause of a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Clause {
    pub number: u16,
    pub text: FreeText,
    /// When present, every signatory takes on this commitment by signing.
    pub commitment: Option<CommitmentTerms>,
}

/// The text of one version of a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolContent {
    pub title: Name,
    pub purpose: FreeText,
    pub clauses: Vec<Clause>,
    pub validity: DateRange,
    pub renewal: RenewalRule,
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum ProtocolCommand {
    Draft {
        id: ProtocolId,
        network: NetworkId,
        kind: ProtocolKind,
        content: ProtocolContent,
        /// The organizations whose signatures are required for entry into force.
        parties: Vec<OrganizationId>,
    },
    /// Replace the text of the version being drafted.
    Amend {
        content: ProtocolContent,
    },
    PublishVersion {
        document_hash: DocumentHash,
        published_on: NaiveDate,
    },
    OpenForSignature {
        opened_on: NaiveDate,
    },
    RecordSignature {
        organization: OrganizationId,
        signing_office: Name,
        method: SignatureMethod,
        document_hash: DocumentHash,
        signed_on: NaiveDate,
    },
    Decline {
        organization: OrganizationId,
        reason: Option<FreeText>,
        declined_on: NaiveDate,
    },
    /// Without `explicit_act`, every required party must have signed the current version.
    EnterIntoForce {
        effective_on: NaiveDate,
        explicit_act: Option<FreeText>,
    },
    /// A party joins later ("in itinere").
    AddParty {
        organization: OrganizationId,
        added_on: NaiveDate,
    },
    RecordWithdrawal {
        organization: OrganizationId,
        reason: Option<FreeText>,
        effective_on: NaiveDate,
    },
    /// Start a new version, which needs new signatures; old signatures stay in history.
    Revise {
        content: ProtocolContent,
    },
    Renew {
        valid_until: NaiveDate,
        decided_on: NaiveDate,
    },
    Expire {
        on: NaiveDate,
    },
    Supersede {
        by_protocol: ProtocolId,
        on: NaiveDate,
    },
}

impl crate::DomainCommand for ProtocolCommand {
    fn business_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Self::PublishVersion {
                published_on: on, ..
            }
            | Self::OpenForSignature { opened_on: on, .. }
            | Self::RecordSignature { signed_on: on, .. }
            | Self::Decline {
                declined_on: on, ..
            }
            | Self::EnterIntoForce {
                effective_on: on, ..
            }
            | Self::AddParty { added_on: on, .. }
            | Self::RecordWithdrawal {
                effective_on: on, ..
            }
            | Self::Renew { decided_on: on, .. }
            | Self::Expire { on, .. }
            | Self::Supersede { on, .. } => Some(*on),
            Self::Draft { .. } | Self::Amend { .. } | Self::Revise { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("this protocol is already drafted")]
    AlreadyDrafted,
    #[error("no such protocol")]
    NotFound,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("a protocol needs at least one clause")]
    NoClauses,
    #[error("clause number {0} appears twice (numbers start at 1 and are unique)")]
    InvalidClauseNumber(u16),
    #[error("an organization appears twice among the parties")]
    DuplicateParty,
    #[error("the text is frozen: only a version being drafted can be changed")]
    NotDraft,
    #[error("the current version is not published")]
    NotPublished,
    #[error("the protocol is not open for signature")]
    NotOpenForSignature,
    #[error("the protocol is already in force")]
    AlreadyInForce,
    #[error("the protocol is not in force")]
    NotInForce,
    #[error("the protocol has expired")]
    Expired,
    #[error("the protocol has been superseded")]
    Superseded,
    #[error("the organization is not a party to this protocol")]
    NotAParty,
    #[error("the organization is already a party to this protocol")]
    AlreadyParty,
    #[error("the organization declined to sign this version")]
    PartyDeclined,
    #[error("the organization has withdrawn from this protocol")]
    PartyWithdrawn,
    #[error("the organization is not registered")]
    OrganizationNotFound,
    #[error("the organization is no longer active")]
    OrganizationInactive,
    #[error("the signed document's hash does not match version {version} (expected {expected})")]
    HashMismatch {
        version: u32,
        expected: DocumentHash,
    },
    #[error("the organization has already signed version {0}")]
    AlreadySigned(u32),
    #[error("the date is after the end of the protocol's validity ({0})")]
    AfterValidity(NaiveDate),
    #[error("{0} required signatures are still missing")]
    MissingSignatures(usize),
    #[error("the new end of validity must be after the current one")]
    RenewalNotLater,
    #[error("the protocol has no end of validity, so it cannot expire")]
    OpenEnded,
    #[error("the protocol is valid until {0}: it cannot expire before")]
    NotYetExpired(NaiveDate),
    #[error("a protocol cannot supersede itself")]
    CannotSupersedeItself,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(ProtocolError {
    AlreadyDrafted => "ALREADY_DRAFTED",
    NotFound => "NOT_FOUND",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    NoClauses => "NO_CLAUSES",
    InvalidClauseNumber => "INVALID_CLAUSE_NUMBER",
    DuplicateParty => "DUPLICATE_PARTY",
    NotDraft => "NOT_DRAFT",
    NotPublished => "NOT_PUBLISHED",
    NotOpenForSignature => "NOT_OPEN_FOR_SIGNATURE",
    AlreadyInForce => "ALREADY_IN_FORCE",
    NotInForce => "NOT_IN_FORCE",
    Expired => "EXPIRED",
    Superseded => "SUPERSEDED",
    NotAParty => "NOT_A_PARTY",
    AlreadyParty => "ALREADY_PARTY",
    PartyDeclined => "PARTY_DECLINED",
    PartyWithdrawn => "PARTY_WITHDRAWN",
    OrganizationNotFound => "ORGANIZATION_NOT_FOUND",
    OrganizationInactive => "ORGANIZATION_INACTIVE",
    HashMismatch => "HASH_MISMATCH",
    AlreadySigned => "ALREADY_SIGNED",
    AfterValidity => "AFTER_VALIDITY",
    MissingSignatures => "MISSING_SIGNATURES",
    RenewalNotLater => "RENEWAL_NOT_LATER",
    OpenEnded => "OPEN_ENDED",
    NotYetExpired => "NOT_YET_EXPIRED",
    CannotSupersedeItself => "CANNOT_SUPERSEDE_ITSELF",
    Directory => "DIRECTORY",
});

domain_events!(
    /// Everything that can happen to a protocol.
    ProtocolEvent {
        ProtocolDrafted = "1",
        ProtocolAmended = "1",
        ProtocolVersionPublished = "1",
        ProtocolOpenedForSignature = "1",
        ProtocolSigned = "1",
        ProtocolDeclined = "1",
        ProtocolEnteredIntoForce = "1",
        ProtocolPartyAdded = "1",
        ProtocolPartyWithdrawn = "1",
        ProtocolRevised = "1",
        ProtocolRenewed = "1",
        ProtocolExpired = "1",
        ProtocolSuperseded = "1",
    }
);

/// A protocol was drafted (version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolDrafted {
    pub protocol_id: ProtocolId,
    pub network: NetworkId,
    pub kind: ProtocolKind,
    pub version: u32,
    pub content: ProtocolContent,
    pub parties: Vec<OrganizationId>,
}

/// The draft's text was replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolAmended {
    pub version: u32,
    pub content: ProtocolContent,
}

/// A version was published: its text is frozen under this hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolVersionPublished {
    pub version: u32,
    pub document_hash: DocumentHash,
    pub published_on: NaiveDate,
}

/// Signatures are now collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolOpenedForSignature {
    pub version: u32,
    pub opened_on: NaiveDate,
}

/// An organization signed one exact version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolSigned {
    pub version: u32,
    pub organization: OrganizationId,
    /// The office that signed (e.g. "Prefetto", "Sindaco"): an office, never a person's name.
    pub signing_office: Name,
    pub method: SignatureMethod,
    pub document_hash: DocumentHash,
    /// The business date of the signature (the recording time comes from the store).
    pub signed_on: NaiveDate,
}

/// A party declined to sign a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolDeclined {
    pub version: u32,
    pub organization: OrganizationId,
    pub reason: Option<FreeText>,
    pub declined_on: NaiveDate,
}

/// A version entered into force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolEnteredIntoForce {
    pub version: u32,
    pub effective_on: NaiveDate,
    /// The act that put it into force when not every required party had signed.
    pub explicit_act: Option<FreeText>,
}

/// A party was added later ("in itinere").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolPartyAdded {
    pub organization: OrganizationId,
    pub added_on: NaiveDate,
}

/// A party withdrew (recesso).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolPartyWithdrawn {
    pub organization: OrganizationId,
    pub reason: Option<FreeText>,
    pub effective_on: NaiveDate,
}

/// A new version is being drafted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolRevised {
    pub version: u32,
    pub content: ProtocolContent,
}

/// The validity was extended by an explicit act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolRenewed {
    pub previous_valid_until: Option<NaiveDate>,
    pub valid_until: NaiveDate,
    pub decided_on: NaiveDate,
}

/// The protocol's validity ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolExpired {
    pub on: NaiveDate,
}

/// Another protocol replaced this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolSuperseded {
    pub by_protocol: ProtocolId,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
/// Serialised in SCREAMING_SNAKE_CASE: the form the read models store and the API shows.
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProtocolStatus {
    #[default]
    None,
    Draft,
    Published,
    OpenForSignature,
    InForce,
    Expired,
    Superseded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
/// Serialised in SCREAMING_SNAKE_CASE: the form the read models store and the API shows.
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartyStatus {
    Invited,
    Declined,
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolVersion {
    pub number: u32,
    pub content: ProtocolContent,
    pub document_hash: Option<DocumentHash>,
    pub signed_by: BTreeMap<OrganizationId, NaiveDate>,
    pub declined_by: BTreeSet<OrganizationId>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Protocol {
    pub id: Option<ProtocolId>,
    pub network: Option<NetworkId>,
    pub status: ProtocolStatus,
    pub versions: Vec<ProtocolVersion>,
    pub in_force_version: Option<u32>,
    /// Parties required at drafting; signatures from them are needed for entry into force.
    pub required_parties: BTreeSet<OrganizationId>,
    pub parties: BTreeMap<OrganizationId, PartyStatus>,
    /// Whether the in-force version's open state lets parties added later sign it.
    pub in_force_since: Option<NaiveDate>,
}

impl Protocol {
    /// The latest version (the one being drafted, published, signed or in force).
    pub fn current(&self) -> Option<&ProtocolVersion> {
        self.versions.last()
    }

    pub fn version(&self, number: u32) -> Option<&ProtocolVersion> {
        self.versions.iter().find(|v| v.number == number)
    }

    fn validity(&self) -> Option<DateRange> {
        self.current().map(|v| v.content.validity)
    }

    fn require_exists(&self) -> Result<(), ProtocolError> {
        match self.status {
            ProtocolStatus::None => Err(ProtocolError::NotFound),
            ProtocolStatus::Expired => Err(ProtocolError::Expired),
            ProtocolStatus::Superseded => Err(ProtocolError::Superseded),
            _ => Ok(()),
        }
    }

    fn check_content(content: &ProtocolContent) -> Result<(), ProtocolError> {
        if content.clauses.is_empty() {
            return Err(ProtocolError::NoClauses);
        }
        let mut seen = BTreeSet::new();
        for clause in &content.clauses {
            if clause.number == 0 || !seen.insert(clause.number) {
                return Err(ProtocolError::InvalidClauseNumber(clause.number));
            }
        }
        Ok(())
    }

    async fn require_active_organization(
        organization: OrganizationId,
        services: &Services,
    ) -> Result<(), ProtocolError> {
        match services.directory.organization(organization).await? {
            None => Err(ProtocolError::OrganizationNotFound),
            Some(facts) if !facts.active => Err(ProtocolError::OrganizationInactive),
            Some(_) => Ok(()),
        }
    }

    fn require_active_party(&self, organization: OrganizationId) -> Result<(), ProtocolError> {
        match self.parties.get(&organization) {
            None => Err(ProtocolError::NotAParty),
            Some(PartyStatus::Withdrawn) => Err(ProtocolError::PartyWithdrawn),
            Some(PartyStatus::Declined) => Err(ProtocolError::PartyDeclined),
            Some(PartyStatus::Invited) => Ok(()),
        }
    }

    fn missing_signatures(&self) -> usize {
        let Some(current) = self.current() else {
            return 0;
        };
        self.required_parties
            .iter()
            .filter(|p| self.parties.get(p) == Some(&PartyStatus::Invited))
            .filter(|p| !current.signed_by.contains_key(p))
            .count()
    }

    async fn decide(
        &self,
        command: ProtocolCommand,
        services: &Services,
    ) -> Result<ProtocolEvent, ProtocolError> {
        use ProtocolCommand as C;
        use ProtocolStatus as S;
        Ok(match command {
            C::Draft {
                id,
                network,
                kind,
                content,
                parties,
            } => {
                if self.status != S::None {
                    return Err(ProtocolError::AlreadyDrafted);
                }
                Self::check_content(&content)?;
                let unique: BTreeSet<_> = parties.iter().collect();
                if unique.len() != parties.len() {
                    return Err(ProtocolError::DuplicateParty);
                }
                match services.directory.network(network).await? {
                    None => return Err(ProtocolError::NetworkNotFound),
                    Some(facts) if !facts.open => return Err(ProtocolError::NetworkClosed),
                    Some(_) => {}
                }
                for party in &parties {
                    Self::require_active_organization(*party, services).await?;
                }
                ProtocolDrafted {
                    protocol_id: id,
                    network,
                    kind,
                    version: 1,
                    content,
                    parties,
                }
                .into()
            }
            C::Amend { content } => {
                self.require_exists()?;
                if self.status != S::Draft {
                    return Err(ProtocolError::NotDraft);
                }
                Self::check_content(&content)?;
                ProtocolAmended {
                    version: self.current().map_or(1, |v| v.number),
                    content,
                }
                .into()
            }
            C::PublishVersion {
                document_hash,
                published_on,
            } => {
                self.require_exists()?;
                if self.status != S::Draft {
                    return Err(ProtocolError::NotDraft);
                }
                ProtocolVersionPublished {
                    version: self.current().map_or(1, |v| v.number),
                    document_hash,
                    published_on,
                }
                .into()
            }
            C::OpenForSignature { opened_on } => {
                self.require_exists()?;
                match self.status {
                    S::Published => {}
                    S::Draft => return Err(ProtocolError::NotPublished),
                    _ => return Err(ProtocolError::AlreadyInForce),
                }
                ProtocolOpenedForSignature {
                    version: self.current().map_or(1, |v| v.number),
                    opened_on,
                }
                .into()
            }
            C::RecordSignature {
                organization,
                signing_office,
                method,
                document_hash,
                signed_on,
            } => {
                self.require_exists()?;
                if !matches!(self.status, S::OpenForSignature | S::InForce) {
                    return Err(ProtocolError::NotOpenForSignature);
                }
                let current = self.current().ok_or(ProtocolError::NotFound)?;
                if self.status == S::InForce && self.in_force_version != Some(current.number) {
                    return Err(ProtocolError::NotOpenForSignature);
                }
                self.require_active_party(organization)?;
                if current.signed_by.contains_key(&organization) {
                    return Err(ProtocolError::AlreadySigned(current.number));
                }
                let expected = current
                    .document_hash
                    .clone()
                    .ok_or(ProtocolError::NotPublished)?;
                if expected != document_hash {
                    return Err(ProtocolError::HashMismatch {
                        version: current.number,
                        expected,
                    });
                }
                if let Some(end) = current.content.validity.to() {
                    if signed_on > end {
                        return Err(ProtocolError::AfterValidity(end));
                    }
                }
                Self::require_active_organization(organization, services).await?;
                ProtocolSigned {
                    version: current.number,
                    organization,
                    signing_office,
                    method,
                    document_hash,
                    signed_on,
                }
                .into()
            }
            C::Decline {
                organization,
                reason,
                declined_on,
            } => {
                self.require_exists()?;
                if !matches!(self.status, S::OpenForSignature | S::InForce) {
                    return Err(ProtocolError::NotOpenForSignature);
                }
                self.require_active_party(organization)?;
                let current = self.current().ok_or(ProtocolError::NotFound)?;
                if current.signed_by.contains_key(&organization) {
                    return Err(ProtocolError::AlreadySigned(current.number));
                }
                ProtocolDeclined {
                    version: current.number,
                    organization,
                    reason,
                    declined_on,
                }
                .into()
            }
            C::EnterIntoForce {
                effective_on,
                explicit_act,
            } => {
                self.require_exists()?;
                match self.status {
                    S::OpenForSignature => {}
                    S::InForce => return Err(ProtocolError::AlreadyInForce),
                    _ => return Err(ProtocolError::NotOpenForSignature),
                }
                if let Some(end) = self.validity().and_then(|v| v.to()) {
                    if effective_on > end {
                        return Err(ProtocolError::AfterValidity(end));
                    }
                }
                let missing = self.missing_signatures();
                if explicit_act.is_none() && missing > 0 {
                    return Err(ProtocolError::MissingSignatures(missing));
                }
                ProtocolEnteredIntoForce {
                    version: self.current().map_or(1, |v| v.number),
                    effective_on,
                    explicit_act,
                }
                .into()
            }
            C::AddParty {
                organization,
                added_on,
            } => {
                self.require_exists()?;
                if self.parties.get(&organization) == Some(&PartyStatus::Invited) {
                    return Err(ProtocolError::AlreadyParty);
                }
                Self::require_active_organization(organization, services).await?;
                ProtocolPartyAdded {
                    organization,
                    added_on,
                }
                .into()
            }
            C::RecordWithdrawal {
                organization,
                reason,
                effective_on,
            } => {
                self.require_exists()?;
                match self.parties.get(&organization) {
                    None => return Err(ProtocolError::NotAParty),
                    Some(PartyStatus::Withdrawn) => return Err(ProtocolError::PartyWithdrawn),
                    Some(_) => {}
                }
                ProtocolPartyWithdrawn {
                    organization,
                    reason,
                    effective_on,
                }
                .into()
            }
            C::Revise { content } => {
                self.require_exists()?;
                if self.status == S::Draft {
                    return Err(ProtocolError::NotPublished);
                }
                Self::check_content(&content)?;
                ProtocolRevised {
                    version: self.current().map_or(1, |v| v.number) + 1,
                    content,
                }
                .into()
            }
            C::Renew {
                valid_until,
                decided_on,
            } => {
                self.require_exists()?;
                if self.in_force_version.is_none() {
                    return Err(ProtocolError::NotInForce);
                }
                let validity = self
                    .in_force_version
                    .and_then(|n| self.version(n))
                    .map(|v| v.content.validity)
                    .ok_or(ProtocolError::NotInForce)?;
                let later = match validity.to() {
                    Some(end) => valid_until > end,
                    None => false,
                };
                if !later || validity.with_end(valid_until).is_err() {
                    return Err(ProtocolError::RenewalNotLater);
                }
                ProtocolRenewed {
                    previous_valid_until: validity.to(),
                    valid_until,
                    decided_on,
                }
                .into()
            }
            C::Expire { on } => {
                self.require_exists()?;
                if self.status == S::Draft && self.in_force_version.is_none() {
                    return Err(ProtocolError::NotPublished);
                }
                let end = self
                    .validity()
                    .and_then(|v| v.to())
                    .ok_or(ProtocolError::OpenEnded)?;
                if on < end {
                    return Err(ProtocolError::NotYetExpired(end));
                }
                ProtocolExpired { on }.into()
            }
            C::Supersede { by_protocol, on } => {
                self.require_exists()?;
                if Some(by_protocol) == self.id {
                    return Err(ProtocolError::CannotSupersedeItself);
                }
                ProtocolSuperseded { by_protocol, on }.into()
            }
        })
    }
}

impl Aggregate for Protocol {
    const TYPE: &'static str = "Protocol";
    type Command = ProtocolCommand;
    type Event = ProtocolEvent;
    type Error = ProtocolError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = self.decide(command, services).await?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        use ProtocolStatus as S;
        match event {
            ProtocolEvent::ProtocolDrafted(e) => {
                self.id = Some(e.protocol_id);
                self.network = Some(e.network);
                self.status = S::Draft;
                self.versions.push(ProtocolVersion {
                    number: e.version,
                    content: e.content,
                    document_hash: None,
                    signed_by: BTreeMap::new(),
                    declined_by: BTreeSet::new(),
                });
                for party in e.parties {
                    self.required_parties.insert(party);
                    self.parties.insert(party, PartyStatus::Invited);
                }
            }
            ProtocolEvent::ProtocolAmended(e) => {
                if let Some(current) = self.versions.last_mut() {
                    current.content = e.content;
                }
            }
            ProtocolEvent::ProtocolVersionPublished(e) => {
                if let Some(current) = self.versions.last_mut() {
                    current.document_hash = Some(e.document_hash);
                }
                self.status = S::Published;
            }
            ProtocolEvent::ProtocolOpenedForSignature(_) => self.status = S::OpenForSignature,
            ProtocolEvent::ProtocolSigned(e) => {
                if let Some(version) = self.versions.iter_mut().find(|v| v.number == e.version) {
                    version.signed_by.insert(e.organization, e.signed_on);
                }
            }
            ProtocolEvent::ProtocolDeclined(e) => {
                if let Some(version) = self.versions.iter_mut().find(|v| v.number == e.version) {
                    version.declined_by.insert(e.organization);
                }
                self.parties.insert(e.organization, PartyStatus::Declined);
            }
            ProtocolEvent::ProtocolEnteredIntoForce(e) => {
                self.status = S::InForce;
                self.in_force_version = Some(e.version);
                self.in_force_since = Some(e.effective_on);
            }
            ProtocolEvent::ProtocolPartyAdded(e) => {
                self.parties.insert(e.organization, PartyStatus::Invited);
            }
            ProtocolEvent::ProtocolPartyWithdrawn(e) => {
                self.parties.insert(e.organization, PartyStatus::Withdrawn);
            }
            ProtocolEvent::ProtocolRevised(e) => {
                self.status = S::Draft;
                self.versions.push(ProtocolVersion {
                    number: e.version,
                    content: e.content,
                    document_hash: None,
                    signed_by: BTreeMap::new(),
                    declined_by: BTreeSet::new(),
                });
                // A declined party is invited again to sign the new version.
                for status in self.parties.values_mut() {
                    if *status == PartyStatus::Declined {
                        *status = PartyStatus::Invited;
                    }
                }
            }
            ProtocolEvent::ProtocolRenewed(e) => {
                let in_force = self.in_force_version;
                if let Some(current) = self
                    .versions
                    .iter_mut()
                    .find(|v| Some(v.number) == in_force)
                {
                    if let Ok(validity) = current.content.validity.with_end(e.valid_until) {
                        current.content.validity = validity;
                    }
                }
            }
            ProtocolEvent::ProtocolExpired(_) => self.status = S::Expired,
            ProtocolEvent::ProtocolSuperseded(_) => self.status = S::Superseded,
        }
    }
}
