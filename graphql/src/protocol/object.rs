//! The GraphQL objects of Protocol (and its signatures).

use crate::graph::{Organization, OrganizationRef};
use crate::graph::{Protocol, Signature};
use crate::history::{timeline, HistoryConnection, Scope};
use crate::organization::{distinct, organizations};
use crate::prelude::*;
use crate::reports::{SignedBy, VersionCoverage};

/// One version of a protocol.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ProtocolVersion {
    /// Version number, from 1.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// The SHA-256 of the published document.
    pub document_hash: Option<String>,
    /// Published on.
    pub published_on: Option<Date>,
    /// Opened for signature on.
    pub opened_on: Option<Date>,
    /// Entered into force on.
    pub in_force_on: Option<Date>,
    /// Validity start.
    pub valid_from: Date,
    /// Validity end.
    pub valid_until: Option<Date>,
    #[graphql(skip)]
    pub clauses: Vec<aggregates::protocol::Clause>,
}

#[ComplexObject]
impl ProtocolVersion {
    /// The numbered clauses.
    async fn clauses(&self) -> Vec<ClauseView> {
        self.clauses
            .iter()
            .map(|c| ClauseView {
                number: c.number,
                text: c.text.to_string(),
                commitment: c.commitment.as_ref().map(|t| t.title.to_string()),
                due_within_days: c.commitment.as_ref().and_then(|t| t.due_within_days),
            })
            .collect()
    }
}

/// A clause of a protocol.
#[derive(SimpleObject)]
pub struct ClauseView {
    /// Number.
    pub number: u16,
    /// Text.
    pub text: String,
    /// The commitment each signatory takes on, if any.
    pub commitment: Option<String>,
    /// Due this many days after signing.
    pub due_within_days: Option<u32>,
}

/// A party to a protocol.
#[derive(SimpleObject)]
pub struct Party {
    /// The party (`organization { id }` for its global id alone).
    pub organization: OrganizationRef,
    /// INVITED, DECLINED or WITHDRAWN (`state` is the same, as an enum).
    #[graphql(deprecation = "Use `state`: the same status, as an enum.")]
    pub status: String,
    /// Where the party stands.
    pub state: PartyStatus,
    /// Whether its signature is required for entry into force.
    pub required: bool,
    /// When it was added later ("in itinere").
    pub added_on: Option<Date>,
}

/// A protocol of understanding.
#[Object]
impl Protocol {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Protocol, self.view.id)
    }
    /// The network's global id.
    async fn network(&self) -> ID {
        global_id(NodeKind::Network, self.view.network)
    }
    /// The kind of protocol.
    async fn kind(&self) -> ProtocolKind {
        self.view.kind.into()
    }
    /// DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE, EXPIRED or SUPERSEDED (`state` is the same, as an enum).
    #[graphql(deprecation = "Use `state`: the same status, as an enum.")]
    async fn status(&self) -> String {
        wire_name(&self.view.status)
    }
    /// Where it stands.
    async fn state(&self) -> ApiResult<crate::enums::ProtocolStatus> {
        status_of(&self.view.status)
    }
    /// Where the latest version is: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE or IN_FORCE
    /// (`currentVersionState` is the same, as an enum).
    #[graphql(deprecation = "Use `currentVersionState`: the same status, as an enum.")]
    async fn current_version_status(&self) -> String {
        wire_name(&self.view.current_version_status)
    }
    /// Where the latest version stands.
    async fn current_version_state(&self) -> ApiResult<crate::enums::ProtocolStatus> {
        status_of(&self.view.current_version_status)
    }
    /// The latest version's number.
    async fn current_version(&self) -> u32 {
        self.view.current_version
    }
    /// The version in force.
    async fn in_force_version(&self) -> Option<u32> {
        self.view.in_force_version
    }
    /// Every version.
    async fn versions(&self) -> Vec<ProtocolVersion> {
        self.view
            .versions
            .iter()
            .map(|v| ProtocolVersion {
                number: v.number,
                title: v.title.to_string(),
                purpose: v.purpose.to_string(),
                document_hash: v.document_hash.as_ref().map(|h| h.to_string()),
                published_on: v.published_on.map(Date),
                opened_on: v.opened_on.map(Date),
                in_force_on: v.in_force_on.map(Date),
                valid_from: v.validity.from().into(),
                valid_until: v.validity.to().map(Date),
                clauses: v.clauses.clone(),
            })
            .collect()
    }
    /// The parties.
    async fn parties(&self) -> ApiResult<Vec<Party>> {
        self.view
            .parties
            .iter()
            .map(|p| {
                Ok(Party {
                    organization: OrganizationRef {
                        id: p.organization,
                        at: self.at,
                    },
                    status: wire_name(&p.status),
                    state: status_of(&p.status)?,
                    required: p.required,
                    added_on: p.added_on.map(Date),
                })
            })
            .collect()
    }
    /// Every signature, all versions, in the order recorded (under `effectiveOn`, those
    /// signed by that date).
    async fn signatures(&self, ctx: &Context<'_>) -> ApiResult<Vec<Signature>> {
        Ok(self
            .signed(ctx)
            .await?
            .into_iter()
            .map(|view| Signature { view, at: self.at })
            .collect())
    }
    /// The organizations that signed: any version, or only the current one (under
    /// `effectiveOn`, by that date).
    async fn signatories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only signatures of the latest version.")] current_version_only: Option<
            bool,
        >,
    ) -> ApiResult<Vec<Organization>> {
        let ids = match self.at.on {
            None => {
                read(ctx)
                    .signatories(
                        self.view.id,
                        current_version_only.unwrap_or(false),
                        self.at.known,
                    )
                    .await?
            }
            Some(_) => {
                let only = current_version_only
                    .unwrap_or(false)
                    .then_some(self.view.current_version);
                distinct(
                    self.signed(ctx)
                        .await?
                        .into_iter()
                        .filter(|s| only.is_none_or(|v| s.version == v))
                        .map(|s| s.organization),
                )
            }
        };
        organizations(ctx, ids, self.at).await
    }
    /// Signature coverage of every version: who signed (since when), who has not.
    async fn signature_coverage(&self, ctx: &Context<'_>) -> ApiResult<Vec<VersionCoverage>> {
        let all = read(ctx)
            .signature_coverage(&self.view, self.at.known)
            .await?;
        Ok(all
            .into_iter()
            .map(|v| VersionCoverage {
                version: v.version,
                title: v.title,
                open_since: v.open_since.map(Date),
                signed: v
                    .signed
                    .into_iter()
                    .map(|s| SignedBy {
                        organization: OrganizationRef {
                            id: s.organization,
                            at: self.at,
                        },
                        signed_on: s.signed_on.into(),
                        recorded_at: s.recorded_at,
                    })
                    .collect(),
                not_signed: v
                    .not_signed
                    .into_iter()
                    .map(|id| OrganizationRef { id, at: self.at })
                    .collect(),
            })
            .collect())
    }
    /// Active members of the network that have not signed the current version (under
    /// `effectiveOn`, members on that date without a signature by that date).
    async fn members_without_signature(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        let ids = match self.at.on {
            None => {
                read(ctx)
                    .members_without_signature(self.view.id, self.at.known)
                    .await?
            }
            Some(day) => {
                let signed: std::collections::HashSet<_> = self
                    .signed(ctx)
                    .await?
                    .into_iter()
                    .filter(|s| s.version == self.view.current_version)
                    .map(|s| s.organization)
                    .collect();
                let members = read(ctx)
                    .memberships(self.view.network, self.at.known)
                    .await?;
                distinct(
                    members
                        .into_iter()
                        .filter(|m| m.member_on(day) && !signed.contains(&m.organization))
                        .map(|m| m.organization),
                )
            }
        };
        organizations(ctx, ids, self.at).await
    }
    /// Every event that concerns this protocol.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<Option<HistoryConnection>> {
        timeline(
            ctx,
            views::Kind::Protocol,
            &self.view.id.to_string(),
            Scope::Network(self.view.network),
            (after, before),
            (first, last),
        )
        .await
    }
}

impl Protocol {
    /// The signatures as known by the lens, signed by its business date.
    async fn signed(&self, ctx: &Context<'_>) -> ApiResult<Vec<views::SignatureView>> {
        let mut all = read(ctx).signatures(self.view.id, self.at.known).await?;
        all.retain(|s| self.at.by(s.signed_on));
        Ok(all)
    }
}

/// A signature of one version of a protocol.
#[Object]
impl Signature {
    /// The protocol's global id.
    async fn protocol(&self) -> ID {
        global_id(NodeKind::Protocol, self.view.protocol)
    }
    /// The version signed.
    async fn version(&self) -> u32 {
        self.view.version
    }
    /// The signatory.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(read(ctx)
            .organization(self.view.organization, self.at.known)
            .await?
            .map(|view| Organization { view, at: self.at }))
    }
    /// The office that signed ("Sindaco", "Prefetto").
    async fn signing_office(&self) -> &str {
        self.view.signing_office.as_str()
    }
    /// How it was signed.
    async fn method(&self) -> SignatureMethod {
        self.view.method.into()
    }
    /// The SHA-256 of the document signed.
    async fn document_hash(&self) -> &str {
        self.view.document_hash.as_str()
    }
    /// The business date of the signature.
    async fn signed_on(&self) -> Date {
        self.view.signed_on.into()
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.view.recorded_at
    }
}

/// The protocol with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_protocol(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Protocol>> {
    Ok(
        match read(ctx)
            .protocol(aggregates::ids::ProtocolId(uuid), at.known)
            .await?
        {
            Some(view) if viewer(ctx).full(ctx, view.network).await? => Some(Protocol { view, at }),
            _ => None,
        },
    )
}
