//! The questions users ask, answered from the read models: current state, state "as known at"
//! a past position or recorded instant, state "as effective on" a business date, timelines and
//! the audit log.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aggregates::commitment::CommitmentStatus;
use aggregates::ids::*;
use aggregates::meeting::{Attendance, MeetingStatus};
use aggregates::network::MembershipStatus;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::image::{Column, Image};
use crate::projector::{Projector, ProjectorError};
use crate::sql::{dialect, on_pool};
use crate::store::{Backend, RawEvent, Store, StoreError, StoredEvent, EVENT_COLUMNS};
use crate::timelines::Window;
use crate::views::*;

mod freshness;
mod history;

/// Which state to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AsOf {
    /// As known now.
    Now,
    /// As known once the log had reached this position ("as known then").
    Position(i64),
}

/// A page of the log: forward after a position, or backward before one (the latest first
/// read, answered in log order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    After { after: i64, limit: i64 },
    Before { before: Option<i64>, limit: i64 },
}

/// Filters of the audit log; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub network: Option<NetworkId>,
    pub organization: Option<OrganizationId>,
    pub aggregate_type: Option<String>,
    pub event_type: Option<String>,
    pub actor: Option<String>,
    pub recorded_from: Option<DateTime<Utc>>,
    pub recorded_until: Option<DateTime<Utc>>,
}

/// Whose commitments: a network's, or those an organization has taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentsOf {
    Network(NetworkId),
    Organization(OrganizationId),
}

/// What a list of commitments is narrowed to in SQL (see [`ReadModels::commitments_matching`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitmentCriteria {
    /// Only this status.
    pub status: Option<CommitmentStatus>,
    /// Only those owed by this organization.
    pub obligor: Option<OrganizationId>,
    /// Only those overdue on this date.
    pub overdue_on: Option<NaiveDate>,
}

/// Open and overdue commitments of one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentSummary {
    pub organization: OrganizationId,
    pub open: usize,
    pub overdue: usize,
}

/// How often a member attended the network's meetings in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceRate {
    pub organization: OrganizationId,
    pub meetings: usize,
    pub present: usize,
    pub excused: usize,
    pub absent: usize,
    /// present / meetings (0 when there were no meetings).
    pub rate: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Projector(#[from] ProjectorError),
    #[error("a stored {kind} document cannot be read: {message}")]
    Corrupt { kind: &'static str, message: String },
    /// The database did not show, in time, a change this process already answered as
    /// readable (read-your-writes); the question can be asked again shortly.
    #[error(
        "the read side's database did not reach position {0} in time (see /readyz); ask again shortly"
    )]
    ReadSideBehind(i64),
}

impl From<sqlx::Error> for QueryError {
    fn from(error: sqlx::Error) -> Self {
        QueryError::Store(StoreError::Database(error))
    }
}

/// The read side. Cloned for every request (with the API's state), so its parts are shared:
/// a clone is one reference count, not one per part of the store.
#[derive(Clone)]
pub struct ReadModels(std::sync::Arc<ReadParts>);

#[doc(hidden)]
pub struct ReadParts {
    store: Store,
    projector: Projector,
}

impl std::ops::Deref for ReadModels {
    type Target = ReadParts;
    fn deref(&self) -> &ReadParts {
        &self.0
    }
}

const ACTIVE: &str = "(SELECT active_generation FROM projection_state)";

impl ReadModels {
    pub fn new(store: Store) -> Self {
        Self(std::sync::Arc::new(ReadParts {
            projector: Projector::new(store.clone()),
            store,
        }))
    }

    fn backend(&self) -> &Backend {
        self.store.backend()
    }

    /// The log position reached by the events recorded up to `instant`: reading "as of" it
    /// answers "as known at that moment".
    pub async fn position_at(&self, instant: DateTime<Utc>) -> Result<i64, QueryError> {
        let backend = self.backend();
        Ok(match backend {
            Backend::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT coalesce(max(position), 0) FROM events WHERE recorded_at <= $1",
                )
                .bind(instant)
                .fetch_one(pool)
                .await?
            }
            // SQLite holds `recorded_at` as text: to the millisecond where SQLite wrote the
            // event (`…00.123Z`), to the microsecond where an import did (`…00.123456Z`).
            // Without its zone letter, the first is a prefix of every microsecond of its
            // millisecond, so it sorts at or before them: compared so with the instant to the
            // microsecond, both forms answer as PostgreSQL does. The first bound (the
            // instant's millisecond with its letter, after every form within it) lets the
            // index narrow the rows.
            Backend::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT coalesce(max(position), 0) FROM events
                      WHERE recorded_at <= ?1 AND rtrim(recorded_at, 'Z') <= ?2",
                )
                .bind(instant.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                .bind(instant.format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
                .fetch_one(pool)
                .await?
            }
        })
    }

    /// Whether questions "as of now" are answered from this process's memory (the read image
    /// is live): then batching lookups (a data loader) only adds a wait.
    pub fn answers_now_from_memory(&self) -> bool {
        self.image().is_some()
    }

    /// The read image, when it is live: it answers questions "as of now".
    fn image(&self) -> Option<&Image> {
        self.store
            .image()
            .map(|image| &**image)
            .filter(|image| image.is_live())
    }

    /// The documents of `kind`: those with one of `ids` (all when None), whose `filter`
    /// column has one of the values given, as of `as_of`; from the image "as of now" while it
    /// is live, else one query.
    async fn docs<T: DeserializeOwned + Clone + 'static>(
        &self,
        kind: Kind,
        ids: Option<&[&str]>,
        filter: Option<(Column, &[&str])>,
        as_of: AsOf,
    ) -> Result<Vec<T>, QueryError> {
        if let (AsOf::Now, Some(image)) = (as_of, self.image()) {
            return Ok(image
                .select(kind, ids, filter, |_| true)
                .map_err(ProjectorError::from)?);
        }
        self.docs_where(kind, ids, filter, &[], as_of).await
    }

    /// Like [`Self::docs`], narrowed further by `conditions`: SQL fragments over `doc`, each
    /// with one `$?` for its text value.
    async fn docs_where<T: DeserializeOwned>(
        &self,
        kind: Kind,
        ids: Option<&[&str]>,
        filter: Option<(Column, &[&str])>,
        conditions: &[(&str, &str)],
        as_of: AsOf,
    ) -> Result<Vec<T>, QueryError> {
        let mut sql =
            format!("SELECT doc FROM read_models WHERE generation = {ACTIVE} AND kind = $1");
        let mut next = 2;
        let mut texts: Vec<&str> = vec![kind.as_str()];
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            let placeholders: Vec<String> =
                (next..next + ids.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(" AND id IN ({})", placeholders.join(", ")));
            texts.extend_from_slice(ids);
            next += ids.len();
        }
        if let Some((column, values)) = filter {
            let placeholders: Vec<String> = (next..next + values.len())
                .map(|i| format!("${i}"))
                .collect();
            match values.len() {
                0 => return Ok(vec![]),
                1 => sql.push_str(&format!(" AND {} = ${next}", column.name())),
                _ => sql.push_str(&format!(
                    " AND {} IN ({})",
                    column.name(),
                    placeholders.join(", ")
                )),
            }
            texts.extend_from_slice(values);
            next += values.len();
        }
        for (condition, value) in conditions {
            sql.push_str(" AND ");
            if condition.contains("$?") {
                sql.push_str(&condition.replace("$?", &format!("${next}")));
                texts.push(value);
                next += 1;
            } else {
                sql.push_str(condition);
            }
        }
        let position = match as_of {
            AsOf::Now => {
                sql.push_str(" AND valid_to IS NULL");
                None
            }
            AsOf::Position(p) => {
                sql.push_str(&format!(
                    " AND valid_from <= ${next} AND (valid_to IS NULL OR valid_to > ${next})"
                ));
                Some(p)
            }
        };
        sql.push_str(" ORDER BY id");
        let sql = dialect(self.backend(), &sql);
        self.database_shows_promised().await?;
        let values: Vec<Value> = on_pool!(self.backend(), pool => {
            let mut query = sqlx::query_scalar(&sql);
            for text in &texts {
                query = query.bind(*text);
            }
            if let Some(p) = position {
                query = query.bind(p);
            }
            query.fetch_all(pool).await?
        });
        values
            .into_iter()
            .map(|v| {
                serde_json::from_value(v).map_err(|e| QueryError::Corrupt {
                    kind: kind.as_str(),
                    message: e.to_string(),
                })
            })
            .collect()
    }

    /// The documents of a kind whose filter column equals `value`.
    async fn by<T: DeserializeOwned + Clone + 'static>(
        &self,
        kind: Kind,
        column: Column,
        value: impl ToString,
        as_of: AsOf,
    ) -> Result<Vec<T>, QueryError> {
        let value = value.to_string();
        self.docs(kind, None, Some((column, &[value.as_str()])), as_of)
            .await
    }

    async fn one<T: DeserializeOwned + Clone + 'static>(
        &self,
        kind: Kind,
        id: &str,
        as_of: AsOf,
    ) -> Result<Option<T>, QueryError> {
        Ok(self
            .docs(kind, Some(&[id]), None, as_of)
            .await?
            .into_iter()
            .next())
    }

    pub async fn organization(
        &self,
        id: OrganizationId,
        as_of: AsOf,
    ) -> Result<Option<OrganizationView>, QueryError> {
        self.one(Kind::Organization, &id.to_string(), as_of).await
    }

    /// The organizations among `ids` that exist (as of `as_of`), in one query.
    pub async fn organizations_in(
        &self,
        ids: &[OrganizationId],
        as_of: AsOf,
    ) -> Result<Vec<OrganizationView>, QueryError> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let texts: Vec<String> = chunk.iter().map(ToString::to_string).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            found.extend(
                self.docs::<OrganizationView>(Kind::Organization, Some(&refs), None, as_of)
                    .await?,
            );
        }
        Ok(found)
    }

    pub async fn organizations(&self, as_of: AsOf) -> Result<Vec<OrganizationView>, QueryError> {
        self.docs(Kind::Organization, None, None, as_of).await
    }

    pub async fn network(
        &self,
        id: NetworkId,
        as_of: AsOf,
    ) -> Result<Option<NetworkView>, QueryError> {
        self.one(Kind::Network, &id.to_string(), as_of).await
    }

    pub async fn networks(&self, as_of: AsOf) -> Result<Vec<NetworkView>, QueryError> {
        self.docs(Kind::Network, None, None, as_of).await
    }

    /// Every membership record of a network (any status), with periods and referents.
    pub async fn memberships(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<MembershipView>, QueryError> {
        self.by(Kind::Membership, Column::Network, network, as_of)
            .await
    }

    /// The memberships of several networks, in one query.
    pub async fn memberships_in(
        &self,
        networks: &[NetworkId],
        as_of: AsOf,
    ) -> Result<Vec<MembershipView>, QueryError> {
        let ids: Vec<String> = networks.iter().map(|n| n.to_string()).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.docs(Kind::Membership, None, Some((Column::Network, &ids)), as_of)
            .await
    }

    /// The active members.
    pub async fn members(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<MembershipView>, QueryError> {
        let mut all = self.memberships(network, as_of).await?;
        all.retain(|m| m.status == MembershipStatus::Active);
        Ok(all)
    }

    /// Who was an active member on a business date, as known at `as_of`.
    pub async fn members_on(
        &self,
        network: NetworkId,
        day: NaiveDate,
        as_of: AsOf,
    ) -> Result<Vec<OrganizationId>, QueryError> {
        let all = self.memberships(network, as_of).await?;
        Ok(all
            .into_iter()
            .filter(|m| m.member_on(day))
            .map(|m| m.organization)
            .collect())
    }

    /// The memberships of one organization in every network.
    pub async fn memberships_of(
        &self,
        organization: OrganizationId,
        as_of: AsOf,
    ) -> Result<Vec<MembershipView>, QueryError> {
        self.by(Kind::Membership, Column::Organization, organization, as_of)
            .await
    }

    pub async fn protocol(
        &self,
        id: ProtocolId,
        as_of: AsOf,
    ) -> Result<Option<ProtocolView>, QueryError> {
        self.one(Kind::Protocol, &id.to_string(), as_of).await
    }

    pub async fn protocols(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<ProtocolView>, QueryError> {
        self.by(Kind::Protocol, Column::Network, network, as_of)
            .await
    }

    /// Every signature of a protocol, all versions, in log order.
    pub async fn signatures(
        &self,
        protocol: ProtocolId,
        as_of: AsOf,
    ) -> Result<Vec<SignatureView>, QueryError> {
        let mut all: Vec<SignatureView> = self
            .docs(
                Kind::Signature,
                None,
                Some((Column::Parent, &[protocol.to_string().as_str()])),
                as_of,
            )
            .await?;
        all.sort_by_key(|s| s.position);
        Ok(all)
    }

    /// Which organizations signed the protocol: any version, or only the current one.
    pub async fn signatories(
        &self,
        protocol: ProtocolId,
        current_version_only: bool,
        as_of: AsOf,
    ) -> Result<Vec<OrganizationId>, QueryError> {
        let signatures = self.signatures(protocol, as_of).await?;
        let current = match current_version_only {
            true => self
                .protocol(protocol, as_of)
                .await?
                .map(|p| p.current_version),
            false => None,
        };
        let set: BTreeSet<OrganizationId> = signatures
            .into_iter()
            .filter(|s| current.is_none_or(|v| s.version == v))
            .map(|s| s.organization)
            .collect();
        Ok(set.into_iter().collect())
    }

    /// Which protocols an organization has signed (one entry per version signed).
    pub async fn signatures_by(
        &self,
        organization: OrganizationId,
        as_of: AsOf,
    ) -> Result<Vec<SignatureView>, QueryError> {
        let mut all: Vec<SignatureView> = self
            .docs(
                Kind::Signature,
                None,
                Some((Column::Organization, &[organization.to_string().as_str()])),
                as_of,
            )
            .await?;
        all.sort_by_key(|s| s.position);
        Ok(all)
    }

    /// Active members of the protocol's network that have not signed its current version.
    pub async fn members_without_signature(
        &self,
        protocol: ProtocolId,
        as_of: AsOf,
    ) -> Result<Vec<OrganizationId>, QueryError> {
        let Some(view) = self.protocol(protocol, as_of).await? else {
            return Ok(vec![]);
        };
        let signed: BTreeSet<OrganizationId> = self
            .signatories(protocol, true, as_of)
            .await?
            .into_iter()
            .collect();
        let members = self.members(view.network, as_of).await?;
        Ok(members
            .into_iter()
            .map(|m| m.organization)
            .filter(|o| !signed.contains(o))
            .collect())
    }

    pub async fn commitment(
        &self,
        id: CommitmentId,
        as_of: AsOf,
    ) -> Result<Option<CommitmentView>, QueryError> {
        self.one(Kind::Commitment, &id.to_string(), as_of).await
    }

    pub async fn commitments(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<CommitmentView>, QueryError> {
        self.by(Kind::Commitment, Column::Network, network, as_of)
            .await
    }

    pub async fn commitments_of(
        &self,
        organization: OrganizationId,
        as_of: AsOf,
    ) -> Result<Vec<CommitmentView>, QueryError> {
        self.by(Kind::Commitment, Column::Organization, organization, as_of)
            .await
    }

    /// The commitments of a network, or taken on by an organization, narrowed in SQL by
    /// `criteria` (what it cannot express exactly, it leaves to the caller's own filter: the
    /// answer holds at least every commitment that matches).
    pub async fn commitments_matching(
        &self,
        of: CommitmentsOf,
        criteria: &CommitmentCriteria,
        as_of: AsOf,
    ) -> Result<Vec<CommitmentView>, QueryError> {
        let (column, value) = match of {
            CommitmentsOf::Network(n) => (Column::Network, n.to_string()),
            CommitmentsOf::Organization(o) => (Column::Organization, o.to_string()),
        };
        if let (AsOf::Now, Some(image)) = (as_of, self.image()) {
            // Narrowed before anything is copied out of the image.
            let matches = |c: &CommitmentView| {
                criteria.status.is_none_or(|s| c.status == s)
                    && criteria.obligor.is_none_or(|o| c.obligor == o)
                    && criteria.overdue_on.is_none_or(|day| c.is_overdue(day))
            };
            return Ok(image
                .select(
                    Kind::Commitment,
                    None,
                    Some((column, &[value.as_str()])),
                    matches,
                )
                .map_err(ProjectorError::from)?);
        }
        let mut conditions: Vec<(&str, &str)> = vec![];
        // The stored form of a status is its serde name.
        let status = criteria.status.map(|s| match serde_json::to_value(s) {
            Ok(Value::String(name)) => name,
            _ => String::new(),
        });
        if let Some(status) = &status {
            conditions.push(("doc ->> 'status' = $?", status));
        }
        let obligor = criteria.obligor.map(|o| o.to_string());
        if let Some(obligor) = &obligor {
            conditions.push(("doc ->> 'obligor' = $?", obligor));
        }
        // Dates are stored as ISO text, whose order is the dates' order for years 1 to 9999.
        let overdue_on = criteria
            .overdue_on
            .filter(|d| (1..=9999).contains(&d.year()))
            .map(|d| d.format("%Y-%m-%d").to_string());
        if let Some(day) = &overdue_on {
            conditions.push(("doc ->> 'status' IN ('OPEN', 'IN_PROGRESS')", ""));
            conditions.push(("doc ->> 'due_on' < $?", day));
        }
        self.docs_where(
            Kind::Commitment,
            None,
            Some((column, &[value.as_str()])),
            &conditions,
            as_of,
        )
        .await
    }

    /// Open and overdue commitments per member of a network, overdue judged on `on`.
    pub async fn commitment_summary(
        &self,
        network: NetworkId,
        on: NaiveDate,
        as_of: AsOf,
    ) -> Result<Vec<CommitmentSummary>, QueryError> {
        let mut per: BTreeMap<OrganizationId, CommitmentSummary> = BTreeMap::new();
        for member in self.members(network, as_of).await? {
            per.insert(
                member.organization,
                CommitmentSummary {
                    organization: member.organization,
                    open: 0,
                    overdue: 0,
                },
            );
        }
        for c in self.commitments(network, as_of).await? {
            if !c.is_pending() {
                continue;
            }
            let entry = per.entry(c.obligor).or_insert(CommitmentSummary {
                organization: c.obligor,
                open: 0,
                overdue: 0,
            });
            entry.open += 1;
            if c.is_overdue(on) {
                entry.overdue += 1;
            }
        }
        Ok(per.into_values().collect())
    }

    pub async fn working_group(
        &self,
        id: WorkingGroupId,
        as_of: AsOf,
    ) -> Result<Option<WorkingGroupView>, QueryError> {
        self.one(Kind::WorkingGroup, &id.to_string(), as_of).await
    }

    /// A person (details sealed).
    pub async fn person(
        &self,
        id: PersonId,
        as_of: AsOf,
    ) -> Result<Option<crate::views::PersonView>, QueryError> {
        self.one(Kind::Person, &id.to_string(), as_of).await
    }

    pub async fn service(
        &self,
        id: ServiceId,
        as_of: AsOf,
    ) -> Result<Option<ServiceView>, QueryError> {
        self.one(Kind::Service, &id.to_string(), as_of).await
    }

    pub async fn indicator_set(
        &self,
        id: IndicatorSetId,
        as_of: AsOf,
    ) -> Result<Option<IndicatorSetView>, QueryError> {
        self.one(Kind::IndicatorSet, &id.to_string(), as_of).await
    }

    pub async fn activity(
        &self,
        id: ActivityId,
        as_of: AsOf,
    ) -> Result<Option<ActivityView>, QueryError> {
        self.one(Kind::Activity, &id.to_string(), as_of).await
    }

    /// The activities of a network (its working groups' included), cancelled ones too.
    pub async fn activities(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<ActivityView>, QueryError> {
        self.by(Kind::Activity, Column::Network, network, as_of)
            .await
    }

    pub async fn plan(&self, id: PlanId, as_of: AsOf) -> Result<Option<PlanView>, QueryError> {
        self.one(Kind::Plan, &id.to_string(), as_of).await
    }

    /// The plans of a network.
    pub async fn plans(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<PlanView>, QueryError> {
        self.by(Kind::Plan, Column::Network, network, as_of).await
    }

    pub async fn meeting_series(
        &self,
        id: MeetingSeriesId,
        as_of: AsOf,
    ) -> Result<Option<MeetingSeriesView>, QueryError> {
        self.one(Kind::MeetingSeries, &id.to_string(), as_of).await
    }

    /// The meeting series of a network.
    pub async fn meeting_series_of(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<MeetingSeriesView>, QueryError> {
        self.by(Kind::MeetingSeries, Column::Network, network, as_of)
            .await
    }

    /// The indicator sets of a network.
    pub async fn indicator_sets(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<IndicatorSetView>, QueryError> {
        self.by(Kind::IndicatorSet, Column::Network, network, as_of)
            .await
    }

    /// Every service of every network (any status), in id order.
    pub async fn services(&self, as_of: AsOf) -> Result<Vec<ServiceView>, QueryError> {
        self.docs(Kind::Service, None, None, as_of).await
    }

    /// The services of a network (any status).
    pub async fn services_of(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<ServiceView>, QueryError> {
        self.by(Kind::Service, Column::Network, network, as_of)
            .await
    }

    pub async fn working_groups(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<WorkingGroupView>, QueryError> {
        self.by(Kind::WorkingGroup, Column::Network, network, as_of)
            .await
    }

    pub async fn meeting(
        &self,
        id: MeetingId,
        as_of: AsOf,
    ) -> Result<Option<MeetingView>, QueryError> {
        self.one(Kind::Meeting, &id.to_string(), as_of).await
    }

    pub async fn meetings(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<MeetingView>, QueryError> {
        self.by(Kind::Meeting, Column::Network, network, as_of)
            .await
    }

    pub async fn attendance(
        &self,
        meeting: MeetingId,
        as_of: AsOf,
    ) -> Result<Vec<AttendanceView>, QueryError> {
        self.by(Kind::Attendance, Column::Parent, meeting, as_of)
            .await
    }

    /// Attendance per active member over the network's meetings that started in
    /// `[from, until)` and were not cancelled.
    pub async fn attendance_rates(
        &self,
        network: NetworkId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        as_of: AsOf,
    ) -> Result<Vec<AttendanceRate>, QueryError> {
        let meetings: Vec<MeetingView> = self
            .meetings(network, as_of)
            .await?
            .into_iter()
            .filter(|m| {
                m.status != MeetingStatus::Cancelled && m.starts_at >= from && m.starts_at < until
            })
            .collect();
        let mut rates: BTreeMap<OrganizationId, AttendanceRate> = BTreeMap::new();
        let blank = |organization| AttendanceRate {
            organization,
            meetings: meetings.len(),
            present: 0,
            excused: 0,
            absent: 0,
            rate: 0.0,
        };
        for member in self.members(network, as_of).await? {
            rates.insert(member.organization, blank(member.organization));
        }
        let attendance: Vec<AttendanceView> = self
            .by(Kind::Attendance, Column::Network, network, as_of)
            .await?;
        let held: BTreeSet<MeetingId> = meetings.iter().map(|m| m.id).collect();
        for a in attendance.iter().filter(|a| held.contains(&a.meeting)) {
            let entry = rates
                .entry(a.organization)
                .or_insert_with(|| blank(a.organization));
            match a.attendance {
                Attendance::Present => entry.present += 1,
                Attendance::Excused => entry.excused += 1,
                Attendance::Absent => entry.absent += 1,
            }
        }
        for rate in rates.values_mut() {
            rate.rate = if rate.meetings == 0 {
                0.0
            } else {
                rate.present as f64 / rate.meetings as f64
            };
        }
        Ok(rates.into_values().collect())
    }
}
