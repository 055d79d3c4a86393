//! The read model of Network: its documents (their serde form is the stored form) and the
//! fold of its events into them.

use super::*;

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
    pub referent: ReferentId,
    pub person: PersonId,
    pub role: ReferentRole,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    pub network: NetworkId,
    pub organization: OrganizationId,
    pub status: MembershipStatus,
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

pub(super) fn project_network(
    docs: &mut Docs,
    event: &StoredEvent,
    id: &str,
    e: NetworkEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let network: NetworkId = parse_id(id, p)?;
    let key = DocKey::new(Kind::Network, id);
    let network_filters = filters(Some(id.to_owned()), None, None);
    if let NetworkEvent::NetworkEstablished(n) = &e {
        let view = NetworkView {
            id: network,
            name: n.name.clone(),
            kind: n.kind,
            territory: n.territory.clone(),
            coordinator: n.coordinator,
            public: n.public,
            established_on: n.established_on,
            closed_on: None,
        };
        docs.put(key.clone(), network_filters.clone(), p, view);
    }
    let mut view: NetworkView = docs.require(&key, p)?;
    let membership =
        |docs: &Docs, organization: OrganizationId| -> Result<MembershipView, ProjectionError> {
            Ok(docs
                .get(&membership_key(network, organization), p)?
                .unwrap_or(MembershipView {
                    network,
                    organization,
                    // Every event that writes a membership sets its status first.
                    status: MembershipStatus::Pending,
                    applied_on: None,
                    since: None,
                    via: None,
                    periods: vec![],
                    referents: vec![],
                }))
        };
    let put_membership = |docs: &mut Docs, m: MembershipView| {
        docs.concern(Kind::Organization, m.organization, p);
        docs.put(
            membership_key(network, m.organization),
            filters(Some(id.to_owned()), Some(m.organization.to_string()), None),
            p,
            m,
        );
    };
    match e {
        NetworkEvent::NetworkEstablished(n) => {
            let mut m = membership(docs, n.coordinator)?;
            m.status = MembershipStatus::Active;
            m.open_period(n.established_on, JoinedVia::Founding);
            put_membership(docs, m);
        }
        NetworkEvent::CoordinatorChanged(c) => {
            view.coordinator = c.new_coordinator;
            docs.concern(Kind::Organization, c.previous_coordinator, p);
            docs.concern(Kind::Organization, c.new_coordinator, p);
            docs.put(key, network_filters, p, view);
        }
        NetworkEvent::NetworkClosed(c) => {
            view.closed_on = Some(c.effective_on);
            docs.put(key, network_filters, p, view);
        }
        NetworkEvent::MembershipApplied(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = MembershipStatus::Pending;
            m.applied_on = Some(a.applied_on);
            put_membership(docs, m);
        }
        NetworkEvent::MembershipApproved(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = MembershipStatus::Active;
            m.open_period(a.effective_on, JoinedVia::Application);
            put_membership(docs, m);
        }
        NetworkEvent::MembershipRejected(r) => {
            let mut m = membership(docs, r.organization)?;
            m.status = MembershipStatus::Rejected;
            put_membership(docs, m);
        }
        NetworkEvent::MemberAdmittedBySignature(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = MembershipStatus::Active;
            m.open_period(a.effective_on, JoinedVia::Signature);
            put_membership(docs, m);
        }
        NetworkEvent::MembershipSuspended(s) => {
            let mut m = membership(docs, s.organization)?;
            m.status = MembershipStatus::Suspended;
            m.close_period(s.effective_on);
            put_membership(docs, m);
        }
        NetworkEvent::MembershipReinstated(r) => {
            let mut m = membership(docs, r.organization)?;
            let via = m.periods.last().map_or(JoinedVia::Application, |p| p.via);
            m.status = MembershipStatus::Active;
            m.open_period(r.effective_on, via);
            put_membership(docs, m);
        }
        NetworkEvent::MembershipWithdrawn(w) => {
            let mut m = membership(docs, w.organization)?;
            m.status = MembershipStatus::Withdrawn;
            m.close_period(w.effective_on);
            end_referents(&mut m, w.effective_on);
            put_membership(docs, m);
        }
        NetworkEvent::MemberExpelled(x) => {
            let mut m = membership(docs, x.organization)?;
            m.status = MembershipStatus::Expelled;
            m.close_period(x.effective_on);
            end_referents(&mut m, x.effective_on);
            put_membership(docs, m);
        }
        NetworkEvent::ReferentDesignated(r) => {
            let mut m = membership(docs, r.organization)?;
            m.referents.push(ReferentView {
                referent: r.referent,
                person: r.person,
                role: r.role,
                since: r.effective_on,
                until: None,
            });
            put_membership(docs, m);
        }
        NetworkEvent::ReferentRevoked(r) => {
            let mut m = membership(docs, r.organization)?;
            for view in m.referents.iter_mut().filter(|v| v.referent == r.referent) {
                view.until.get_or_insert(r.effective_on);
            }
            put_membership(docs, m);
        }
    }
    Ok(())
}

fn end_referents(m: &mut MembershipView, on: NaiveDate) {
    for referent in m.referents.iter_mut() {
        referent.until.get_or_insert(on);
    }
}
