//! `recordDecision`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `recordDecision` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("recordDecision", Rule::Coordinator);

/// Record a decision; its action items become commitments.
#[derive(InputObject)]
pub struct RecordDecisionInput {
    /// The meeting (open).
    pub meeting: ID,
    /// What was decided.
    pub text: String,
    /// Action items.
    pub action_items: Vec<ActionItemInput>,
}

payload!(RecordDecisionPayload, meeting: Meeting);

/// The resolver of `recordDecision`.
#[derive(Default)]
pub struct RecordDecisionMutation;

#[Object]
impl RecordDecisionMutation {
    /// Record a decision; its action items become commitments.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn record_decision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordDecisionInput,
    ) -> ApiResult<RecordDecisionPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RecordDecisionInput,
) -> Result<RecordDecisionPayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |p| {
        let text = p.text("text", &input.text);
        let mut items = Vec::new();
        for item in &input.action_items {
            if let (Some(obligor), Some(title)) = (
                p.org("actionItems", &item.obligor),
                p.name("actionItems", &item.title),
            ) {
                items.push(ActionItem {
                    obligor,
                    title,
                    due_on: item.due_on.map(|d| d.0),
                });
            }
        }
        text.map(|text| MeetingCommand::RecordDecision {
            text,
            action_items: items,
        })
    })
    .await
}
