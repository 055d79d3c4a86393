//! Answers shaped as asked: the fields of every object in `data` in the order the operation
//! selected them (the GraphQL specification's CollectFields order), whatever order they were
//! resolved in. The roots are merged objects resolved concurrently, so without this the order
//! of a response's fields varied between identical requests. And a field whose resolver
//! refused (a field the caller may not read) is `null` beside its error, as the specification
//! asks, where async-graphql leaves it out of `data`.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// A request's `operationName`, as an extension learns it in `prepare_request` for its later
/// hooks (which are not given it).
#[derive(Default)]
pub(crate) struct OperationName(std::sync::Mutex<Option<String>>);

impl OperationName {
    pub(crate) fn learn(&self, request: &async_graphql::Request) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone_from(&request.operation_name);
    }

    pub(crate) fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The operation a request runs: the one named, or the only one.
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Puts the fields of `data` in selection order.
pub fn in_selection_order(document: &ExecutableDocument, name: Option<&str>, data: &mut Value) {
    if let Some(operation) = operation(document, name) {
        order(document, &[&operation.selection_set.node], data);
    }
}

/// The response keys selected, in order, each with the sub-selections of its field.
type Selected<'a> = Vec<(Name, Vec<&'a SelectionSet>)>;

/// Orders one value by the selection sets that select its fields (several when a field is
/// selected more than once, or through fragments). The items of a list share one selection,
/// collected once.
fn order(document: &ExecutableDocument, sets: &[&SelectionSet], value: &mut Value) {
    if matches!(value, Value::List(_) | Value::Object(_)) {
        let mut selected = Vec::new();
        for set in sets {
            collect(document, set, &mut selected, 0);
        }
        order_by(document, &selected, value);
    }
}

/// Orders `value` (an object, or a list of them at any depth) by `selected`.
fn order_by(document: &ExecutableDocument, selected: &Selected<'_>, value: &mut Value) {
    match value {
        Value::List(items) => {
            for item in items {
                order_by(document, selected, item);
            }
        }
        Value::Object(fields) => {
            let subsets = |key: &Name| {
                selected
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, subsets)| subsets.as_slice())
            };
            // Usually resolved in order already: then only the children are looked at.
            let mut next = selected.iter();
            let in_order = fields
                .keys()
                .all(|key| next.by_ref().any(|(k, _)| k == key));
            if in_order {
                for (key, child) in fields.iter_mut() {
                    order(document, subsets(key).unwrap_or_default(), child);
                }
                return;
            }
            let mut unordered = std::mem::take(fields);
            for (key, subsets) in selected {
                if let Some(mut child) = unordered.shift_remove(key) {
                    order(document, subsets, &mut child);
                    fields.insert(key.clone(), child);
                }
            }
            // Anything not found in the selection keeps its place after the rest.
            fields.extend(unordered);
        }
        _ => {}
    }
}

/// The response keys a selection set yields, in order, each with its own sub-selections.
fn collect<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    out: &mut Selected<'a>,
    depth: usize,
) {
    // Fragments cannot form cycles in a valid document; the bound is for invalid ones.
    if depth > 32 {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                let subset = &field.node.selection_set.node;
                match out.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, subsets)) => subsets.push(subset),
                    None => out.push((key, vec![subset])),
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(document, &fragment.node.selection_set.node, out, depth + 1)
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(document, &fragment.node.selection_set.node, out, depth + 1);
                }
            }
        }
    }
}

/// Puts `null` where a field errored and `data` has nothing: at the path of each error whose
/// parent object is in the answer and lacks the field.
pub fn null_where_refused<'a>(
    errors: impl IntoIterator<Item = &'a [async_graphql::PathSegment]>,
    data: &mut Value,
) {
    use async_graphql::PathSegment;
    for path in errors {
        let Some((PathSegment::Field(last), parents)) = path.split_last() else {
            continue;
        };
        let mut at = Some(&mut *data);
        for segment in parents {
            at = match (segment, at) {
                (PathSegment::Field(name), Some(Value::Object(fields))) => {
                    fields.get_mut(name.as_str())
                }
                (PathSegment::Index(i), Some(Value::List(items))) => items.get_mut(*i),
                _ => None,
            };
        }
        if let Some(Value::Object(fields)) = at {
            let key = Name::new(last);
            if !fields.contains_key(&key) {
                fields.insert(key, Value::Null);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::in_selection_order;
    use async_graphql::Value;

    fn ordered(query: &str, data: serde_json::Value) -> String {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let mut value = Value::from_json(data).unwrap();
        in_selection_order(&document, None, &mut value);
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn fields_come_in_the_order_selected_through_aliases_lists_and_fragments() {
        assert_eq!(
            ordered(
                "{ b a: x { d c } ...F } fragment F on Query { e { g f } b }",
                serde_json::json!({"e": [{"f": 1, "g": 2}], "a": {"c": 3, "d": 4}, "b": 5}),
            ),
            r#"{"b":5,"a":{"d":4,"c":3},"e":[{"g":2,"f":1}]}"#
        );
    }

    #[test]
    fn an_answer_in_order_keeps_it_and_its_children_are_still_ordered() {
        assert_eq!(
            ordered(
                "{ a { x y } b { p q } }",
                serde_json::json!({"a": {"x": 1, "y": 2}, "b": [{"q": 1, "p": 2}, {"p": 3, "q": 4}]}),
            ),
            r#"{"a":{"x":1,"y":2},"b":[{"p":2,"q":1},{"p":3,"q":4}]}"#
        );
        // What the selection does not name keeps its place after the rest.
        assert_eq!(
            ordered(
                "{ a { x y } }",
                serde_json::json!({"z": 0, "a": {"y": 2, "x": 1}})
            ),
            r#"{"a":{"x":1,"y":2},"z":0}"#
        );
    }
}
