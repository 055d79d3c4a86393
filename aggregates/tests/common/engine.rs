#![allow(dead_code)]
//! An in-memory engine for scenario tests: executes commands on aggregates held in maps, keeps
//! the log of every event, keeps the directory current, and runs the cross-aggregate processes
//! on every new event, exactly as the store-backed service does.

use std::collections::HashMap;
use std::sync::Arc;

use aggregates::commitment::*;
use aggregates::ids::*;
use aggregates::meeting::*;
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::processes::{self, PendingCommitment, ProcessCommand};
use aggregates::protocol::*;
use aggregates::working_group::*;
use aggregates::Services;

use crate::common::InMemoryDirectory;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;

#[derive(Debug, Clone)]
pub enum Logged {
    Organization(OrganizationId, OrganizationEvent),
    Network(NetworkId, NetworkEvent),
    Protocol(ProtocolId, ProtocolEvent),
    Commitment(CommitmentId, CommitmentEvent),
    WorkingGroup(WorkingGroupId, WorkingGroupEvent),
    Meeting(MeetingId, MeetingEvent),
}

pub struct Engine {
    pub directory: Arc<InMemoryDirectory>,
    services: Services,
    runtime: tokio::runtime::Runtime,
    pub organizations: HashMap<OrganizationId, Organization>,
    pub networks: HashMap<NetworkId, Network>,
    pub protocols: HashMap<ProtocolId, Protocol>,
    pub commitments: HashMap<CommitmentId, Commitment>,
    pub working_groups: HashMap<WorkingGroupId, WorkingGroup>,
    pub meetings: HashMap<MeetingId, Meeting>,
    pub log: Vec<Logged>,
}

macro_rules! command_fn {
    ($fn:ident, $map:ident, $agg:ty, $id:ty, $variant:ident, $observe:expr) => {
        pub fn $fn(
            &mut self,
            id: $id,
            command: <$agg as Aggregate>::Command,
        ) -> Result<Vec<<$agg as Aggregate>::Event>, <$agg as Aggregate>::Error> {
            let mut aggregate = self.$map.get(&id).cloned().unwrap_or_default();
            let sink = EventSink::<$agg>::default();
            let services = self.services.clone();
            let events = self.runtime.block_on(async {
                aggregate.handle(command, &services, &sink).await?;
                Ok::<_, <$agg as Aggregate>::Error>(sink.collect().await)
            })?;
            self.$map.insert(id, aggregate);
            for event in &events {
                #[allow(clippy::redundant_closure_call)]
                ($observe)(&self.directory, id, event);
                self.log.push(Logged::$variant(id, event.clone()));
                self.run_processes(&Logged::$variant(id, event.clone()));
            }
            Ok(events)
        }
    };
}

impl Engine {
    pub fn new() -> Self {
        let directory = InMemoryDirectory::new();
        Self {
            services: Services::new(directory.clone()),
            directory,
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
            organizations: HashMap::new(),
            networks: HashMap::new(),
            protocols: HashMap::new(),
            commitments: HashMap::new(),
            working_groups: HashMap::new(),
            meetings: HashMap::new(),
            log: Vec::new(),
        }
    }

    command_fn!(
        organization,
        organizations,
        Organization,
        OrganizationId,
        Organization,
        |d: &InMemoryDirectory, id, e| d.observe_organization(id, e)
    );
    command_fn!(
        network,
        networks,
        Network,
        NetworkId,
        Network,
        |d: &InMemoryDirectory, id, e| d.observe_network(id, e)
    );
    command_fn!(
        protocol,
        protocols,
        Protocol,
        ProtocolId,
        Protocol,
        |_: &InMemoryDirectory, _, _| ()
    );
    command_fn!(
        commitment,
        commitments,
        Commitment,
        CommitmentId,
        Commitment,
        |_: &InMemoryDirectory, _, _| ()
    );
    command_fn!(
        working_group,
        working_groups,
        WorkingGroup,
        WorkingGroupId,
        WorkingGroup,
        |d: &InMemoryDirectory, id, e| d.observe_working_group(id, e)
    );
    command_fn!(
        meeting,
        meetings,
        Meeting,
        MeetingId,
        Meeting,
        |_: &InMemoryDirectory, _, _| ()
    );

    /// What the read side would answer: every commitment still owed.
    pub fn pending_commitments(&self) -> Vec<PendingCommitment> {
        self.commitments
            .values()
            .filter(|c| c.status.is_pending())
            .filter_map(|c| {
                Some(PendingCommitment {
                    id: c.id?,
                    network: c.network?,
                    obligor: c.obligor?,
                    source: c.source.clone()?,
                    created_on: c.created_on?,
                })
            })
            .collect()
    }

    fn process_commands(&self, logged: &Logged) -> Vec<ProcessCommand> {
        match logged {
            Logged::Organization(id, e) => processes::on_organization_event(*id, e),
            Logged::Network(id, e) => {
                processes::on_network_event(*id, e, &self.pending_commitments())
            }
            Logged::Protocol(id, e) => match self.protocols.get(id) {
                Some(p) => processes::on_protocol_event(*id, p, e, &self.pending_commitments()),
                None => vec![],
            },
            Logged::Meeting(id, e) => match self.meetings.get(id).and_then(|m| m.network) {
                Some(network) => processes::on_meeting_event(*id, network, e),
                None => vec![],
            },
            Logged::Commitment(..) | Logged::WorkingGroup(..) => vec![],
        }
    }

    fn run_processes(&mut self, logged: &Logged) {
        for command in self.process_commands(logged) {
            let outcome = match command {
                ProcessCommand::Organization(id, c) => self
                    .organization(id, c)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                ProcessCommand::Network(id, c) => {
                    self.network(id, c).map(|_| ()).map_err(|e| e.to_string())
                }
                ProcessCommand::Commitment(id, c) => self
                    .commitment(id, c)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                ProcessCommand::Meeting(id, c) => {
                    self.meeting(id, c).map(|_| ()).map_err(|e| e.to_string())
                }
            };
            outcome.expect("a process command derived from an accepted event succeeds");
        }
    }

    /// Runs every process again over the whole log, as a restarted process manager would;
    /// returns how many new events that wrote.
    pub fn replay_processes(&mut self) -> usize {
        let before = self.log.len();
        let snapshot = self.log.clone();
        for logged in &snapshot {
            self.run_processes(logged);
        }
        self.log.len() - before
    }

    pub fn commitments_of(&self, obligor: OrganizationId) -> Vec<&Commitment> {
        self.commitments
            .values()
            .filter(|c| c.obligor == Some(obligor))
            .collect()
    }
}
