//! The national-scale dataset: a deterministic generator of commands, loaded through the
//! command service (the path every mutation takes), so that what it writes is exactly what the
//! aggregates and the processes decide.
//!
//! At scale 1 it is the shape of a national deployment: 250 networks, 2,000 organizations,
//! 600 protocols (a third of them revised to a second version), 15,000 signatures, 10,000
//! meetings with 80,000 attendance records, 40,000 commitments (30,000 taken on by signing
//! protocol clauses, written by the processes, and 10,000 from meetings' action items) and
//! 150,000 further commitment events — about 374,000 events. Every count scales with the
//! number of networks (`Scale::networks`), so tests load one or two networks of the same shape.
//!
//! Ids are derived from the plan, dates from each network's number: two loads of the same scale
//! write the same events to every aggregate (only commit order and metadata differ).

use crate::fixtures::{name, text};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use aggregates::commitment::*;
use aggregates::ids::*;
use aggregates::meeting::*;
use aggregates::metadata::{Actor, EventMetadata};
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::processes::{action_item_commitment_id, clause_commitment_id};
use aggregates::protocol::*;
use aggregates::values::*;
use aggregates::working_group::*;
use aggregates::Services;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use cqrs_es::Aggregate;
use futures::{StreamExt, TryStreamExt};
use projections::store::{CommandError, Store};
use uuid::Uuid;

/// Organizations registered per network (each also joins neighbouring networks).
pub const ORGANIZATIONS_PER_NETWORK: usize = 8;
/// Member organizations per network (drawn from its own and the following networks').
pub const MEMBERS_PER_NETWORK: usize = 30;
/// Parties, all of whom sign, per protocol.
pub const PARTIES_PER_PROTOCOL: usize = 25;
/// Meetings per network.
pub const MEETINGS_PER_NETWORK: usize = 40;
/// Organizations whose attendance each meeting records.
pub const ATTENDANCE_PER_MEETING: usize = 8;
/// Clauses of every protocol that oblige each signatory.
const COMMITMENT_CLAUSES: u16 = 2;

/// How much to generate: the national dataset is 250 networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub networks: usize,
}

impl Scale {
    pub const NATIONAL: Scale = Scale { networks: 250 };

    /// A fraction of the national dataset (at least one network).
    pub fn fraction(f: f64) -> Self {
        Scale {
            networks: ((250.0 * f).round() as usize).max(1),
        }
    }

    fn organizations(&self) -> usize {
        self.networks * ORGANIZATIONS_PER_NETWORK
    }
}

/// What a load wrote, by kind.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Loaded {
    pub networks: usize,
    pub organizations: usize,
    pub memberships: usize,
    pub protocols: usize,
    pub protocol_versions: usize,
    pub signatures: usize,
    pub working_groups: usize,
    pub meetings: usize,
    pub attendance_records: usize,
    pub commitments: usize,
    pub further_commitment_events: usize,
    /// Every event in the store once the processes caught up.
    pub events: usize,
    /// Commands executed by the loader (the processes' own commands not included).
    pub commands: usize,
    pub seconds: f64,
}

fn uid(kind: u8, a: usize, b: usize) -> Uuid {
    Uuid::from_u128(
        (0x6e61_7469_6f6e_u128 << 80) | ((kind as u128) << 64) | ((a as u128) << 32) | b as u128,
    )
}
pub fn organization(k: usize) -> OrganizationId {
    OrganizationId(uid(1, k, 0))
}
pub fn network_id(n: usize) -> NetworkId {
    NetworkId(uid(2, n, 0))
}
pub fn protocol_id(n: usize, p: usize) -> ProtocolId {
    ProtocolId(uid(3, n, p))
}
pub fn meeting_id(n: usize, m: usize) -> MeetingId {
    MeetingId(uid(4, n, m))
}
fn hash(kind: u8, a: usize, b: usize) -> DocumentHash {
    DocumentHash::parse(&format!("{:064x}", uid(kind, a, b).as_u128())).expect("64 hex digits")
}

/// A valid 11-digit tax code (with its check digit), unique to organization `k`.
fn tax_code(k: usize) -> TaxCode {
    let digits = format!("{:010}", 8_000_000_000u64 + k as u64);
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| match i % 2 {
            0 => d,
            _ if d * 2 > 9 => d * 2 - 9,
            _ => d * 2,
        })
        .sum();
    TaxCode::parse(&format!("{digits}{}", (10 - sum % 10) % 10)).expect("a valid tax code")
}

/// The first day of network `n`.
fn day0(n: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2015, 1, 1).expect("a date") + Days::new((n % 365) as u64)
}

/// The coordinator and members of network `n`.
pub fn members(scale: Scale, n: usize) -> (OrganizationId, Vec<OrganizationId>) {
    let total = scale.organizations();
    let first = n * ORGANIZATIONS_PER_NETWORK;
    let members = (1..total)
        .map(|j| organization((first + j) % total))
        .take(MEMBERS_PER_NETWORK)
        .collect();
    (organization(first), members)
}

fn protocols_of(n: usize) -> usize {
    if n % 5 < 2 {
        3
    } else {
        2
    }
}

fn revised(n: usize, p: usize) -> bool {
    (n + p).is_multiple_of(3)
}

/// A commitment the loader follows up: its id, obligor and the day it was taken on.
struct Owed {
    id: CommitmentId,
    obligor: OrganizationId,
    created_on: NaiveDate,
}

/// Clause commitments (written by the signing process) and action items of network `n`, in
/// plan order.
fn owed(scale: Scale, n: usize) -> Vec<Owed> {
    let (_, members) = members(scale, n);
    let mut owed = Vec::new();
    for p in 0..protocols_of(n) {
        for (i, party) in parties(&members, p).into_iter().enumerate() {
            for clause in 1..=COMMITMENT_CLAUSES {
                owed.push(Owed {
                    id: clause_commitment_id(protocol_id(n, p), 1, clause, party),
                    obligor: party,
                    created_on: signed_on(n, p, i),
                });
            }
        }
    }
    for m in 0..MEETINGS_PER_NETWORK {
        owed.push(Owed {
            id: action_item_commitment_id(meeting_id(n, m), 1, 1),
            obligor: members[m % members.len()],
            created_on: meeting_start(n, m).date_naive(),
        });
    }
    owed
}

fn parties(members: &[OrganizationId], p: usize) -> Vec<OrganizationId> {
    (0..PARTIES_PER_PROTOCOL.min(members.len()))
        .map(|i| members[(p * 5 + i) % members.len()])
        .collect()
}

fn protocol_start(n: usize, p: usize) -> NaiveDate {
    day0(n) + Days::new(60 + 200 * p as u64)
}

fn signed_on(n: usize, p: usize, i: usize) -> NaiveDate {
    protocol_start(n, p) + Days::new(1 + i as u64)
}

fn meeting_start(n: usize, m: usize) -> chrono::DateTime<Utc> {
    let day = day0(n) + Days::new(100 + 14 * m as u64);
    Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).expect("a time"))
}

/// Runs commands through the command service; counts what it did.
#[derive(Clone)]
struct Loader {
    store: Store,
    commands: Arc<AtomicUsize>,
}

impl Loader {
    async fn run<A>(
        &self,
        id: impl ToString,
        by: Option<OrganizationId>,
        command: A::Command,
    ) -> anyhow::Result<()>
    where
        A: Aggregate<Services = Services> + Clone + 'static,
        A::Command: Clone + std::fmt::Debug + aggregates::DomainCommand + 'static,
    {
        let id = id.to_string();
        let actor = Actor::loader("dataset-loader", by);
        let metadata = EventMetadata::new(actor).with_correlation(Uuid::new_v4());
        match self.store.execute::<A>(&id, command, &metadata).await {
            Ok(_) => {
                self.commands.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(CommandError::Domain(e)) => Err(anyhow::anyhow!(
                "the generated command was refused ({} {id}): {e}",
                A::TYPE
            )),
            Err(e) => Err(anyhow::anyhow!("{} {id}: {e}", A::TYPE)),
        }
    }

    async fn organizations(&self, scale: Scale, n: usize) -> anyhow::Result<()> {
        let categories = OrganizationCategory::ALL;
        for i in 0..ORGANIZATIONS_PER_NETWORK {
            let k = n * ORGANIZATIONS_PER_NETWORK + i;
            let id = organization(k);
            // One in four carries a tax code (unique: derived from its number).
            let tax_code = k.is_multiple_of(4).then(|| tax_code(k));
            self.run::<Organization>(
                id,
                None,
                OrganizationCommand::Register {
                    id,
                    name: name(&format!("Ente {k}")),
                    category: categories[k % categories.len()],
                    tax_code,
                    territory: name(&format!("Territorio {}", k % scale.networks.max(1))),
                },
            )
            .await?;
        }
        Ok(())
    }

    async fn network(&self, scale: Scale, n: usize) -> anyhow::Result<()> {
        let d = |days: u64| day0(n) + Days::new(days);
        let network = network_id(n);
        let (coordinator, members) = members(scale, n);
        let c = Some(coordinator);
        self.run::<Network>(
            network,
            c,
            NetworkCommand::Establish {
                id: network,
                name: name(&format!("Rete {n}")),
                kind: NetworkKind::ALL[n % NetworkKind::ALL.len()],
                territory: name(&format!("Territorio {n}")),
                coordinator,
                established_on: d(0),
                public: n % 10 != 9,
            },
        )
        .await?;
        for (i, member) in members.iter().enumerate() {
            self.run::<Network>(
                network,
                Some(*member),
                NetworkCommand::Apply {
                    organization: *member,
                    applied_on: d(1),
                    motivation: None,
                },
            )
            .await?;
            self.run::<Network>(
                network,
                c,
                NetworkCommand::Approve {
                    by: coordinator,
                    organization: *member,
                    effective_on: d(20 + i as u64),
                },
            )
            .await?;
            self.run::<Network>(
                network,
                Some(*member),
                NetworkCommand::DesignateReferent {
                    by: *member,
                    organization: *member,
                    referent: ReferentId(uid(5, n, i)),
                    person: PersonId(uid(6, n, i)),
                    role: ReferentRole::ALL[i % ReferentRole::ALL.len()],
                    effective_on: d(20 + i as u64),
                },
            )
            .await?;
        }
        for p in 0..protocols_of(n) {
            self.protocol(n, p, coordinator, &members).await?;
        }
        let group = WorkingGroupId(uid(7, n, 0));
        self.run::<WorkingGroup>(
            group,
            c,
            WorkingGroupCommand::Form {
                id: group,
                network,
                by: coordinator,
                name: name("Formazione"),
                mandate: text("Moduli formativi congiunti"),
                lead: members[0],
                formed_on: d(70),
            },
        )
        .await?;
        for member in members.iter().skip(1).take(4) {
            self.run::<WorkingGroup>(
                group,
                c,
                WorkingGroupCommand::AddMember {
                    by: coordinator,
                    organization: *member,
                    effective_on: d(71),
                },
            )
            .await?;
        }
        for m in 0..MEETINGS_PER_NETWORK {
            self.meeting(n, m, coordinator, &members).await?;
        }
        Ok(())
    }

    async fn protocol(
        &self,
        n: usize,
        p: usize,
        coordinator: OrganizationId,
        members: &[OrganizationId],
    ) -> anyhow::Result<()> {
        let id = protocol_id(n, p);
        let c = Some(coordinator);
        let start = protocol_start(n, p);
        let content = |version: usize| ProtocolContent {
            title: name(&format!("Protocollo d'intesa {n}-{p} v{version}")),
            purpose: text("Rafforzare la rete territoriale antiviolenza"),
            clauses: (1..=COMMITMENT_CLAUSES + 1)
                .map(|clause| Clause {
                    number: clause,
                    text: text(&format!("Clausola {clause}")),
                    commitment: (clause <= COMMITMENT_CLAUSES).then(|| CommitmentTerms {
                        title: name(&format!("Impegno {clause}")),
                        due_within_days: Some(if clause == 1 { 30 } else { 90 }),
                    }),
                })
                .collect(),
            validity: DateRange::new(start, Some(start + Days::new(5 * 365))).expect("a range"),
            renewal: RenewalRule::Explicit,
        };
        let parties = parties(members, p);
        self.run::<Protocol>(
            id,
            c,
            ProtocolCommand::Draft {
                id,
                network: network_id(n),
                kind: ProtocolKind::ALL[p % ProtocolKind::ALL.len()],
                content: content(1),
                parties: parties.clone(),
            },
        )
        .await?;
        self.run::<Protocol>(
            id,
            c,
            ProtocolCommand::PublishVersion {
                document_hash: hash(8, n, p),
                published_on: start,
            },
        )
        .await?;
        self.run::<Protocol>(
            id,
            c,
            ProtocolCommand::OpenForSignature { opened_on: start },
        )
        .await?;
        for (i, party) in parties.iter().enumerate() {
            self.run::<Protocol>(
                id,
                Some(*party),
                ProtocolCommand::RecordSignature {
                    organization: *party,
                    signing_office: name("Legale rappresentante"),
                    method: SignatureMethod::ALL[i % SignatureMethod::ALL.len()],
                    document_hash: hash(8, n, p),
                    signed_on: signed_on(n, p, i),
                },
            )
            .await?;
        }
        self.run::<Protocol>(
            id,
            c,
            ProtocolCommand::EnterIntoForce {
                effective_on: signed_on(n, p, parties.len()),
                explicit_act: None,
            },
        )
        .await?;
        if revised(n, p) {
            // A second version under way: published and open, not yet signed.
            let on = start + Days::new(400);
            self.run::<Protocol>(
                id,
                c,
                ProtocolCommand::Revise {
                    content: content(2),
                },
            )
            .await?;
            self.run::<Protocol>(
                id,
                c,
                ProtocolCommand::PublishVersion {
                    document_hash: hash(9, n, p),
                    published_on: on,
                },
            )
            .await?;
            self.run::<Protocol>(id, c, ProtocolCommand::OpenForSignature { opened_on: on })
                .await?;
        }
        Ok(())
    }

    async fn meeting(
        &self,
        n: usize,
        m: usize,
        coordinator: OrganizationId,
        members: &[OrganizationId],
    ) -> anyhow::Result<()> {
        let id = meeting_id(n, m);
        let c = Some(coordinator);
        let at = meeting_start(n, m);
        self.run::<Meeting>(
            id,
            c,
            MeetingCommand::Schedule {
                id,
                network: network_id(n),
                working_group: None,
                kind: [
                    MeetingKind::Plenary,
                    MeetingKind::Workshop,
                    MeetingKind::DistrictLab,
                ][m % 3],
                title: name(&format!("Seduta {m}")),
                starts_at: at,
                ends_at: Some(at + chrono::Duration::hours(3)),
                venue: Venue::InPerson {
                    address: name("Sede del Tavolo"),
                },
                agenda: vec![text("Monitoraggio degli impegni")],
                public: m % 3 != 2,
            },
        )
        .await?;
        self.run::<Meeting>(id, c, MeetingCommand::Open { opened_at: at })
            .await?;
        for j in 0..ATTENDANCE_PER_MEETING.min(members.len()) {
            self.run::<Meeting>(
                id,
                c,
                MeetingCommand::RecordAttendance {
                    organization: members[(m + j) % members.len()],
                    attendance: if j % 4 == 3 {
                        Attendance::Excused
                    } else {
                        Attendance::Present
                    },
                    represented_by: None,
                },
            )
            .await?;
        }
        self.run::<Meeting>(
            id,
            c,
            MeetingCommand::RecordDecision {
                text: text("Si approva il piano di lavoro"),
                action_items: vec![ActionItem {
                    obligor: members[m % members.len()],
                    title: name("Relazione sul piano di lavoro"),
                    due_on: Some(at.date_naive() + Days::new(60)),
                }],
            },
        )
        .await?;
        self.run::<Meeting>(
            id,
            c,
            MeetingCommand::Close {
                closed_at: at + chrono::Duration::hours(3),
            },
        )
        .await?;
        self.run::<Meeting>(
            id,
            c,
            MeetingCommand::DraftMinutes {
                document_hash: hash(10, n, m),
            },
        )
        .await?;
        self.run::<Meeting>(
            id,
            c,
            MeetingCommand::ApproveMinutes {
                version: 1,
                document_hash: hash(10, n, m),
                approved_on: at.date_naive() + Days::new(30),
            },
        )
        .await
    }

    /// Three progress reports, then (three times in four) fulfilment — one in eight late;
    /// the rest stay open, overdue once their due date passed.
    async fn follow_up(&self, i: usize, owed: Owed) -> anyhow::Result<usize> {
        let by = Some(owed.obligor);
        for k in 1..=3u64 {
            self.run::<Commitment>(
                owed.id,
                by,
                CommitmentCommand::ReportProgress {
                    by: owed.obligor,
                    note: text(&format!("Avanzamento {k}")),
                    reported_on: owed.created_on + Days::new(5 * k),
                },
            )
            .await?;
        }
        if i % 4 == 3 {
            return Ok(3);
        }
        let days = if i % 8 == 1 { 150 } else { 25 };
        self.run::<Commitment>(
            owed.id,
            by,
            CommitmentCommand::Fulfil {
                by: owed.obligor,
                note: text("Adempiuto"),
                evidence: None,
                fulfilled_on: owed.created_on + Days::new(days),
            },
        )
        .await?;
        Ok(4)
    }
}

/// Loads the dataset at `scale` into `store` with `workers` concurrent streams of commands,
/// reporting progress to `progress` (a line now and then). The store must not hold this
/// dataset already. Runs the processes (and the projector) until they followed everything.
pub async fn load(
    store: &Store,
    scale: Scale,
    workers: usize,
    progress: impl Fn(&str),
) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let loader = Loader {
        store: store.clone(),
        commands: Arc::new(AtomicUsize::new(0)),
    };
    let workers = workers.max(1);
    let networks = scale.networks;
    futures::stream::iter(0..networks)
        .map(|n| {
            let loader = loader.clone();
            async move { loader.organizations(scale, n).await }
        })
        .buffer_unordered(workers)
        .try_collect::<Vec<()>>()
        .await?;
    progress(&format!(
        "{} organizations registered",
        scale.organizations()
    ));
    // The processes follow the log meanwhile, as in a server (they use the time the loader's
    // commands spend waiting on the database).
    let processes = projections::processes::ProcessManager::new(store.clone()).spawn();
    let networks_loaded = futures::stream::iter(0..networks)
        .map(|n| {
            let loader = loader.clone();
            async move { loader.network(scale, n).await }
        })
        .buffer_unordered(workers)
        .try_collect::<Vec<()>>()
        .await;
    processes.shutdown(std::time::Duration::from_secs(30)).await;
    networks_loaded?;
    progress(&format!(
        "{networks} networks with their memberships, protocols and meetings ({} commands, {:.0} s)",
        loader.commands.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    ));
    // The signatures' commitments are the processes' work: let them follow the log first.
    projections::catch_up_all(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    progress(&format!(
        "processes caught up ({:.0} s)",
        started.elapsed().as_secs_f64()
    ));
    let owed: Vec<Owed> = (0..networks).flat_map(|n| owed(scale, n)).collect();
    let commitments = owed.len();
    let further: usize = futures::stream::iter(owed.into_iter().enumerate())
        .map(|(i, o)| {
            let loader = loader.clone();
            async move { loader.follow_up(i, o).await }
        })
        .buffer_unordered(workers)
        .try_fold(0, |sum, n| async move { Ok(sum + n) })
        .await?;
    projections::catch_up_all(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let protocols: usize = (0..networks).map(protocols_of).sum();
    let revisions = (0..networks)
        .flat_map(|n| (0..protocols_of(n)).map(move |p| revised(n, p)))
        .filter(|r| *r)
        .count();
    let member_counts: Vec<usize> = (0..networks).map(|n| members(scale, n).1.len()).collect();
    let loaded = Loaded {
        networks,
        organizations: scale.organizations(),
        memberships: member_counts.iter().sum(),
        protocols,
        protocol_versions: protocols + revisions,
        signatures: (0..networks)
            .map(|n| protocols_of(n) * PARTIES_PER_PROTOCOL.min(member_counts[n]))
            .sum(),
        working_groups: networks,
        meetings: networks * MEETINGS_PER_NETWORK,
        attendance_records: member_counts
            .iter()
            .map(|m| MEETINGS_PER_NETWORK * ATTENDANCE_PER_MEETING.min(*m))
            .sum(),
        commitments,
        further_commitment_events: further,
        events: store.count_events().await? as usize,
        commands: loader.commands.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
    };
    progress(&format!(
        "loaded {} events in {:.0} s",
        loaded.events, loaded.seconds
    ));
    Ok(loaded)
}

/// Registers `count` organizations named `{prefix} {k}` (sixteen at a time) and answers their
/// ids, for measures that need organizations of their own.
pub async fn register_organizations(
    store: &Store,
    prefix: &str,
    count: usize,
) -> anyhow::Result<Vec<OrganizationId>> {
    let ids: Vec<OrganizationId> = (0..count)
        .map(|k| OrganizationId::derived(&format!("{prefix}/{k}")))
        .collect();
    futures::stream::iter(ids.iter().copied().enumerate())
        .map(|(k, id)| {
            let store = store.clone();
            let name = name(&format!("{prefix} {k}"));
            async move {
                store
                    .execute::<Organization>(
                        &id.to_string(),
                        OrganizationCommand::Register {
                            id,
                            name,
                            category: OrganizationCategory::Comune,
                            tax_code: None,
                            territory: crate::fixtures::name("Territorio"),
                        },
                        &EventMetadata::new(Actor::loader("dataset-loader", None)),
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(ids)
}
