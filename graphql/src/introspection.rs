//! Introspection under its own bound. The standard introspection query (the one GraphiQL,
//! codegen tools and the reference `graphql` package send) nests `ofType` nine levels deep,
//! deeper than the depth that suits ordinary queries; an operation whose root fields are all
//! meta-fields (`__schema`, `__type`, `__typename`) runs on a schema that answers nothing but
//! introspection, with a depth bound of its own. Every other operation keeps the deployment's
//! limits.
//!
//! Neither bound sees what an introspection selection costs: `__schema { types { fields … } }`
//! answers every type of the schema, so a few kilobytes of aliased copies of it ask for tens of
//! megabytes. [`introspection_cost`] estimates the entries an operation's meta-fields answer,
//! and an operation over [`INTROSPECTION_MAX_COST`] is refused before it runs, whichever schema
//! it would run on.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

/// The depth an introspection operation may reach: the standard query's `TypeRef` fragment
/// with its nine `ofType` levels under `__schema { types { fields { type … } } }`.
pub const INTROSPECTION_MAX_DEPTH: usize = 16;

/// The largest estimated cost of an operation's meta-fields: three times that of the reference
/// `graphql` package's `getIntrospectionQuery()` with every option on (the largest standard
/// introspection query), so any client's schema load fits and a copy aliased many times does not.
pub const INTROSPECTION_MAX_COST: u64 = 2 * STANDARD_COST;

/// [`introspection_cost`] of `getIntrospectionQuery()` with every option on (a unit test
/// recomputes it from `introspection_standard.graphql`).
const STANDARD_COST: u64 = 115_338;

/// How many entries a field of the introspection schema is counted for, in eighths: about this
/// schema's sizes per type (some 450 types, 2,800 fields and values in all; only input types
/// have input fields and only enums values, so about two each on average; `args`,
/// `interfaces` and `possibleTypes` about one); a type reference's `ofType` is there for about
/// half of them. Measured against real answers, the estimate of the standard query is about
/// three times its values, of narrower sweeps of `types` one to two times.
fn eighths(field: &str) -> u64 {
    match field {
        "types" => 512 * 8,
        "fields" | "directives" => 8 * 8,
        "inputFields" | "enumValues" => 2 * 8,
        "ofType" => 4,
        _ => 8,
    }
}

/// The estimated number of values the meta-fields (`__schema`, `__type`, `__typename`) of a
/// document's costliest operation answer: each field one, a list its estimated entries times
/// what each entry selects; fragments are expanded as often as they are spread. Other fields
/// are bounded by the ordinary complexity and count nothing here.
pub fn introspection_cost(document: &ExecutableDocument) -> u64 {
    let mut walk = CostWalk {
        document,
        known: HashMap::new(),
    };
    document
        .operations
        .iter()
        .map(|(_, operation)| walk.set(&operation.node.selection_set.node, false, 0))
        .max()
        .unwrap_or(0)
}

/// The walk of [`introspection_cost`]: a fragment's cost is computed once per place (the root
/// or under a meta-field), so fragments spread within fragments cost no exponential walk.
struct CostWalk<'a> {
    document: &'a ExecutableDocument,
    /// Fragments already costed (`None` while being costed: a cycle, which validation refuses,
    /// counts nothing here).
    known: HashMap<(&'a str, bool), Option<u64>>,
}

impl<'a> CostWalk<'a> {
    fn set(&mut self, set: &'a SelectionSet, meta: bool, depth: usize) -> u64 {
        if depth > 64 {
            return 0;
        }
        let mut cost: u64 = 0;
        for selection in &set.items {
            let one = match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if meta {
                        let each = self.set(&field.node.selection_set.node, true, depth + 1);
                        (eighths(name).saturating_mul(each) / 8).saturating_add(1)
                    } else if name == "__schema" || name == "__type" {
                        self.set(&field.node.selection_set.node, true, depth + 1)
                            .saturating_add(1)
                    } else {
                        u64::from(name == "__typename")
                    }
                }
                Selection::InlineFragment(fragment) => {
                    self.set(&fragment.node.selection_set.node, meta, depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match self.known.get(&(name, meta)) {
                        Some(known) => known.unwrap_or(0),
                        None => match self.document.fragments.get(name) {
                            Some(fragment) => {
                                self.known.insert((name, meta), None);
                                let cost =
                                    self.set(&fragment.node.selection_set.node, meta, depth + 1);
                                self.known.insert((name, meta), Some(cost));
                                cost
                            }
                            None => 0,
                        },
                    }
                }
            };
            cost = cost.saturating_add(one);
        }
        cost
    }
}

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
    let Some(operation) = crate::answer::operation(document, operation_name) else {
        return false;
    };
    operation.ty == OperationType::Query
        && only_meta_fields(document, &operation.selection_set.node, 0)
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
    use super::{introspection_cost, is_introspection, INTROSPECTION_MAX_COST, STANDARD_COST};

    fn cost(query: &str) -> u64 {
        introspection_cost(&async_graphql::parser::parse_query(query).expect("parses"))
    }

    #[test]
    fn the_standard_introspection_query_fits_and_aliased_copies_do_not() {
        assert_eq!(
            cost(include_str!("introspection_standard.graphql")),
            STANDARD_COST
        );
        let types = "__schema { types { name fields { name type { name ofType { name } } } } }";
        assert!(cost(&format!("{{ {types} }}")) < INTROSPECTION_MAX_COST);
        let aliased: String = (0..20).map(|i| format!("a{i}: {types} ")).collect();
        assert!(cost(&format!("{{ {aliased} }}")) > INTROSPECTION_MAX_COST);
        // Aliased under one `__schema`, mixed with ordinary fields, or spread as a fragment.
        let inner: String = (0..60)
            .map(|i| format!("t{i}: types {{ name fields {{ name }} }} "))
            .collect();
        assert!(
            cost(&format!(
                "{{ networks {{ totalCount }} __schema {{ {inner} }} }}"
            )) > INTROSPECTION_MAX_COST
        );
        let spread: String = (0..40)
            .map(|i| format!("a{i}: __schema {{ ...S }} "))
            .collect();
        assert!(
            cost(&format!("{{ {spread} }} fragment S on __Schema {{ types {{ fields {{ name args {{ name }} }} }} }}"))
                > INTROSPECTION_MAX_COST
        );
        // Nested lists multiply.
        assert_eq!(
            cost("{ __type(name: \"Query\") { fields { type { fields { name } } } } }"),
            82
        );
        // What is cheap stays allowed: many `__typename`, ordinary fields.
        let typenames: String = (0..3000).map(|i| format!("a{i}: __typename ")).collect();
        assert_eq!(cost(&format!("{{ {typenames} }}")), 3000);
        assert_eq!(cost("{ networks { nodes { name } } }"), 0);
    }

    #[test]
    fn fragments_spread_within_fragments_are_costed_once_and_cycles_end() {
        // Thirty levels of a fragment spread twice: 2^30 expansions, costed without walking them.
        let mut query = String::from("{ __schema { ...F0 } }");
        for i in 0..30 {
            query.push_str(&format!(
                " fragment F{i} on __Schema {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        query.push_str(" fragment F30 on __Schema { types { name } }");
        assert!(cost(&query) > INTROSPECTION_MAX_COST);
        assert!(cost("{ __schema { ...A } } fragment A on __Schema { ...B } fragment B on __Schema { ...A }") < 10);
    }

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
