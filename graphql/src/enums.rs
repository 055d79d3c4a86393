//! GraphQL mirrors of the domain's enums (SCREAMING_CASE on the wire), with conversions both
//! ways: the domain types derive no GraphQL traits.

use async_graphql::Enum;

/// Mirrors a domain enum as a GraphQL enum (SCREAMING_CASE on the wire) with conversions.
macro_rules! mirror_enum {
    ($(#[$m:meta])* $name:ident => $domain:path { $($variant:ident = $desc:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $(#[doc = $desc] $variant),+ }
        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => <$domain>::$variant),+ }
            }
        }
        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value { $(<$domain>::$variant => $name::$variant),+ }
            }
        }
    };
}

mirror_enum!(
    /// The kind of organization.
    OrganizationCategory => aggregates::values::OrganizationCategory {
        Comune = "Comune (municipality)",
        CittaMetropolitana = "Città Metropolitana",
        Provincia = "Provincia",
        Regione = "Regione",
        Prefettura = "Prefettura (the State's territorial office)",
        Questura = "Questura (State police)",
        Carabinieri = "Carabinieri",
        PoliziaLocale = "Polizia Locale",
        Procura = "Procura della Repubblica",
        Tribunale = "Tribunale",
        AziendaSanitaria = "ASL / ATS / ASST / Azienda Ospedaliera",
        EnteGestoreServiziSociali = "Ente gestore dei servizi socio-assistenziali (consorzio, ambito, piano di zona)",
        CentroAntiviolenza = "Centro antiviolenza (CAV)",
        CasaRifugio = "Casa rifugio",
        CentroUominiAutoriViolenza = "Centro per uomini autori di violenza (CUAV)",
        Consultorio = "Consultorio",
        Uepe = "UEPE (probation office)",
        GaranteDetenuti = "Garante dei detenuti",
        GaranteInfanzia = "Garante per l'infanzia",
        OrdineProfessionale = "Ordine professionale",
        OrganismoDiParita = "Organismo di parità / Consigliera di parità",
        Universita = "Università",
        UfficioScolastico = "Ufficio scolastico",
        Scuola = "Scuola",
        AssociazioneEts = "Associazione / ETS",
        CentroAccoglienza = "CAS / SAI reception centre",
        Altro = "Any other kind",
    }
);
mirror_enum!(
    /// The kind of standing body a network is.
    NetworkKind => aggregates::network::NetworkKind {
        TerritorialNetwork = "A territorial anti-violence network",
        InterinstitutionalTable = "An inter-institutional table",
        TechnicalTable = "A technical table",
        ThematicTable = "A thematic table",
    }
);
mirror_enum!(
    /// The role a referent plays for their organization.
    ReferentRole => aggregates::network::ReferentRole {
        Institutional = "Represents the organization institutionally",
        Technical = "Takes part in the technical work",
        Deputy = "Stands in for another referent",
    }
);
mirror_enum!(
    /// Framework, operational, addendum or bilateral protocol.
    ProtocolKind => aggregates::protocol::ProtocolKind {
        Framework = "A framework protocol (quadro)",
        Operational = "An operational protocol (operativo)",
        Addendum = "An addendum to another protocol",
        Bilateral = "A protocol signed with one party",
    }
);
mirror_enum!(
    /// How a signature was given.
    SignatureMethod => aggregates::protocol::SignatureMethod {
        Handwritten = "Signed by hand on paper",
        QualifiedElectronic = "Qualified electronic signature",
        AdvancedElectronic = "Advanced electronic signature",
        DigitalPlatform = "Accepted on a digital platform",
    }
);
mirror_enum!(
    /// The kind of meeting.
    MeetingKind => aggregates::meeting::MeetingKind {
        Plenary = "A plenary session of the network",
        WorkingGroupSession = "A session of a working group",
        Workshop = "A workshop",
        DistrictLab = "A district laboratory",
        Conference = "A public conference",
    }
);
mirror_enum!(
    /// Whether an organization attended a meeting.
    Attendance => aggregates::meeting::Attendance {
        Present = "Attended",
        Absent = "Did not attend",
        Excused = "Excused",
    }
);
mirror_enum!(
    /// The role an actor acted in.
    Role => aggregates::metadata::Role {
        PlatformAdministrator = "Administers the platform",
        Coordinator = "Coordinates a network",
        Referent = "Acts for one organization",
        Auditor = "Reads everything, writes nothing",
        System = "The system's own processes",
        Anonymous = "Not authenticated",
    }
);

/// The name a domain status has on the wire: its serde form (SCREAMING_SNAKE_CASE), the form
/// the read models store and the schema's `status` fields show.
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// The domain status a wire name (in any letter case) names, if any.
pub fn from_wire_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_uppercase())).ok()
}

/// Declares the GraphQL enum of a domain status: the values a read model can hold, with the
/// domain's wire names (a status is converted through its wire name: [`status_of`]).
macro_rules! status_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $desc:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $(#[doc = $desc] $variant),+ }
    };
}

status_enum!(
    /// Where an organization stands.
    OrganizationStatus {
        Active = "Registered and active",
        Succeeded = "Succeeded by another organization",
        Deactivated = "Deactivated",
    }
);
status_enum!(
    /// Where a membership stands.
    MembershipStatus {
        Pending = "Applied, not yet decided",
        Active = "A member",
        Suspended = "A member, suspended",
        Rejected = "The application was rejected",
        Withdrawn = "Withdrew from the network",
        Expelled = "Expelled from the network",
    }
);
status_enum!(
    /// Where a protocol (or its latest version) stands.
    ProtocolStatus {
        Draft = "Being drafted",
        Published = "Published, not yet open for signature",
        OpenForSignature = "Open for signature",
        InForce = "In force",
        Expired = "Expired",
        Superseded = "Superseded by another protocol",
    }
);
status_enum!(
    /// Where a party to a protocol stands.
    PartyStatus {
        Invited = "Invited to sign",
        Declined = "Declined to sign",
        Withdrawn = "Withdrew from the protocol",
    }
);
status_enum!(
    /// Where a commitment stands.
    CommitmentStatus {
        Open = "Taken on, nothing reported yet",
        InProgress = "Progress reported",
        Fulfilled = "Fulfilled",
        Waived = "Waived by the coordinator",
        Cancelled = "Cancelled",
    }
);
status_enum!(
    /// Where a meeting stands.
    MeetingStatus {
        Scheduled = "Scheduled",
        Open = "In session",
        Closed = "Closed",
        Cancelled = "Cancelled",
    }
);

/// The GraphQL status of a domain status, through their common wire name. A read model holds
/// only statuses the schema has; one it has not is a fault of the server.
pub fn status_of<G: serde::de::DeserializeOwned>(
    status: &impl serde::Serialize,
) -> async_graphql::Result<G> {
    let name = wire_name(status);
    from_wire_name(&name)
        .ok_or_else(|| async_graphql::Error::new(format!("status {name:?} has no GraphQL value")))
}

/// True when `wanted` (a filter's status) is `status` (a read model's), compared by wire name.
pub fn same_status(wanted: &impl serde::Serialize, status: &impl serde::Serialize) -> bool {
    wire_name(wanted) == wire_name(status)
}

/// A filter's status given as a string (the deprecated `status` field): one of `G`'s values in
/// any letter case, or the client's mistake (`BAD_USER_INPUT`, naming the values).
pub fn status_named<G: async_graphql::resolver_utils::EnumType>(
    name: &Option<String>,
) -> async_graphql::Result<()> {
    let Some(name) = name else { return Ok(()) };
    if G::items()
        .iter()
        .any(|item| item.name.eq_ignore_ascii_case(name))
    {
        return Ok(());
    }
    let values: Vec<&str> = G::items().iter().map(|item| item.name).collect();
    Err(crate::errors::client_error_for(
        "BAD_USER_INPUT",
        format!(
            "`{name}` is not a status here: one of {}",
            values.join(", ")
        ),
        "filter",
    ))
}
mirror_enum!(
    /// The kind of service a network offers.
    ServiceKind => aggregates::service::ServiceKind {
        AntiViolenceCentre = "Centro antiviolenza (CAV)",
        ListeningPoint = "Sportello / punto di ascolto",
        Shelter = "Casa rifugio (its address is never recorded)",
        SecondLevelHousing = "Casa di seconda accoglienza (semi-autonomy housing)",
        PerpetratorProgramme = "Programme for men who use violence (CUAV)",
        SocialEmergency = "Pronto intervento sociale",
        MultidisciplinaryTeam = "Équipe multidisciplinare",
        FamilyCounselling = "Consultorio familiare",
        Other = "Any other service",
    }
);
mirror_enum!(
    /// How a person reaches a service.
    AccessRoute => aggregates::service::AccessRoute {
        Direct = "In person, without appointment or referral",
        Phone = "By phone first",
        Referral = "Referred by another service (see referralFrom)",
    }
);
mirror_enum!(
    /// Where a plan stands.
    PlanStatus => projections::views::PlanStatus {
        Draft = "Adopted as a draft: it may be amended",
        Approved = "Approved: its lines' commitments are taken on; progress is reported",
        Closed = "Closed",
    }
);
mirror_enum!(
    /// What kind of work an activity is.
    ActivityKind => aggregates::activity::ActivityKind {
        Campaign = "An awareness campaign (e.g. #rispettonellosport)",
        TrainingModule = "A training module for organizations or professionals",
        SchoolProject = "A project in schools",
        Event = "An event (e.g. for professional orders)",
        Conference = "A conference",
        Webinar = "A webinar",
        Publication = "A publication or video",
        Other = "Any other work",
    }
);
mirror_enum!(
    /// How often members report figures.
    Frequency => aggregates::indicator_set::Frequency {
        Monthly = "Every calendar month",
        Quarterly = "Every calendar quarter",
        HalfYearly = "Every half year (January-June, July-December)",
        Yearly = "Every calendar year",
    }
);
mirror_enum!(
    /// Where a service stands on a date.
    ServiceStatus => projections::views::ServiceStatus {
        Open = "Open",
        Suspended = "Temporarily closed (see statusReason and expectedReopening)",
        Closed = "Closed for good",
    }
);
