//! The fold of each aggregate's events into its documents.

use super::*;

pub(super) fn project_person(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: aggregates::person::PersonEvent,
) -> Result<(), ProjectionError> {
    use aggregates::person::PersonEvent as E;
    let key = DocKey::new(Kind::Person, id);
    let view = match e {
        E::PersonRegistered(r) => PersonView {
            id: id.to_owned(),
            details: r.details,
            erased_on: None,
        },
        E::PersonDetailsChanged(c) => PersonView {
            details: c.details,
            ..docs.require(&key, p)?
        },
        E::PersonErased(e) => PersonView {
            erased_on: Some(e.erased_on),
            ..docs.require(&key, p)?
        },
    };
    docs.put(key, filters(None, None, None), p, &view);
    Ok(())
}

pub(super) fn project_organization(
    docs: &mut Docs,
    event: &StoredEvent,
    id: &str,
    e: OrganizationEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let key = DocKey::new(Kind::Organization, id);
    let mut view: OrganizationView = match e {
        OrganizationEvent::OrganizationRegistered(r) => {
            let view = OrganizationView {
                id: r.organization_id,
                name: r.name,
                former_names: vec![],
                category: r.category,
                tax_code: r.tax_code,
                territory: r.territory,
                status: "ACTIVE".to_owned(),
                predecessors: vec![],
                successor: None,
                registered_at: event.recorded_at,
            };
            docs.put(key, filters(None, Some(id.to_owned()), None), p, &view);
            return Ok(());
        }
        _ => docs.require(&key, p)?,
    };
    match e {
        OrganizationEvent::OrganizationRegistered(_) => {}
        OrganizationEvent::OrganizationRenamed(r) => {
            view.former_names.push(r.previous_name);
            view.name = r.name;
        }
        OrganizationEvent::OrganizationDetailsUpdated(u) => {
            if let Some(c) = u.category {
                view.category = c;
            }
            if u.tax_code.is_some() {
                view.tax_code = u.tax_code;
            }
            if let Some(t) = u.territory {
                view.territory = t;
            }
        }
        OrganizationEvent::OrganizationSucceeded(s) => {
            view.predecessors.push(s.predecessor);
            docs.concern(Kind::Organization, s.predecessor, p);
        }
        OrganizationEvent::OrganizationSucceededBy(s) => {
            view.status = "SUCCEEDED".to_owned();
            view.successor = Some(s.successor);
            docs.concern(Kind::Organization, s.successor, p);
        }
        OrganizationEvent::OrganizationDeactivated(_) => view.status = "DEACTIVATED".to_owned(),
    }
    docs.put(key, filters(None, Some(id.to_owned()), None), p, &view);
    Ok(())
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
        docs.put(key.clone(), network_filters.clone(), p, &view);
    }
    let mut view: NetworkView = docs.require(&key, p)?;
    let membership =
        |docs: &Docs, organization: OrganizationId| -> Result<MembershipView, ProjectionError> {
            Ok(docs
                .get(&membership_key(network, organization), p)?
                .unwrap_or(MembershipView {
                    network,
                    organization,
                    status: "NONE".to_owned(),
                    applied_on: None,
                    since: None,
                    via: None,
                    periods: vec![],
                    referents: vec![],
                }))
        };
    let put_membership = |docs: &mut Docs, m: &MembershipView| {
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
            m.status = "ACTIVE".to_owned();
            m.open_period(n.established_on, JoinedVia::Founding);
            put_membership(docs, &m);
        }
        NetworkEvent::CoordinatorChanged(c) => {
            view.coordinator = c.new_coordinator;
            docs.concern(Kind::Organization, c.previous_coordinator, p);
            docs.concern(Kind::Organization, c.new_coordinator, p);
            docs.put(key, network_filters, p, &view);
        }
        NetworkEvent::NetworkClosed(c) => {
            view.closed_on = Some(c.effective_on);
            docs.put(key, network_filters, p, &view);
        }
        NetworkEvent::MembershipApplied(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = "PENDING".to_owned();
            m.applied_on = Some(a.applied_on);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipApproved(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = "ACTIVE".to_owned();
            m.open_period(a.effective_on, JoinedVia::Application);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipRejected(r) => {
            let mut m = membership(docs, r.organization)?;
            m.status = "REJECTED".to_owned();
            put_membership(docs, &m);
        }
        NetworkEvent::MemberAdmittedBySignature(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = "ACTIVE".to_owned();
            m.open_period(a.effective_on, JoinedVia::Signature);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipSuspended(s) => {
            let mut m = membership(docs, s.organization)?;
            m.status = "SUSPENDED".to_owned();
            m.close_period(s.effective_on);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipReinstated(r) => {
            let mut m = membership(docs, r.organization)?;
            let via = m.periods.last().map_or(JoinedVia::Application, |p| p.via);
            m.status = "ACTIVE".to_owned();
            m.open_period(r.effective_on, via);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipWithdrawn(w) => {
            let mut m = membership(docs, w.organization)?;
            m.status = "WITHDRAWN".to_owned();
            m.close_period(w.effective_on);
            end_referents(&mut m, w.effective_on);
            put_membership(docs, &m);
        }
        NetworkEvent::MemberExpelled(x) => {
            let mut m = membership(docs, x.organization)?;
            m.status = "EXPELLED".to_owned();
            m.close_period(x.effective_on);
            end_referents(&mut m, x.effective_on);
            put_membership(docs, &m);
        }
        NetworkEvent::ReferentDesignated(r) => {
            let mut m = membership(docs, r.organization)?;
            m.referents.push(ReferentView {
                referent: r.referent.to_string(),
                person: r.person.to_string(),
                role: r.role,
                since: r.effective_on,
                until: None,
            });
            put_membership(docs, &m);
        }
        NetworkEvent::ReferentRevoked(r) => {
            let mut m = membership(docs, r.organization)?;
            let referent = r.referent.to_string();
            for view in m.referents.iter_mut().filter(|v| v.referent == referent) {
                view.until.get_or_insert(r.effective_on);
            }
            put_membership(docs, &m);
        }
    }
    Ok(())
}

fn end_referents(m: &mut MembershipView, on: NaiveDate) {
    for referent in m.referents.iter_mut() {
        referent.until.get_or_insert(on);
    }
}

pub(super) fn project_protocol(
    docs: &mut Docs,
    event: &StoredEvent,
    id: &str,
    e: ProtocolEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let key = DocKey::new(Kind::Protocol, id);
    let mut view: ProtocolView = match &e {
        ProtocolEvent::ProtocolDrafted(d) => ProtocolView {
            id: id.to_owned(),
            network: d.network,
            kind: d.kind,
            status: "DRAFT".to_owned(),
            current_version_status: "DRAFT".to_owned(),
            current_version: d.version,
            in_force_version: None,
            versions: vec![],
            parties: d
                .parties
                .iter()
                .map(|o| PartyView {
                    organization: *o,
                    status: "INVITED".to_owned(),
                    required: true,
                    added_on: None,
                })
                .collect(),
            superseded_by: None,
            ended_on: None,
        },
        _ => docs.require(&key, p)?,
    };
    let network = view.network;
    docs.concern(Kind::Network, network, p);
    let new_version = |number: u32, c: aggregates::protocol::ProtocolContent| ProtocolVersionView {
        number,
        title: c.title,
        purpose: c.purpose,
        clauses: c.clauses,
        validity: c.validity,
        renewal: c.renewal,
        document_hash: None,
        published_on: None,
        opened_on: None,
        in_force_on: None,
        signatories: vec![],
    };
    match e {
        ProtocolEvent::ProtocolDrafted(d) => {
            for party in &d.parties {
                docs.concern(Kind::Organization, party, p);
            }
            view.versions.push(new_version(d.version, d.content));
        }
        ProtocolEvent::ProtocolAmended(a) => {
            if let Some(v) = view.version_mut(a.version) {
                let signatories = std::mem::take(&mut v.signatories);
                *v = new_version(a.version, a.content);
                v.signatories = signatories;
            }
        }
        ProtocolEvent::ProtocolVersionPublished(pv) => {
            if let Some(v) = view.version_mut(pv.version) {
                v.document_hash = Some(pv.document_hash);
                v.published_on = Some(pv.published_on);
            }
            view.set_version_status("PUBLISHED");
        }
        ProtocolEvent::ProtocolOpenedForSignature(o) => {
            if let Some(v) = view.version_mut(o.version) {
                v.opened_on = Some(o.opened_on);
            }
            view.set_version_status("OPEN_FOR_SIGNATURE");
        }
        ProtocolEvent::ProtocolSigned(s) => {
            if let Some(v) = view.version_mut(s.version) {
                if !v.signatories.contains(&s.organization) {
                    v.signatories.push(s.organization);
                }
            }
            docs.concern(Kind::Organization, s.organization, p);
            let signature = SignatureView {
                protocol: id.to_owned(),
                network,
                version: s.version,
                organization: s.organization,
                signing_office: s.signing_office,
                method: s.method,
                document_hash: s.document_hash,
                signed_on: s.signed_on,
                recorded_at: event.recorded_at,
                position: p,
            };
            docs.put(
                signature_key(id, s.version, s.organization),
                filters(
                    Some(network.to_string()),
                    Some(s.organization.to_string()),
                    Some(id.to_owned()),
                ),
                p,
                &signature,
            );
        }
        ProtocolEvent::ProtocolDeclined(d) => {
            view.party_mut(d.organization).status = "DECLINED".to_owned();
            docs.concern(Kind::Organization, d.organization, p);
        }
        ProtocolEvent::ProtocolEnteredIntoForce(f) => {
            if let Some(v) = view.version_mut(f.version) {
                v.in_force_on = Some(f.effective_on);
            }
            view.in_force_version = Some(f.version);
            view.set_version_status("IN_FORCE");
        }
        ProtocolEvent::ProtocolPartyAdded(a) => {
            let party = view.party_mut(a.organization);
            party.status = "INVITED".to_owned();
            party.added_on = Some(a.added_on);
            docs.concern(Kind::Organization, a.organization, p);
        }
        ProtocolEvent::ProtocolPartyWithdrawn(w) => {
            view.party_mut(w.organization).status = "WITHDRAWN".to_owned();
            docs.concern(Kind::Organization, w.organization, p);
        }
        ProtocolEvent::ProtocolRevised(r) => {
            view.versions.push(new_version(r.version, r.content));
            view.current_version = r.version;
            view.set_version_status("DRAFT");
            for party in view.parties.iter_mut().filter(|p| p.status == "DECLINED") {
                party.status = "INVITED".to_owned();
            }
        }
        ProtocolEvent::ProtocolRenewed(r) => {
            let in_force = view.in_force_version;
            if let Some(v) = view
                .versions
                .iter_mut()
                .find(|v| Some(v.number) == in_force)
            {
                if let Ok(validity) = v.validity.with_end(r.valid_until) {
                    v.validity = validity;
                }
            }
        }
        ProtocolEvent::ProtocolExpired(x) => {
            view.status = "EXPIRED".to_owned();
            view.ended_on = Some(x.on);
        }
        ProtocolEvent::ProtocolSuperseded(s) => {
            view.status = "SUPERSEDED".to_owned();
            view.superseded_by = Some(s.by_protocol.to_string());
            view.ended_on = Some(s.on);
            docs.concern(Kind::Protocol, s.by_protocol, p);
        }
    }
    docs.put(
        key,
        filters(Some(network.to_string()), None, None),
        p,
        &view,
    );
    Ok(())
}

pub(super) fn project_commitment(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: CommitmentEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Commitment, id);
    let mut view: CommitmentView = match &e {
        CommitmentEvent::CommitmentCreated(c) => CommitmentView {
            id: id.to_owned(),
            network: c.network,
            source: c.source.clone(),
            obligor: c.obligor,
            title: c.title.clone(),
            description: c.description.clone(),
            due_on: c.due_on,
            created_on: c.created_on,
            status: "OPEN".to_owned(),
            progress: vec![],
            evidence: None,
            closed_on: None,
            reason: None,
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    docs.concern(Kind::Organization, view.obligor, p);
    match e {
        CommitmentEvent::CommitmentCreated(c) => match c.source {
            CommitmentSource::ProtocolClause { protocol, .. } => {
                docs.concern(Kind::Protocol, protocol, p)
            }
            CommitmentSource::MeetingDecision { meeting, .. } => {
                docs.concern(Kind::Meeting, meeting, p)
            }
            CommitmentSource::Coordinator { by } => docs.concern(Kind::Organization, by, p),
        },
        CommitmentEvent::CommitmentProgressReported(r) => {
            view.status = "IN_PROGRESS".to_owned();
            view.progress.push(ProgressView {
                by: r.by,
                note: r.note,
                on: r.reported_on,
            });
        }
        CommitmentEvent::CommitmentFulfilled(f) => {
            view.status = "FULFILLED".to_owned();
            view.evidence = Some(EvidenceView {
                note: f.note,
                document_hash: f.evidence,
                on: f.fulfilled_on,
            });
            view.closed_on = Some(f.fulfilled_on);
        }
        CommitmentEvent::CommitmentWaived(w) => {
            view.status = "WAIVED".to_owned();
            view.reason = Some(w.reason);
            view.closed_on = Some(w.waived_on);
        }
        CommitmentEvent::CommitmentCancelled(c) => {
            view.status = "CANCELLED".to_owned();
            view.reason = Some(c.reason);
            view.closed_on = Some(c.cancelled_on);
        }
        CommitmentEvent::CommitmentReopened(r) => {
            view.status = "OPEN".to_owned();
            view.reason = Some(r.reason);
            view.closed_on = None;
            view.evidence = None;
        }
    }
    let parent = match &view.source {
        CommitmentSource::ProtocolClause { protocol, .. } => Some(protocol.to_string()),
        CommitmentSource::MeetingDecision { meeting, .. } => Some(meeting.to_string()),
        CommitmentSource::Coordinator { .. } => None,
    };
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            Some(view.obligor.to_string()),
            parent,
        ),
        p,
        &view,
    );
    Ok(())
}

pub(super) fn project_working_group(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: WorkingGroupEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::WorkingGroup, id);
    let mut view: WorkingGroupView = match &e {
        WorkingGroupEvent::WorkingGroupFormed(f) => WorkingGroupView {
            id: id.to_owned(),
            network: f.network,
            name: f.name.clone(),
            mandate: f.mandate.clone(),
            lead: f.lead,
            members: vec![f.lead],
            formed_on: f.formed_on,
            dissolved_on: None,
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    match e {
        WorkingGroupEvent::WorkingGroupFormed(f) => docs.concern(Kind::Organization, f.lead, p),
        WorkingGroupEvent::WorkingGroupMemberAdded(a) => {
            if !view.members.contains(&a.organization) {
                view.members.push(a.organization);
            }
            docs.concern(Kind::Organization, a.organization, p);
        }
        WorkingGroupEvent::WorkingGroupMemberRemoved(r) => {
            view.members.retain(|m| *m != r.organization);
            docs.concern(Kind::Organization, r.organization, p);
        }
        WorkingGroupEvent::WorkingGroupDissolved(d) => view.dissolved_on = Some(d.dissolved_on),
    }
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            Some(view.lead.to_string()),
            None,
        ),
        p,
        &view,
    );
    Ok(())
}

pub(super) fn project_meeting(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: MeetingEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Meeting, id);
    let mut view: MeetingView = match &e {
        MeetingEvent::MeetingScheduled(s) => MeetingView {
            id: id.to_owned(),
            network: s.network,
            working_group: s.working_group.map(|g| g.to_string()),
            kind: s.kind,
            title: s.title.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            venue: s.venue.clone(),
            agenda: s.agenda.clone(),
            public: s.public,
            status: "SCHEDULED".to_owned(),
            cancel_reason: None,
            decisions: vec![],
            minutes_versions: vec![],
            minutes_approved_version: None,
            minutes_approved_on: None,
        },
        _ => docs.require(&key, p)?,
    };
    let network = view.network;
    docs.concern(Kind::Network, network, p);
    match e {
        MeetingEvent::MeetingScheduled(s) => {
            if let Some(group) = s.working_group {
                docs.concern(Kind::WorkingGroup, group, p);
            }
        }
        MeetingEvent::MeetingRescheduled(r) => {
            view.starts_at = r.starts_at;
            view.ends_at = r.ends_at;
            view.venue = r.venue;
        }
        MeetingEvent::MeetingCancelled(c) => {
            view.status = "CANCELLED".to_owned();
            view.cancel_reason = Some(c.reason);
        }
        MeetingEvent::AttendanceRecorded(a) => {
            docs.concern(Kind::Organization, a.organization, p);
            let attendance = AttendanceView {
                meeting: id.to_owned(),
                network,
                organization: a.organization,
                attendance: a.attendance,
                represented_by: a.represented_by.map(|p| p.to_string()),
            };
            docs.put(
                attendance_key(id, a.organization),
                filters(
                    Some(network.to_string()),
                    Some(a.organization.to_string()),
                    Some(id.to_owned()),
                ),
                p,
                &attendance,
            );
            return Ok(());
        }
        MeetingEvent::MeetingOpened(_) => view.status = "OPEN".to_owned(),
        MeetingEvent::DecisionRecorded(d) => {
            for item in &d.action_items {
                docs.concern(Kind::Organization, item.obligor, p);
            }
            view.decisions.push(DecisionView {
                number: d.decision,
                text: d.text,
                action_items: d.action_items,
                decided_on: d.decided_on,
            });
        }
        MeetingEvent::MeetingClosed(_) => view.status = "CLOSED".to_owned(),
        MeetingEvent::MinutesDrafted(m) => view.minutes_versions.push(m.document_hash),
        MeetingEvent::MinutesApproved(m) => {
            view.minutes_approved_version = Some(m.version);
            view.minutes_approved_on = Some(m.approved_on);
        }
    }
    docs.put(
        key,
        filters(Some(network.to_string()), None, view.working_group.clone()),
        p,
        &view,
    );
    Ok(())
}
