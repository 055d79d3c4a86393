//! The read model of WorkingGroup: its documents (their serde form is the stored form) and the
//! fold of its events into them.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkingGroupView {
    pub id: WorkingGroupId,
    pub network: NetworkId,
    pub name: Name,
    pub mandate: FreeText,
    pub lead: OrganizationId,
    pub members: Vec<OrganizationId>,
    pub formed_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
}

pub(super) fn project_working_group(
    docs: &mut Docs,
    p: i64,
    id: WorkingGroupId,
    e: WorkingGroupEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::WorkingGroup, id);
    let mut view: WorkingGroupView = match &e {
        WorkingGroupEvent::WorkingGroupFormed(f) => WorkingGroupView {
            id,
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
        view,
    );
    Ok(())
}
