//! Required variables, checked before anything runs. async-graphql finds a missing required
//! variable only when a field reads it, after the operation's other root fields ran: a
//! mutation's first field committed its change before the second was refused. An operation
//! whose non-null variable without a default is not sent is refused whole, as GraphQL's own
//! coercion of variable values does, with `BAD_USER_INPUT` naming the variable.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition};

use crate::answer::operation;
use async_graphql::{Name, Request, ServerError, ServerResult, Variables};

/// The extension (one per request: it remembers the request's `operationName`).
pub(crate) struct RequiredVariables;

impl ExtensionFactory for RequiredVariables {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequiredVariablesExtension::default())
    }
}

#[derive(Default)]
struct RequiredVariablesExtension {
    operation_name: crate::answer::OperationName,
}

#[async_trait::async_trait]
impl Extension for RequiredVariablesExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.operation_name.learn(&request);
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let name = self.operation_name.get();
        if let Some(operation) = operation(&document, name.as_deref()) {
            if let Some(missing) = first_missing(operation, variables) {
                return Err(missing);
            }
        }
        Ok(document)
    }
}

/// The refusal of the first required variable (non-null, without a default) not sent.
fn first_missing(operation: &OperationDefinition, variables: &Variables) -> Option<ServerError> {
    operation
        .variable_definitions
        .iter()
        .find_map(|definition| {
            let definition = &definition.node;
            let name = &definition.name.node;
            let required = definition.default_value().is_none();
            (required && !variables.contains_key(&Name::new(name.as_str()))).then(|| {
                let mut error = ServerError::new(
                    format!(
                        "Variable \"${name}\" of required type \"{}\" was not provided.",
                        definition.var_type.node
                    ),
                    Some(definition.name.pos),
                );
                let extensions = error.extensions.get_or_insert_with(Default::default);
                extensions.set("code", "BAD_USER_INPUT");
                extensions.set("variable", name.as_str());
                error
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(query: &str, name: Option<&str>, variables: serde_json::Value) -> Option<String> {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        let variables = Variables::from_json(variables);
        operation(&document, name)
            .and_then(|o| first_missing(o, &variables))
            .map(|e| e.message)
    }

    #[test]
    fn only_a_required_variable_not_sent_is_missing() {
        let query = "query($a: ID!, $b: ID!, $c: ID, $d: Int! = 3) { __typename }";
        assert_eq!(
            missing(query, None, serde_json::json!({"a": "x"})).as_deref(),
            Some("Variable \"$b\" of required type \"ID!\" was not provided.")
        );
        assert_eq!(
            missing(query, None, serde_json::json!({"a": "x", "b": "y"})),
            None
        );
        // Sent as null: validation refuses it, with the argument it is used for.
        assert_eq!(
            missing(query, None, serde_json::json!({"a": null, "b": "y"})),
            None
        );
        // The operation the request names; other operations' variables do not count.
        let two = "query A($a: ID!) { __typename } query B { __typename }";
        assert!(missing(two, Some("A"), serde_json::json!({})).is_some());
        assert_eq!(missing(two, Some("B"), serde_json::json!({})), None);
        assert_eq!(missing(two, None, serde_json::json!({})), None);
    }
}
