//! The read model of Activity: its document and the fold of its events into it. Filtered by
//! network and, through the parent column, by working group.

use aggregates::activity::{ActivityDetails, ActivityEvent};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: ActivityId,
    pub network: NetworkId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_group: Option<WorkingGroupId>,
    pub details: ActivityDetails,
    /// How many times its details were updated.
    #[serde(default)]
    pub updates: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<FreeText>,
}

impl ActivityView {
    /// Its last day (its first, for a one-day activity).
    pub fn last_day(&self) -> NaiveDate {
        self.details.ends_on.unwrap_or(self.details.starts_on)
    }

    /// Whether it took place (in part) between `from` and `until`, both included.
    pub fn overlaps(&self, from: Option<NaiveDate>, until: Option<NaiveDate>) -> bool {
        from.is_none_or(|f| self.last_day() >= f)
            && until.is_none_or(|u| self.details.starts_on <= u)
    }

    /// How many people it reached, all groups together.
    pub fn audience_total(&self) -> u64 {
        self.details
            .audience
            .iter()
            .map(|a| u64::from(a.count))
            .sum()
    }
}

pub(super) fn project_activity(
    docs: &mut Docs,
    p: i64,
    id: ActivityId,
    e: ActivityEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Activity, id);
    let mut view: ActivityView = match &e {
        ActivityEvent::ActivityRecorded(r) => ActivityView {
            id,
            network: r.network,
            working_group: r.working_group,
            details: r.details.clone(),
            updates: 0,
            cancelled_on: None,
            cancellation_reason: None,
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    if let Some(group) = view.working_group {
        docs.concern(Kind::WorkingGroup, group, p);
    }
    match e {
        ActivityEvent::ActivityRecorded(_) => {}
        ActivityEvent::ActivityUpdated(u) => {
            view.details = u.details;
            view.updates += 1;
        }
        ActivityEvent::ActivityCancelled(c) => {
            view.cancelled_on = Some(c.cancelled_on);
            view.cancellation_reason = Some(c.reason);
        }
    }
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            None,
            view.working_group.map(|g| g.to_string()),
        ),
        p,
        view,
    );
    Ok(())
}
