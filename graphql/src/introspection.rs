//! Introspection under its own bound. The standard introspection query (the one GraphiQL,
//! codegen tools and the reference `graphql` package send) nests `ofType` nine levels deep,
//! deeper than the depth that suits ordinary queries; an operation whose root fields are all
//! meta-fields (`__schema`, `__type`, `__typename`) runs on a schema that answers nothing but
//! introspection, with a depth bound of its own. Every other operation keeps the deployment's
//! limits.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};

/// The depth an introspection operation may reach: the standard query's `TypeRef` fragment
/// with its nine `ofType` levels under `__schema { types { fields { type … } } }`.
pub const INTROSPECTION_MAX_DEPTH: usize = 16;

/// Whether the operation a request runs selects nothing but meta-fields at its root.
pub fn is_introspection(query: &str, operation_name: Option<&str>) -> bool {
    async_graphql::parser::parse_query(query)
        .is_ok_and(|document| is_introspection_document(&document, operation_name))
}

/// [`is_introspection`] of a document already parsed.
pub fn is_introspection_document(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> bool {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return false,
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            match operations.values().next() {
                Some(operation) => operation,
                None => return false,
            }
        }
        (DocumentOperations::Multiple(_), None) => return false,
    };
    operation.node.ty == OperationType::Query
        && only_meta_fields(document, &operation.node.selection_set.node, 0)
}

fn only_meta_fields(document: &ExecutableDocument, set: &SelectionSet, depth: usize) -> bool {
    // Fragments at the root nest only so far (and may not form cycles: validation refuses
    // those; here a cycle is simply not introspection).
    if depth > 8 {
        return false;
    }
    set.items.iter().all(|selection| match &selection.node {
        Selection::Field(field) => field.node.name.node.starts_with("__"),
        Selection::InlineFragment(fragment) => {
            only_meta_fields(document, &fragment.node.selection_set.node, depth + 1)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|fragment| {
                only_meta_fields(document, &fragment.node.selection_set.node, depth + 1)
            }),
    })
}

#[cfg(test)]
mod tests {
    use super::is_introspection;

    #[test]
    fn only_operations_of_meta_fields_are_introspection() {
        assert!(is_introspection("{ __schema { types { name } } }", None));
        assert!(is_introspection(
            "query IntrospectionQuery { __schema { ...S } } fragment S on __Schema { types { name } }",
            None
        ));
        assert!(is_introspection(
            "{ ... on Query { __typename __type(name: \"Network\") { name } } }",
            None
        ));
        assert!(!is_introspection(
            "{ __typename networks { totalCount } }",
            None
        ));
        assert!(!is_introspection(
            "{ ...F } fragment F on Query { networks { totalCount } }",
            None
        ));
        assert!(!is_introspection("mutation { __typename }", None));
        assert!(!is_introspection(
            "query A { __typename } query B { networks { totalCount } }",
            None
        ));
        assert!(is_introspection(
            "query A { __typename } query B { networks { totalCount } }",
            Some("A")
        ));
        assert!(!is_introspection(
            "query A { __typename } query B { networks { totalCount } }",
            Some("B")
        ));
        assert!(!is_introspection("{ __schema { ", None));
    }
}
