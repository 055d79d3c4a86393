//! Required variables, checked before anything runs. async-graphql finds a missing required
//! variable only when a field reads it, after the operation's other root fields ran: a
//! mutation's first field committed its change before the second was refused. An operation
//! whose non-null variable without a default is not sent is refused whole, as GraphQL's own
//! coercion of variable values does, with `BAD_USER_INPUT` naming the variable.

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition};

use crate::answer::operation;
use async_graphql::{Name, ServerError, ServerResult, Variables};

/// Refuses the operation `name` picks in `document` when a required variable is not sent.
pub(crate) fn check_required(
    document: &ExecutableDocument,
    name: Option<&str>,
    variables: &Variables,
) -> ServerResult<()> {
    match operation(document, name).and_then(|o| first_missing(o, variables)) {
        Some(missing) => Err(missing),
        None => Ok(()),
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
