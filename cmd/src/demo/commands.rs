//! How the demo dataset is written: one helper per kind of fact (an organization, a network
//! and its memberships, a protocol with its signatures, a working group, a meeting), each
//! queueing the commands a coordinator would send, recorded at their business dates.

use super::*;

impl Demo {
    /// Queues one command as `by` (an organization acting through its coordinator role),
    /// recorded at `when`.
    pub(super) async fn run<A>(
        &mut self,
        id: impl ToString,
        by: Option<OrganizationId>,
        when: impl Into<Option<DateTime<Utc>>>,
        command: A::Command,
    ) -> anyhow::Result<()>
    where
        A: Aggregate<Services = aggregates::Services> + Clone + 'static,
        A::Command: Clone + std::fmt::Debug + aggregates::DomainCommand + 'static,
        A::Error: std::fmt::Debug,
    {
        let id = id.to_string();
        let text = format!("{} {:?}", serde_json::to_string(&command)?, by);
        let aggregate = format!("{}/{id}", A::TYPE);
        let run: JobFn = Box::new(move |store: &Store| {
            Box::pin(async move {
                let actor = Actor::loader("demo-loader", by);
                let key = format!("demo/{}/{id}/{:?}", A::TYPE, command);
                let key = uuid::Uuid::new_v5(&DERIVED_ID_NAMESPACE, key.as_bytes());
                let metadata = EventMetadata::new(actor)
                    .with_correlation(key)
                    .with_idempotency_key(key.to_string());
                match store.execute::<A>(&id, command, &metadata).await {
                    Ok(outcome) => Ok(outcome.positions),
                    Err(CommandError::Domain(e)) => {
                        Err(anyhow!("the demo data was refused ({} {id}): {e}", A::TYPE))
                    }
                    Err(e) => Err(anyhow!("{e}")),
                }
            })
        });
        self.jobs.push(Job {
            when: when.into(),
            aggregate,
            group: self.group,
            text,
            run,
        });
        Ok(())
    }

    pub(super) async fn organization(
        &mut self,
        label: &str,
        category: OrganizationCategory,
        territory: &str,
    ) -> anyhow::Result<OrganizationId> {
        self.group += 1;
        let id = OrganizationId::derived(&format!("demo/organization/{label}"));
        self.run::<Organization>(
            id,
            None,
            None,
            OrganizationCommand::Register {
                id,
                name: name(label),
                category,
                tax_code: None,
                territory: name(territory),
            },
        )
        .await?;
        Ok(id)
    }

    pub(super) async fn network(
        &mut self,
        label: &str,
        kind: NetworkKind,
        territory: &str,
        coordinator: OrganizationId,
        on: NaiveDate,
    ) -> anyhow::Result<NetworkId> {
        self.group += 1;
        let id = NetworkId::derived(&format!("demo/network/{label}"));
        self.run::<Network>(
            id,
            Some(coordinator),
            recorded(on),
            NetworkCommand::Establish {
                id,
                name: name(label),
                kind,
                territory: name(territory),
                coordinator,
                established_on: on,
                public: true,
            },
        )
        .await?;
        Ok(id)
    }

    pub(super) async fn join(
        &mut self,
        network: NetworkId,
        coordinator: OrganizationId,
        member: OrganizationId,
        applied: NaiveDate,
        approved: NaiveDate,
    ) -> anyhow::Result<()> {
        self.group += 1;
        self.run::<Network>(
            network,
            Some(member),
            recorded(applied),
            NetworkCommand::Apply {
                organization: member,
                applied_on: applied,
                motivation: None,
            },
        )
        .await?;
        self.run::<Network>(
            network,
            Some(coordinator),
            recorded(approved),
            NetworkCommand::Approve {
                by: coordinator,
                organization: member,
                effective_on: approved,
            },
        )
        .await?;
        // A fictitious referent, by id only.
        self.run::<Network>(
            network,
            Some(member),
            recorded(approved),
            NetworkCommand::DesignateReferent {
                by: member,
                organization: member,
                referent: ReferentId::derived(&format!("demo/referent/{network}/{member}")),
                person: PersonId::derived(&format!("demo/person/{network}/{member}")),
                role: ReferentRole::Institutional,
                effective_on: approved,
            },
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn protocol(
        &mut self,
        label: &str,
        network: NetworkId,
        coordinator: OrganizationId,
        kind: ProtocolKind,
        purpose: &str,
        clauses: &[(&str, Option<u32>)],
        validity: (NaiveDate, Option<NaiveDate>),
        signatories: &[(OrganizationId, NaiveDate, &str)],
    ) -> anyhow::Result<ProtocolId> {
        self.group += 1;
        let id = ProtocolId::derived(&format!("demo/protocol/{label}"));
        let content = ProtocolContent {
            title: name(label),
            purpose: text(purpose),
            clauses: clauses
                .iter()
                .enumerate()
                .map(|(i, (t, days))| Clause {
                    number: i as u16 + 1,
                    text: text(&format!("I soggetti sottoscrittori si impegnano a: {t}")),
                    commitment: days.map(|d| CommitmentTerms {
                        title: name(t),
                        due_within_days: Some(d),
                    }),
                })
                .collect(),
            validity: DateRange::new(validity.0, validity.1).context("demo validity")?,
            renewal: RenewalRule::Explicit,
        };
        let c = Some(coordinator);
        let first = signatories.first().map(|s| vec![s.0]).unwrap_or_default();
        self.run::<Protocol>(
            id,
            c,
            recorded(validity.0),
            ProtocolCommand::Draft {
                id,
                network,
                kind,
                content,
                parties: first,
            },
        )
        .await?;
        self.run::<Protocol>(
            id,
            c,
            recorded(validity.0),
            ProtocolCommand::PublishVersion {
                document_hash: hash(label),
                published_on: validity.0,
            },
        )
        .await?;
        self.run::<Protocol>(
            id,
            c,
            recorded(validity.0),
            ProtocolCommand::OpenForSignature {
                opened_on: validity.0,
            },
        )
        .await?;
        for (i, (org, on, office)) in signatories.iter().enumerate() {
            if i > 0 {
                self.run::<Protocol>(
                    id,
                    c,
                    recorded(*on),
                    ProtocolCommand::AddParty {
                        organization: *org,
                        added_on: *on,
                    },
                )
                .await?;
            }
            self.run::<Protocol>(
                id,
                Some(*org),
                recorded(*on),
                ProtocolCommand::RecordSignature {
                    organization: *org,
                    signing_office: name(office),
                    method: SignatureMethod::Handwritten,
                    document_hash: hash(label),
                    signed_on: *on,
                },
            )
            .await?;
            if i == 0 {
                self.run::<Protocol>(
                    id,
                    c,
                    recorded(*on),
                    ProtocolCommand::EnterIntoForce {
                        effective_on: *on,
                        explicit_act: None,
                    },
                )
                .await?;
            }
        }
        Ok(id)
    }

    pub(super) async fn group(
        &mut self,
        network: NetworkId,
        coordinator: OrganizationId,
        label: &str,
        mandate: &str,
        lead: OrganizationId,
        members: &[OrganizationId],
    ) -> anyhow::Result<()> {
        self.group += 1;
        let id = WorkingGroupId::derived(&format!("demo/group/{network}/{label}"));
        self.run::<WorkingGroup>(
            id,
            Some(coordinator),
            recorded(day(2016, 1, 15)),
            WorkingGroupCommand::Form {
                id,
                network,
                by: coordinator,
                name: name(label),
                mandate: text(mandate),
                lead,
                formed_on: day(2016, 1, 15),
            },
        )
        .await?;
        for member in members {
            self.run::<WorkingGroup>(
                id,
                Some(coordinator),
                recorded(day(2016, 2, 1)),
                WorkingGroupCommand::AddMember {
                    by: coordinator,
                    organization: *member,
                    effective_on: day(2016, 2, 1),
                },
            )
            .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn meeting(
        &mut self,
        network: NetworkId,
        coordinator: OrganizationId,
        label: &str,
        kind: MeetingKind,
        at: chrono::DateTime<Utc>,
        venue: Venue,
        present: &[OrganizationId],
        decision: Option<(&str, Vec<ActionItem>)>,
    ) -> anyhow::Result<()> {
        self.group += 1;
        let id = MeetingId::derived(&format!("demo/meeting/{network}/{label}/{at}"));
        let c = Some(coordinator);
        self.run::<Meeting>(
            id,
            c,
            at - chrono::Duration::days(14),
            MeetingCommand::Schedule {
                id,
                network,
                working_group: None,
                kind,
                title: name(label),
                starts_at: at,
                ends_at: Some(at + chrono::Duration::hours(3)),
                venue,
                agenda: vec![text(label)],
                public: true,
            },
        )
        .await?;
        self.run::<Meeting>(id, c, at, MeetingCommand::Open { opened_at: at })
            .await?;
        for org in present {
            self.run::<Meeting>(
                id,
                c,
                at,
                MeetingCommand::RecordAttendance {
                    organization: *org,
                    attendance: Attendance::Present,
                    represented_by: None,
                },
            )
            .await?;
        }
        if let Some((text_, items)) = decision {
            self.run::<Meeting>(
                id,
                c,
                at + chrono::Duration::hours(2),
                MeetingCommand::RecordDecision {
                    text: text(text_),
                    action_items: items,
                },
            )
            .await?;
        }
        self.run::<Meeting>(
            id,
            c,
            at + chrono::Duration::hours(3),
            MeetingCommand::Close {
                closed_at: at + chrono::Duration::hours(3),
            },
        )
        .await?;
        self.run::<Meeting>(
            id,
            c,
            at + chrono::Duration::days(7),
            MeetingCommand::DraftMinutes {
                document_hash: hash(&format!("minutes/{id}")),
            },
        )
        .await?;
        self.run::<Meeting>(
            id,
            c,
            at + chrono::Duration::days(30),
            MeetingCommand::ApproveMinutes {
                version: 1,
                document_hash: hash(&format!("minutes/{id}")),
                approved_on: (at + chrono::Duration::days(30)).date_naive(),
            },
        )
        .await
    }
}
