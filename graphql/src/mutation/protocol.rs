//! The mutations of Protocol: their inputs, payloads and resolvers.

use super::*;

/// A clause of a protocol.
#[derive(InputObject)]
pub struct ClauseInput {
    /// Its number, from 1.
    pub number: u16,
    /// Its text.
    pub text: String,
    /// The commitment every signatory takes on by signing, if any.
    pub commitment: Option<String>,
    /// Due this many days after signing.
    pub due_within_days: Option<u32>,
}

/// The text of a protocol version.
#[derive(InputObject)]
pub struct ProtocolContentInput {
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// Clauses.
    pub clauses: Vec<ClauseInput>,
    /// Valid from.
    pub valid_from: NaiveDate,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Months of tacit renewal; absent: renewed only by an explicit act.
    pub tacit_renewal_months: Option<u16>,
}

impl Parse {
    fn content(&mut self, input: &ProtocolContentInput) -> Option<ProtocolContent> {
        let title = self.name("title", &input.title);
        let purpose = self.text("purpose", &input.purpose);
        let mut clauses = Vec::new();
        for clause in &input.clauses {
            let text = self.text("clauses", &clause.text);
            let commitment = match &clause.commitment {
                Some(c) => self.name("clauses", c).map(|title| {
                    Some(CommitmentTerms {
                        title,
                        due_within_days: clause.due_within_days,
                    })
                }),
                None => Some(None),
            };
            if let (Some(text), Some(commitment)) = (text, commitment) {
                clauses.push(Clause {
                    number: clause.number,
                    text,
                    commitment,
                });
            }
        }
        let validity = self.value(
            "validUntil",
            DateRange::new(input.valid_from, input.valid_until),
        );
        let renewal = match input.tacit_renewal_months {
            Some(months) => RenewalRule::Tacit { months },
            None => RenewalRule::Explicit,
        };
        Some(ProtocolContent {
            title: title?,
            purpose: purpose?,
            clauses,
            validity: validity?,
            renewal,
        })
    }
}

/// Draft a protocol.
#[derive(InputObject)]
pub struct DraftProtocolInput {
    /// The network it governs.
    pub network: ID,
    /// Its kind.
    pub kind: ProtocolKind,
    /// Its text.
    pub content: ProtocolContentInput,
    /// The organizations whose signatures are required.
    pub parties: Vec<ID>,
}
with_field!(DraftProtocolPayload, protocol: Protocol);

/// Replace the text of the version being drafted, or start a revision.
pub struct ProtocolTextInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}
with_field!(AmendProtocolPayload, protocol: Protocol);
with_field!(ReviseProtocolPayload, protocol: Protocol);

/// Publish the drafted version: its text is frozen under the document's hash.
#[derive(InputObject)]
pub struct PublishProtocolVersionInput {
    /// The protocol.
    pub protocol: ID,
    /// The SHA-256 of the document.
    pub document_hash: String,
    /// Published on.
    pub published_on: NaiveDate,
}
with_field!(PublishProtocolVersionPayload, protocol: Protocol);

/// A dated act on a protocol (open for signature, expire, enter into force).
pub struct ProtocolActInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}
with_field!(OpenProtocolForSignaturePayload, protocol: Protocol);
with_field!(EnterProtocolIntoForcePayload, protocol: Protocol);
with_field!(ExpireProtocolPayload, protocol: Protocol);

/// Record a signature of the current version.
#[derive(InputObject)]
pub struct RecordSignatureInput {
    /// The protocol.
    pub protocol: ID,
    /// The signatory.
    pub organization: ID,
    /// The office that signed (e.g. "Sindaco"): never a person's name.
    pub signing_office: String,
    /// How it was signed.
    pub method: SignatureMethod,
    /// The SHA-256 of the document signed.
    pub document_hash: String,
    /// The date it was signed (may be earlier than today: a paper signature).
    pub signed_on: NaiveDate,
}
with_field!(RecordSignaturePayload, protocol: Protocol);

/// A party's act (decline, be added, withdraw).
pub struct ProtocolPartyInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}
with_field!(DeclineProtocolPayload, protocol: Protocol);
with_field!(AddProtocolPartyPayload, protocol: Protocol);
with_field!(RecordProtocolWithdrawalPayload, protocol: Protocol);

/// Renew a protocol in force.
#[derive(InputObject)]
pub struct RenewProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new end of validity.
    pub valid_until: NaiveDate,
    /// Decided on.
    pub decided_on: NaiveDate,
}
with_field!(RenewProtocolPayload, protocol: Protocol);

/// Supersede a protocol by another.
#[derive(InputObject)]
pub struct SupersedeProtocolInput {
    /// The protocol superseded.
    pub protocol: ID,
    /// The protocol that replaces it.
    pub by_protocol: ID,
    /// On.
    pub on: NaiveDate,
}
with_field!(SupersedeProtocolPayload, protocol: Protocol);

/// The input of `amendProtocol`.
#[derive(InputObject)]
pub struct AmendProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}

impl From<AmendProtocolInput> for ProtocolTextInput {
    fn from(input: AmendProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            content: input.content,
        }
    }
}

/// The input of `reviseProtocol`.
#[derive(InputObject)]
pub struct ReviseProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}

impl From<ReviseProtocolInput> for ProtocolTextInput {
    fn from(input: ReviseProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            content: input.content,
        }
    }
}

/// The input of `openProtocolForSignature`.
#[derive(InputObject)]
pub struct OpenProtocolForSignatureInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}

impl From<OpenProtocolForSignatureInput> for ProtocolActInput {
    fn from(input: OpenProtocolForSignatureInput) -> Self {
        Self {
            protocol: input.protocol,
            on: input.on,
            explicit_act: input.explicit_act,
        }
    }
}

/// The input of `enterProtocolIntoForce`.
#[derive(InputObject)]
pub struct EnterProtocolIntoForceInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}

impl From<EnterProtocolIntoForceInput> for ProtocolActInput {
    fn from(input: EnterProtocolIntoForceInput) -> Self {
        Self {
            protocol: input.protocol,
            on: input.on,
            explicit_act: input.explicit_act,
        }
    }
}

/// The input of `expireProtocol`.
#[derive(InputObject)]
pub struct ExpireProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: NaiveDate,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}

impl From<ExpireProtocolInput> for ProtocolActInput {
    fn from(input: ExpireProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            on: input.on,
            explicit_act: input.explicit_act,
        }
    }
}

/// The input of `declineProtocol`.
#[derive(InputObject)]
pub struct DeclineProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

impl From<DeclineProtocolInput> for ProtocolPartyInput {
    fn from(input: DeclineProtocolInput) -> Self {
        Self {
            protocol: input.protocol,
            organization: input.organization,
            on: input.on,
            reason: input.reason,
        }
    }
}

/// The input of `addProtocolParty`.
#[derive(InputObject)]
pub struct AddProtocolPartyInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

impl From<AddProtocolPartyInput> for ProtocolPartyInput {
    fn from(input: AddProtocolPartyInput) -> Self {
        Self {
            protocol: input.protocol,
            organization: input.organization,
            on: input.on,
            reason: input.reason,
        }
    }
}

/// The input of `recordProtocolWithdrawal`.
#[derive(InputObject)]
pub struct RecordProtocolWithdrawalInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: NaiveDate,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

impl From<RecordProtocolWithdrawalInput> for ProtocolPartyInput {
    fn from(input: RecordProtocolWithdrawalInput) -> Self {
        Self {
            protocol: input.protocol,
            organization: input.organization,
            on: input.on,
            reason: input.reason,
        }
    }
}

/// The mutations of Protocol.
#[derive(Default)]
pub struct ProtocolMutation;

#[Object]
impl ProtocolMutation {
    /// Draft a protocol.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn draft_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DraftProtocolInput,
    ) -> ApiResult<DraftProtocolPayload> {
        let access = allow!(ctx, DraftProtocolPayload);
        let id = new_id(ctx, ProtocolId::derived, ProtocolId::new_random);
        let mut p = Parse::default();
        let network = p
            .id("network", &input.network, NodeKind::Network)
            .map(NetworkId);
        let content = p.content(&input.content);
        let parties: Vec<Option<OrganizationId>> =
            input.parties.iter().map(|o| p.org("parties", o)).collect();
        let parties: Option<Vec<OrganizationId>> = parties.into_iter().collect();
        let command = (|| {
            Some(ProtocolCommand::Draft {
                id,
                network: network?,
                kind: input.kind.into(),
                content: content?,
                parties: parties?,
            })
        })();
        run!(
            ctx,
            access,
            DraftProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Replace the text of the version being drafted.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn amend_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AmendProtocolInput,
    ) -> ApiResult<AmendProtocolPayload> {
        let access = allow!(ctx, AmendProtocolPayload);
        let input: ProtocolTextInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = p
            .content(&input.content)
            .map(|content| ProtocolCommand::Amend { content });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            AmendProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Start a new version, which needs new signatures.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn revise_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReviseProtocolInput,
    ) -> ApiResult<ReviseProtocolPayload> {
        let access = allow!(ctx, ReviseProtocolPayload);
        let input: ProtocolTextInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = p
            .content(&input.content)
            .map(|content| ProtocolCommand::Revise { content });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ReviseProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Publish the drafted version under its document's hash.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn publish_protocol_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: PublishProtocolVersionInput,
    ) -> ApiResult<PublishProtocolVersionPayload> {
        let access = allow!(ctx, PublishProtocolVersionPayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let hash = p.hash("documentHash", &input.document_hash);
        let command = hash.map(|document_hash| ProtocolCommand::PublishVersion {
            document_hash,
            published_on: input.published_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            PublishProtocolVersionPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Open the published version for signature.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn open_protocol_for_signature(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: OpenProtocolForSignatureInput,
    ) -> ApiResult<OpenProtocolForSignaturePayload> {
        let access = allow!(ctx, OpenProtocolForSignaturePayload);
        let input: ProtocolActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = Some(ProtocolCommand::OpenForSignature {
            opened_on: input.on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            OpenProtocolForSignaturePayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Record a signature of the current version.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn record_signature(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordSignatureInput,
    ) -> ApiResult<RecordSignaturePayload> {
        let access = allow!(ctx, RecordSignaturePayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let organization = p.org("organization", &input.organization);
        let office = p.name("signingOffice", &input.signing_office);
        let hash = p.hash("documentHash", &input.document_hash);
        let command = (|| {
            Some(ProtocolCommand::RecordSignature {
                organization: organization?,
                signing_office: office?,
                method: input.method.into(),
                document_hash: hash?,
                signed_on: input.signed_on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RecordSignaturePayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// A party declines to sign.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn decline_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DeclineProtocolInput,
    ) -> ApiResult<DeclineProtocolPayload> {
        let access = allow!(ctx, DeclineProtocolPayload);
        let input: ProtocolPartyInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let organization = p.org("organization", &input.organization);
        let reason = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(ProtocolCommand::Decline {
                organization: organization?,
                reason: reason?,
                declined_on: input.on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DeclineProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// The protocol enters into force.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn enter_protocol_into_force(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: EnterProtocolIntoForceInput,
    ) -> ApiResult<EnterProtocolIntoForcePayload> {
        let access = allow!(ctx, EnterProtocolIntoForcePayload);
        let input: ProtocolActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let act = p.opt_text("explicitAct", &input.explicit_act);
        let command = act.map(|explicit_act| ProtocolCommand::EnterIntoForce {
            effective_on: input.on,
            explicit_act,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            EnterProtocolIntoForcePayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Add a party later ("in itinere").
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn add_protocol_party(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AddProtocolPartyInput,
    ) -> ApiResult<AddProtocolPartyPayload> {
        let access = allow!(ctx, AddProtocolPartyPayload);
        let input: ProtocolPartyInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = p
            .org("organization", &input.organization)
            .map(|organization| ProtocolCommand::AddParty {
                organization,
                added_on: input.on,
            });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            AddProtocolPartyPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Record a party's withdrawal.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn record_protocol_withdrawal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordProtocolWithdrawalInput,
    ) -> ApiResult<RecordProtocolWithdrawalPayload> {
        let access = allow!(ctx, RecordProtocolWithdrawalPayload);
        let input: ProtocolPartyInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let organization = p.org("organization", &input.organization);
        let reason = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(ProtocolCommand::RecordWithdrawal {
                organization: organization?,
                reason: reason?,
                effective_on: input.on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RecordProtocolWithdrawalPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Renew a protocol in force.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn renew_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RenewProtocolInput,
    ) -> ApiResult<RenewProtocolPayload> {
        let access = allow!(ctx, RenewProtocolPayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = Some(ProtocolCommand::Renew {
            valid_until: input.valid_until,
            decided_on: input.decided_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RenewProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// The protocol's validity ended.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn expire_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ExpireProtocolInput,
    ) -> ApiResult<ExpireProtocolPayload> {
        let access = allow!(ctx, ExpireProtocolPayload);
        let input: ProtocolActInput = input.into();
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let command = Some(ProtocolCommand::Expire { on: input.on });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ExpireProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }

    /// Another protocol replaces this one.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn supersede_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SupersedeProtocolInput,
    ) -> ApiResult<SupersedeProtocolPayload> {
        let access = allow!(ctx, SupersedeProtocolPayload);
        let mut p = Parse::default();
        let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
        let by = p
            .id("byProtocol", &input.by_protocol, NodeKind::Protocol)
            .map(ProtocolId);
        let command = by.map(|by_protocol| ProtocolCommand::Supersede {
            by_protocol,
            on: input.on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            SupersedeProtocolPayload,
            ProtocolAggregate,
            id,
            p.done(command),
            |id| load_protocol(ctx, &id).await?
        )
    }
}
