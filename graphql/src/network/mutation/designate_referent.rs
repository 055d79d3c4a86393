//! `designateReferent`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `designateReferent` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("designateReferent", Rule::Coordinator);

/// Designate a referent for a member (the person is referenced by id).
#[derive(InputObject)]
pub struct DesignateReferentInput {
    /// The network.
    pub network: ID,
    /// The member.
    pub organization: ID,
    /// The person's id in the personal-data store.
    pub person: ID,
    /// The referent's role.
    pub role: ReferentRole,
    /// Effective from.
    pub effective_on: Date,
}

payload!(DesignateReferentPayload, network: Network);

/// The resolver of `designateReferent`.
#[derive(Default)]
pub struct DesignateReferentMutation;

#[Object]
impl DesignateReferentMutation {
    /// The coordinator designates a referent of a member, at the member's request: the
    /// person's contact details become readable by the network's full readers, so the
    /// coordinator approves the designation by making it (a referent cannot designate anyone
    /// on its own).
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn designate_referent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DesignateReferentInput,
    ) -> ApiResult<DesignateReferentPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: DesignateReferentInput,
) -> Result<DesignateReferentPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let organization = p.org("organization", &input.organization);
        let person = p.person("person", &input.person);
        Some(NetworkCommand::DesignateReferent {
            by,
            organization: organization?,
            referent: ReferentId::new_random(),
            person: person?,
            role: input.role.into(),
            effective_on: input.effective_on.0,
        })
    })
    .await
}
