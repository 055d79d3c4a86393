//! The read-model documents, one type per kind (stored as JSON: their serde form is the
//! stored form).

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: OrganizationId,
    pub name: Name,
    pub former_names: Vec<Name>,
    pub category: OrganizationCategory,
    pub tax_code: Option<TaxCode>,
    pub territory: Name,
    pub status: String,
    pub predecessors: Vec<OrganizationId>,
    pub successor: Option<OrganizationId>,
    pub registered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub id: NetworkId,
    pub name: Name,
    pub kind: NetworkKind,
    pub territory: Name,
    pub coordinator: OrganizationId,
    pub public: bool,
    pub established_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// How an organization joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JoinedVia {
    Founding,
    Application,
    Signature,
}

/// A stretch of business dates during which the organization was an active member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    /// The first day it was no longer an active member.
    pub until: Option<NaiveDate>,
    pub via: JoinedVia,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferentView {
    pub referent: String,
    pub person: String,
    pub role: ReferentRole,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    pub network: NetworkId,
    pub organization: OrganizationId,
    /// PENDING, ACTIVE, SUSPENDED, REJECTED, WITHDRAWN, EXPELLED.
    pub status: String,
    pub applied_on: Option<NaiveDate>,
    /// Start of the current active period.
    pub since: Option<NaiveDate>,
    pub via: Option<JoinedVia>,
    pub periods: Vec<Period>,
    pub referents: Vec<ReferentView>,
}

impl MembershipView {
    /// Whether the organization was an active member on a business date.
    pub fn member_on(&self, day: NaiveDate) -> bool {
        self.periods
            .iter()
            .any(|p| p.from <= day && p.until.is_none_or(|until| day < until))
    }

    pub(super) fn open_period(&mut self, from: NaiveDate, via: JoinedVia) {
        self.since = Some(from);
        self.via = Some(via);
        self.periods.push(Period {
            from,
            until: None,
            via,
        });
    }

    pub(super) fn close_period(&mut self, on: NaiveDate) {
        if let Some(period) = self.periods.last_mut().filter(|p| p.until.is_none()) {
            period.until = Some(on);
        }
        self.since = None;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolVersionView {
    pub number: u32,
    pub title: Name,
    pub purpose: FreeText,
    pub clauses: Vec<Clause>,
    pub validity: DateRange,
    pub renewal: RenewalRule,
    pub document_hash: Option<DocumentHash>,
    pub published_on: Option<NaiveDate>,
    pub opened_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub signatories: Vec<OrganizationId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyView {
    pub organization: OrganizationId,
    /// INVITED, DECLINED, WITHDRAWN.
    pub status: String,
    pub required: bool,
    pub added_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolView {
    pub id: String,
    pub network: NetworkId,
    pub kind: ProtocolKind,
    /// The protocol's standing: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE (a version is in
    /// force, even while a revision is being signed), EXPIRED, SUPERSEDED.
    pub status: String,
    /// Where the latest version is: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE.
    pub current_version_status: String,
    pub current_version: u32,
    pub in_force_version: Option<u32>,
    pub versions: Vec<ProtocolVersionView>,
    pub parties: Vec<PartyView>,
    pub superseded_by: Option<String>,
    pub ended_on: Option<NaiveDate>,
}

impl ProtocolView {
    /// The latest version moved on; the protocol's standing follows it until a version is in
    /// force.
    pub(super) fn set_version_status(&mut self, status: &str) {
        self.current_version_status = status.to_owned();
        self.status = match self.in_force_version {
            Some(_) => "IN_FORCE".to_owned(),
            None => status.to_owned(),
        };
    }

    pub fn current(&self) -> Option<&ProtocolVersionView> {
        self.versions.last()
    }
    pub(super) fn version_mut(&mut self, number: u32) -> Option<&mut ProtocolVersionView> {
        self.versions.iter_mut().find(|v| v.number == number)
    }
    pub(super) fn party_mut(&mut self, organization: OrganizationId) -> &mut PartyView {
        if let Some(i) = self
            .parties
            .iter()
            .position(|p| p.organization == organization)
        {
            return &mut self.parties[i];
        }
        self.parties.push(PartyView {
            organization,
            status: "INVITED".to_owned(),
            required: false,
            added_on: None,
        });
        self.parties.last_mut().expect("just pushed")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureView {
    pub protocol: String,
    pub network: NetworkId,
    pub version: u32,
    pub organization: OrganizationId,
    pub signing_office: Name,
    pub method: SignatureMethod,
    pub document_hash: DocumentHash,
    /// The business date of the signature.
    pub signed_on: NaiveDate,
    /// When it was recorded, and at which position of the log.
    pub recorded_at: DateTime<Utc>,
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub by: OrganizationId,
    pub note: FreeText,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub note: FreeText,
    pub document_hash: Option<DocumentHash>,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentView {
    pub id: String,
    pub network: NetworkId,
    pub source: CommitmentSource,
    pub obligor: OrganizationId,
    pub title: Name,
    pub description: Option<FreeText>,
    pub due_on: Option<NaiveDate>,
    pub created_on: NaiveDate,
    /// OPEN, IN_PROGRESS, FULFILLED, WAIVED, CANCELLED.
    pub status: String,
    pub progress: Vec<ProgressView>,
    pub evidence: Option<EvidenceView>,
    pub closed_on: Option<NaiveDate>,
    pub reason: Option<FreeText>,
}

impl CommitmentView {
    pub fn is_pending(&self) -> bool {
        self.status == "OPEN" || self.status == "IN_PROGRESS"
    }
    /// Overdue is derived at the moment of the question, never stored.
    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        self.is_pending() && self.due_on.is_some_and(|due| on > due)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkingGroupView {
    pub id: String,
    pub network: NetworkId,
    pub name: Name,
    pub mandate: FreeText,
    pub lead: OrganizationId,
    pub members: Vec<OrganizationId>,
    pub formed_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
    pub number: u32,
    pub text: FreeText,
    pub action_items: Vec<ActionItem>,
    pub decided_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingView {
    pub id: String,
    pub network: NetworkId,
    pub working_group: Option<String>,
    pub kind: MeetingKind,
    pub title: Name,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub venue: Venue,
    pub agenda: Vec<FreeText>,
    pub public: bool,
    /// SCHEDULED, OPEN, CLOSED, CANCELLED.
    pub status: String,
    pub cancel_reason: Option<FreeText>,
    pub decisions: Vec<DecisionView>,
    pub minutes_versions: Vec<DocumentHash>,
    pub minutes_approved_version: Option<u32>,
    pub minutes_approved_on: Option<NaiveDate>,
}

impl MeetingView {
    /// NONE, DRAFTED or APPROVED.
    pub fn minutes_status(&self) -> &'static str {
        match (
            self.minutes_approved_version,
            self.minutes_versions.is_empty(),
        ) {
            (Some(_), _) => "APPROVED",
            (None, false) => "DRAFTED",
            (None, true) => "NONE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceView {
    pub meeting: String,
    pub network: NetworkId,
    pub organization: OrganizationId,
    pub attendance: Attendance,
    pub represented_by: Option<String>,
}

/// A person as the read side keeps them: their details only sealed (opened by the API with
/// the person's key, which erasure destroys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: String,
    pub details: Sealed,
    pub erased_on: Option<NaiveDate>,
}
