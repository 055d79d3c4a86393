//! The read model of Organization: its documents (their serde form is the stored form) and the
//! fold of its events into them.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: OrganizationId,
    pub name: Name,
    pub former_names: Vec<Name>,
    pub category: OrganizationCategory,
    pub tax_code: Option<TaxCode>,
    pub territory: Name,
    pub status: OrganizationStatus,
    pub predecessors: Vec<OrganizationId>,
    pub successor: Option<OrganizationId>,
    pub registered_at: DateTime<Utc>,
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
                status: OrganizationStatus::Active,
                predecessors: vec![],
                successor: None,
                registered_at: event.recorded_at,
            };
            docs.put(key, filters(None, None, None), p, view);
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
            view.status = OrganizationStatus::Succeeded;
            view.successor = Some(s.successor);
            docs.concern(Kind::Organization, s.successor, p);
        }
        OrganizationEvent::OrganizationDeactivated(_) => {
            view.status = OrganizationStatus::Deactivated
        }
    }
    // No filter column: an organization is read by its id, and nothing asks for the
    // organizations of an organization (each column costs an index entry per version).
    docs.put(key, filters(None, None, None), p, view);
    Ok(())
}
