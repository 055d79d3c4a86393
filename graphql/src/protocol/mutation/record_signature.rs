//! `recordSignature`: its input, payload, access rule and resolver.

use super::*;
use crate::enums::SignatureMethod;

/// Who may call `recordSignature` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("recordSignature", Rule::CoordinatorOrReferent);

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
    pub signed_on: Date,
}

payload!(RecordSignaturePayload, protocol: Protocol);

/// The resolver of `recordSignature`.
#[derive(Default)]
pub struct RecordSignatureMutation;

#[Object]
impl RecordSignatureMutation {
    /// Record a signature of the current version.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn record_signature(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordSignatureInput,
    ) -> ApiResult<RecordSignaturePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RecordSignatureInput,
) -> Result<RecordSignaturePayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        let organization = p.org("organization", &input.organization);
        let office = p.name("signingOffice", &input.signing_office);
        let hash = p.hash("documentHash", &input.document_hash);
        Some(ProtocolCommand::RecordSignature {
            organization: organization?,
            signing_office: office?,
            method: input.method.into(),
            document_hash: hash?,
            signed_on: input.signed_on.0,
        })
    })
    .await
}
