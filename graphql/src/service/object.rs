//! The GraphQL objects of Service, and who may read a service.

use std::sync::Arc;

use projections::store::municipalities::{Municipalities, Municipality as Row};
use projections::views::{ServicePeriod, ServiceView};

use crate::graph::{Network, OrganizationRef, Service};
use crate::network::visible_network;
use crate::prelude::*;

/// A municipality of the ISTAT reference list.
#[derive(SimpleObject, Clone)]
pub struct Municipality {
    /// The six-digit ISTAT code.
    pub istat_code: String,
    /// Its name, as ISTAT spells it.
    pub name: String,
    /// The three-digit ISTAT code of its province (or metropolitan city).
    pub province_code: String,
    /// The province's abbreviation (sigla), e.g. PV.
    pub province_abbreviation: String,
    /// The province's (or metropolitan city's) name.
    pub province: String,
    /// The region's name.
    pub region: String,
    /// The day its current record begins (a change of province starts one), if known.
    pub established_on: Option<Date>,
    /// The first day it no longer exists, if it was suppressed.
    pub suppressed_on: Option<Date>,
}

impl From<&Row> for Municipality {
    fn from(m: &Row) -> Self {
        Municipality {
            istat_code: m.istat_code.clone(),
            name: m.name.clone(),
            province_code: m.province_code.clone(),
            province_abbreviation: m.province_abbreviation.clone(),
            province: m.province.clone(),
            region: m.region.clone(),
            established_on: m.established_on.map(Date),
            suppressed_on: m.suppressed_on.map(Date),
        }
    }
}

/// The reference list of municipalities.
pub(crate) async fn municipalities(ctx: &Context<'_>) -> ApiResult<Arc<Municipalities>> {
    Ok(ctx
        .data_unchecked::<crate::state::ApiState>()
        .store
        .municipalities()
        .await?)
}

/// A service's institutional contact points (never a person's own).
#[derive(SimpleObject)]
pub struct ServiceContacts {
    /// A switchboard or helpline number.
    pub switchboard: Option<String>,
    /// A functional mailbox.
    pub mailbox: Option<String>,
    /// Its website.
    pub website: Option<String>,
}

/// A period of a service's history: its status and territory from a date.
#[derive(SimpleObject)]
pub struct ServicePeriodEntry {
    /// The period starts on this date and lasts until the next one starts.
    pub from: Date,
    /// Its status in the period.
    pub status: ServiceStatus,
    /// The municipalities served (ISTAT codes).
    pub territory: Vec<String>,
    /// Why it was suspended or closed.
    pub reason: Option<String>,
    /// When a suspended service expects to reopen.
    pub expected_reopening: Option<Date>,
}

impl From<&ServicePeriod> for ServicePeriodEntry {
    fn from(p: &ServicePeriod) -> Self {
        ServicePeriodEntry {
            from: Date(p.from),
            status: p.status.into(),
            territory: p.territory.iter().map(|c| c.to_string()).collect(),
            reason: p.reason.as_ref().map(|r| r.to_string()),
            expected_reopening: p.expected_reopening.map(Date),
        }
    }
}

impl Service {
    /// The period the lens reads: on its business date, else the current one.
    fn period(&self) -> Option<&ServicePeriod> {
        match self.at.on {
            Some(day) => self.view.on(day),
            None => self.view.current(),
        }
    }
}

/// A service a network offers through one of its members: what it is, whom it serves, where,
/// and how to reach it. Status and territory are read on the lens's business date
/// (`effectiveOn`), else as they are now.
#[Object]
impl Service {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Service, self.view.id)
    }
    /// Its name.
    async fn name(&self) -> &str {
        self.view.details.name.as_str()
    }
    /// What kind of service it is.
    async fn kind(&self) -> ServiceKind {
        self.view.details.kind.into()
    }
    /// The network that offers it (absent if the viewer cannot read that network).
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Option<Network>> {
        visible_network(ctx, self.view.network.as_uuid(), self.at).await
    }
    /// The member organization that runs it.
    async fn organization(&self) -> OrganizationRef {
        OrganizationRef {
            id: self.view.organization,
            at: self.at,
        }
    }
    /// Its status on the lens's date (null before it was registered).
    async fn status(&self) -> Option<ServiceStatus> {
        self.period().map(|p| p.status.into())
    }
    /// Why it is suspended or closed.
    async fn status_reason(&self) -> Option<&str> {
        self.period()
            .and_then(|p| p.reason.as_ref())
            .map(|r| r.as_str())
    }
    /// The date its status took effect.
    async fn status_since(&self) -> Option<Date> {
        self.period().map(|p| Date(p.from))
    }
    /// When a suspended service expects to reopen.
    async fn expected_reopening(&self) -> Option<Date> {
        self.period().and_then(|p| p.expected_reopening).map(Date)
    }
    /// The municipalities it serves, on the lens's date.
    async fn territory(&self, ctx: &Context<'_>) -> ApiResult<Vec<Municipality>> {
        let list = municipalities(ctx).await?;
        Ok(self
            .period()
            .map(|p| {
                p.territory
                    .iter()
                    .filter_map(|code| list.get(code.as_str()))
                    .map(Municipality::from)
                    .collect()
            })
            .unwrap_or_default())
    }
    /// Who it is for.
    async fn audience(&self) -> &str {
        self.view.details.audience.as_str()
    }
    /// How to access it.
    async fn access(&self) -> Vec<AccessRoute> {
        self.view
            .details
            .access
            .iter()
            .map(|a| (*a).into())
            .collect()
    }
    /// By whom people are referred, when referral is a route.
    async fn referral_from(&self) -> Option<&str> {
        self.view.details.referral_from.as_ref().map(|t| t.as_str())
    }
    /// When it is open.
    async fn opening_hours(&self) -> Option<&str> {
        self.view.details.opening_hours.as_ref().map(|t| t.as_str())
    }
    /// The languages it works in.
    async fn languages(&self) -> Vec<&str> {
        self.view
            .details
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect()
    }
    /// How accessible it is (steps, lifts, sign language, …).
    async fn accessibility(&self) -> Option<&str> {
        self.view.details.accessibility.as_ref().map(|t| t.as_str())
    }
    /// Where it is (never given for a shelter).
    async fn address(&self) -> Option<&str> {
        self.view.details.address.as_ref().map(|t| t.as_str())
    }
    /// Its institutional contact points.
    async fn contacts(&self) -> ServiceContacts {
        let c = &self.view.details.contacts;
        ServiceContacts {
            switchboard: c.switchboard.as_ref().map(|v| v.to_string()),
            mailbox: c.mailbox.as_ref().map(|v| v.to_string()),
            website: c.website.as_ref().map(|v| v.to_string()),
        }
    }
    /// Whether the public directory lists it.
    async fn listed(&self) -> bool {
        self.view.details.listed
    }
    /// Open since (its registration's effective date).
    async fn registered_on(&self) -> Date {
        Date(self.view.registered_on)
    }
    /// The last date someone responsible confirmed or updated its details.
    async fn confirmed_on(&self) -> Date {
        Date(self.view.confirmed_on)
    }
    /// Its history: status and territory from each effective date (oldest first).
    async fn periods(&self) -> Vec<ServicePeriodEntry> {
        self.view.periods.iter().map(Into::into).collect()
    }
}

/// Whether the viewer may read this service: in full for those who read its network in full;
/// otherwise only if the network is public and the service listed in the public directory.
pub(crate) async fn sees_service(ctx: &Context<'_>, view: &ServiceView) -> ApiResult<bool> {
    Ok(match viewer(ctx).level_of(ctx, view.network).await? {
        Level::Full => true,
        Level::Public => view.details.listed,
        Level::None => false,
    })
}

/// The service with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_service(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Service>> {
    Ok(
        match read(ctx)
            .service(aggregates::ids::ServiceId(uuid), at.known)
            .await?
        {
            Some(view) if sees_service(ctx, &view).await? => Some(Service { view, at }),
            _ => None,
        },
    )
}
