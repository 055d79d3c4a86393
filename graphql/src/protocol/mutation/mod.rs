//! The mutations of Protocol: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share.

use crate::mutation::*;
use aggregates::ids::*;
use aggregates::protocol::{
    Clause, CommitmentTerms, Protocol as ProtocolAggregate, ProtocolCommand, ProtocolContent,
    RenewalRule,
};
use aggregates::values::DateRange;

mod add_protocol_party;
mod amend_protocol;
mod decline_protocol;
mod draft_protocol;
mod enter_protocol_into_force;
mod expire_protocol;
mod open_protocol_for_signature;
mod publish_protocol_version;
mod record_protocol_withdrawal;
mod record_signature;
mod renew_protocol;
mod revise_protocol;
mod supersede_protocol;

use crate::graph::Protocol;
use crate::lens::Lens;
pub use add_protocol_party::*;
pub use amend_protocol::*;
pub use decline_protocol::*;
pub use draft_protocol::*;
pub use enter_protocol_into_force::*;
pub use expire_protocol::*;
pub use open_protocol_for_signature::*;
pub use publish_protocol_version::*;
pub use record_protocol_withdrawal::*;
pub use record_signature::*;
pub use renew_protocol::*;
pub use revise_protocol::*;
pub use supersede_protocol::*;

/// A clause of a protocol.
#[derive(InputObject)]
pub struct ClauseInput {
    /// Its number, from 1.
    pub number: i32,
    /// Its text.
    pub text: String,
    /// The commitment every signatory takes on by signing, if any.
    pub commitment: Option<String>,
    /// Due this many days after signing.
    pub due_within_days: Option<i32>,
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
    pub valid_from: Date,
    /// Valid until.
    pub valid_until: Option<Date>,
    /// Months of tacit renewal; absent: renewed only by an explicit act.
    pub tacit_renewal_months: Option<i32>,
}

impl Parse {
    fn content(&mut self, input: &ProtocolContentInput) -> Option<ProtocolContent> {
        let title = self.name("content.title", &input.title);
        let purpose = self.text("content.purpose", &input.purpose);
        let mut clauses = Vec::new();
        for clause in &input.clauses {
            let number = self.whole::<u16>("content.clauses.number", clause.number);
            let text = self.text("content.clauses.text", &clause.text);
            let due = match clause.due_within_days {
                Some(days) => self
                    .whole::<u32>("content.clauses.dueWithinDays", days)
                    .map(Some),
                None => Some(None),
            };
            let commitment = match &clause.commitment {
                Some(c) => self.name("content.clauses.commitment", c).zip(due).map(
                    |(title, due_within_days)| {
                        Some(CommitmentTerms {
                            title,
                            due_within_days,
                        })
                    },
                ),
                None => due.map(|_| None),
            };
            if let (Some(number), Some(text), Some(commitment)) = (number, text, commitment) {
                clauses.push(Clause {
                    number,
                    text,
                    commitment,
                });
            }
        }
        let validity = self.value(
            "content.validUntil",
            DateRange::new(input.valid_from.0, input.valid_until.map(|d| d.0)),
        );
        let renewal = match input.tacit_renewal_months {
            Some(months) => self
                .whole::<u16>("content.tacitRenewalMonths", months)
                .map(|months| RenewalRule::Tacit { months }),
            None => Some(RenewalRule::Explicit),
        };
        Some(ProtocolContent {
            title: title?,
            purpose: purpose?,
            clauses,
            validity: validity?,
            renewal: renewal?,
        })
    }
}

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    draft_protocol::RULE,
    amend_protocol::RULE,
    revise_protocol::RULE,
    publish_protocol_version::RULE,
    open_protocol_for_signature::RULE,
    record_signature::RULE,
    decline_protocol::RULE,
    enter_protocol_into_force::RULE,
    add_protocol_party::RULE,
    record_protocol_withdrawal::RULE,
    renew_protocol::RULE,
    expire_protocol::RULE,
    supersede_protocol::RULE,
];

/// The mutations of Protocol.
#[derive(async_graphql::MergedObject, Default)]
pub struct ProtocolMutation(
    DraftProtocolMutation,
    AmendProtocolMutation,
    ReviseProtocolMutation,
    PublishProtocolVersionMutation,
    OpenProtocolForSignatureMutation,
    RecordSignatureMutation,
    DeclineProtocolMutation,
    EnterProtocolIntoForceMutation,
    AddProtocolPartyMutation,
    RecordProtocolWithdrawalMutation,
    RenewProtocolMutation,
    ExpireProtocolMutation,
    SupersedeProtocolMutation,
);

impl Reloaded for Protocol {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .protocol(ProtocolId(uuid), AsOf::Now)
            .await?
            .map(|view| Protocol {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for Protocol {
    type Aggregate = ProtocolAggregate;
    const FIELD: &'static str = "protocol";
    const KIND: NodeKind = NodeKind::Protocol;
}
