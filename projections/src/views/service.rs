//! The read model of Service: its documents (their serde form is the stored form) and the fold
//! of its events into them. Besides the current state, a service keeps its periods (status and
//! territory from each effective date), so "open in this municipality on that date" has an
//! answer both as known then (the version at a position) and as effective then.

use aggregates::service::{ServiceDetails, ServiceEvent};
use aggregates::values::MunicipalityCode;

use super::*;

/// Where a service stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceStatus {
    Open,
    Suspended,
    Closed,
}

impl ServiceStatus {
    /// The name clients see (the API's enum, the open data, the reports).
    pub fn wire(self) -> &'static str {
        match self {
            ServiceStatus::Open => "OPEN",
            ServiceStatus::Suspended => "SUSPENDED",
            ServiceStatus::Closed => "CLOSED",
        }
    }
}

/// The status and territory of a service from `from` until the next period starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePeriod {
    pub from: NaiveDate,
    pub status: ServiceStatus,
    pub territory: Vec<MunicipalityCode>,
    /// Why it was suspended or closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<FreeText>,
    /// When a suspended service expects to reopen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_reopening: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    pub id: ServiceId,
    pub network: NetworkId,
    pub organization: OrganizationId,
    pub details: ServiceDetails,
    pub registered_on: NaiveDate,
    /// The last business date someone responsible confirmed or updated its details.
    pub confirmed_on: NaiveDate,
    /// In effective-date order; the last is the current one.
    pub periods: Vec<ServicePeriod>,
}

impl ServiceView {
    /// The period in effect now (as recorded). Every service has one from its registration;
    /// None only for a stored document changed behind the application's back (which
    /// `governance verify` names), never a panic.
    pub fn current(&self) -> Option<&ServicePeriod> {
        self.periods.last()
    }

    /// The period in effect on `day`; None before the service was registered.
    pub fn on(&self, day: NaiveDate) -> Option<&ServicePeriod> {
        self.periods.iter().rev().find(|p| p.from <= day)
    }

    fn begin(&mut self, period: ServicePeriod) {
        // A second change on the same day replaces that day's period.
        if self
            .periods
            .last()
            .is_some_and(|last| last.from == period.from)
        {
            self.periods.pop();
        }
        self.periods.push(period);
    }
}

pub(super) fn project_service(
    docs: &mut Docs,
    p: i64,
    id: ServiceId,
    e: ServiceEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Service, id);
    let mut view: ServiceView = match &e {
        ServiceEvent::ServiceRegistered(r) => ServiceView {
            id,
            network: r.network,
            organization: r.organization,
            details: r.details.clone(),
            registered_on: r.registered_on,
            confirmed_on: r.registered_on,
            periods: vec![],
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    docs.concern(Kind::Organization, view.organization, p);
    let territory = |details: &ServiceDetails| details.territory.iter().cloned().collect();
    let current = view.periods.last().cloned();
    let with = |from, status, reason, expected_reopening, territory| ServicePeriod {
        from,
        status,
        territory,
        reason,
        expected_reopening,
    };
    let same_territory = current
        .as_ref()
        .map(|c| c.territory.clone())
        .unwrap_or_default();
    match e {
        ServiceEvent::ServiceRegistered(r) => view.begin(with(
            r.registered_on,
            ServiceStatus::Open,
            None,
            None,
            territory(&r.details),
        )),
        ServiceEvent::ServiceUpdated(u) => {
            let mut period = current
                .unwrap_or_else(|| with(u.effective_on, ServiceStatus::Open, None, None, vec![]));
            period.from = u.effective_on;
            period.territory = territory(&u.details);
            view.begin(period);
            view.details = u.details;
            view.confirmed_on = view.confirmed_on.max(u.effective_on);
        }
        ServiceEvent::ServiceSuspended(s) => view.begin(with(
            s.effective_on,
            ServiceStatus::Suspended,
            Some(s.reason),
            s.expected_reopening,
            same_territory,
        )),
        ServiceEvent::ServiceReopened(r) => view.begin(with(
            r.effective_on,
            ServiceStatus::Open,
            None,
            None,
            same_territory,
        )),
        ServiceEvent::ServiceClosed(c) => view.begin(with(
            c.effective_on,
            ServiceStatus::Closed,
            Some(c.reason),
            None,
            same_territory,
        )),
        ServiceEvent::ServiceConfirmed(c) => {
            view.confirmed_on = view.confirmed_on.max(c.confirmed_on)
        }
    }
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            Some(view.organization.to_string()),
            None,
        ),
        p,
        view,
    );
    Ok(())
}
