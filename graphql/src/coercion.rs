//! Argument values that async-graphql's validation lets through and its execution refuses: an
//! `Int` beyond 32 bits (validation only checks that it is a whole number), a `DateTime` or a
//! `NaiveDate` that does not parse (validation checks nothing, or only that it is a string).
//! Found only when a field read its argument, such a value was refused after the fields before
//! it had run: a mutation's change was recorded, then a field of its answer, or the next
//! mutation of the document, was refused. (A schema-driven fuzzer found it: a registration
//! whose answer asked for `timeline(first: -16590720385)` registered the organization.)
//!
//! So every argument of the operation to run, literal or variable, at any depth of its input
//! objects and lists, is parsed here before anything runs, by the parsers execution uses; the
//! first that does not parse refuses the operation whole: `BAD_USER_INPUT`, naming the
//! argument (`extensions.argument`) and, inside an input object, the field
//! (`extensions.field`, a path such as `input.version`).

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{InputType, Name, Positioned, ServerError, ServerResult, Value, Variables};

/// Refuses the operation `name` picks in `document` when one of its arguments holds a value
/// of a type that validation does not parse (see the module's doc).
pub(crate) fn check_coercible(
    registry: &Registry,
    document: &ExecutableDocument,
    name: Option<&str>,
    variables: &Variables,
) -> ServerResult<()> {
    let Some(operation) = crate::answer::operation(document, name) else {
        return Ok(());
    };
    let root = match operation.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let Some(root) = root else {
        return Ok(());
    };
    Walk {
        registry,
        document,
        variables,
        entered: HashSet::new(),
    }
    .selection_set(root, &operation.selection_set)
}

/// A walk of the selections of one operation, with the type each selection set is on.
struct Walk<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// The fragments being walked: a cycle (which validation refuses) ends here.
    entered: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn selection_set(
        &mut self,
        parent: &'a str,
        set: &'a Positioned<SelectionSet>,
    ) -> ServerResult<()> {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    // A field the type does not have is validation's to refuse.
                    let Some(meta) = self
                        .registry
                        .types
                        .get(parent)
                        .and_then(|ty| ty.field_by_name(field.name.node.as_str()))
                    else {
                        continue;
                    };
                    for (name, value) in &field.arguments {
                        let Some(argument) = meta.args.get(name.node.as_str()) else {
                            continue;
                        };
                        // No string anywhere in it may hold U+0000 (checked in place).
                        let mut path = vec![name.node.to_string()];
                        if nul_in(&value.node, self.variables, &mut path) {
                            return Err(refusal(name, &path, NUL.to_owned()));
                        }
                        // Most arguments are ids and strings, which validation checks whole:
                        // nothing to copy or parse for them.
                        if !may_refuse(self.registry, &argument.ty) {
                            continue;
                        }
                        // A variable not sent stands for null here: whether that is allowed
                        // is validation's (and `variables.rs`'s) to say.
                        let value = value
                            .node
                            .clone()
                            .into_const_with(|variable| {
                                Ok::<_, std::convert::Infallible>(
                                    self.variables
                                        .get(&variable)
                                        .cloned()
                                        .unwrap_or(Value::Null),
                                )
                            })
                            .unwrap_or_else(|never| match never {});
                        if let Err(reason) =
                            coercible(self.registry, &argument.ty, &value, &mut path)
                        {
                            return Err(refusal(name, &path, reason));
                        }
                    }
                    let ty = MetaTypeName::concrete_typename(&meta.ty);
                    self.selection_set(ty, &field.selection_set)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    if !self.entered.insert(name.as_str()) {
                        continue;
                    }
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    let walked = self.selection_set(on, &fragment.node.selection_set);
                    self.entered.remove(name.as_str());
                    walked?;
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |condition| condition.node.on.node.as_str());
                    self.selection_set(on, &inline.node.selection_set)?;
                }
            }
        }
        Ok(())
    }
}

/// Whether `value` parses as the input type `ty` (in the registry's notation: `[Int!]!`), as
/// far as validation does not already say: the scalars above, through input objects and
/// lists. `path` is where in the argument the value stands; on a refusal, where it failed.
fn coercible(
    registry: &Registry,
    ty: &str,
    value: &Value,
    path: &mut Vec<String>,
) -> Result<(), String> {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => coercible(registry, inner, value, path),
        MetaTypeName::List(element) => match value {
            Value::List(items) => items
                .iter()
                .try_for_each(|item| coercible(registry, element, item, path)),
            // A single value stands for a list of one (GraphQL's input coercion).
            single => coercible(registry, element, single, path),
        },
        // Whether null is allowed is validation's to say.
        MetaTypeName::Named(_) if matches!(value, Value::Null) => Ok(()),
        MetaTypeName::Named("Int") => parses::<i32>(value),
        MetaTypeName::Named("DateTime") => parses::<chrono::DateTime<chrono::Utc>>(value),
        MetaTypeName::Named("NaiveDate") => parses::<crate::scalars::Date>(value),
        MetaTypeName::Named(name) => match (registry.types.get(name), value) {
            (Some(MetaType::InputObject { input_fields, .. }), Value::Object(fields)) => {
                for field in input_fields.values() {
                    if let Some(value) = fields.get(field.name.as_str()) {
                        path.push(field.name.clone());
                        coercible(registry, &field.ty, value, path)?;
                        path.pop();
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        },
    }
}

/// Whether a value of the input type `ty` can be one that [`coercible`] refuses: one of the
/// scalars it parses, or an input object (whose fields may be).
fn may_refuse(registry: &Registry, ty: &str) -> bool {
    let name = MetaTypeName::concrete_typename(ty);
    matches!(name, "Int" | "DateTime" | "NaiveDate")
        || matches!(registry.types.get(name), Some(MetaType::InputObject { .. }))
}

/// Why a string holding U+0000 is refused.
const NUL: &str = "a string must not contain the character U+0000 (NUL)";

/// Whether a string in `value` (a literal, or a variable's value, at any depth of lists and
/// objects, an object's keys included) holds U+0000; `path` then says where. PostgreSQL
/// can store it neither in `text` nor in `jsonb`: sent on, it failed the statement (an
/// `INTERNAL` answer for the client's mistake), and what SQLite would keep could never be
/// moved to PostgreSQL. Refused on both backends alike, whatever the argument's type.
fn nul_in(
    value: &async_graphql_value::Value,
    variables: &Variables,
    path: &mut Vec<String>,
) -> bool {
    use async_graphql_value::Value as Literal;
    match value {
        Literal::Variable(name) => variables
            .get(name)
            .is_some_and(|value| nul_in_value(value, path)),
        Literal::String(s) => s.contains('\0'),
        Literal::List(items) => items.iter().any(|item| nul_in(item, variables, path)),
        Literal::Object(fields) => fields.iter().any(|(key, value)| {
            path.push(key.to_string());
            let found = key.contains('\0') || nul_in(value, variables, path);
            if !found {
                path.pop();
            }
            found
        }),
        _ => false,
    }
}

/// [`nul_in`] for a variable's value.
fn nul_in_value(value: &Value, path: &mut Vec<String>) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(|item| nul_in_value(item, path)),
        Value::Object(fields) => fields.iter().any(|(key, value)| {
            path.push(key.to_string());
            let found = key.contains('\0') || nul_in_value(value, path);
            if !found {
                path.pop();
            }
            found
        }),
        _ => false,
    }
}

/// Whether `value` parses as `T`, as execution parses it; if not, the parser's reason.
fn parses<T: InputType>(value: &Value) -> Result<(), String> {
    T::parse(Some(value.clone()))
        .map(drop)
        .map_err(|error| error.into_server_error(Default::default()).message)
}

/// The refusal of `argument`, whose value at `path` does not parse.
fn refusal(argument: &Positioned<Name>, path: &[String], reason: String) -> ServerError {
    let at = path.join(".");
    let place = match path.len() {
        1 => String::new(),
        _ => format!(" at `{at}`"),
    };
    let mut error = ServerError::new(
        format!(
            "Invalid value for argument \"{}\"{place}: {reason}",
            argument.node
        ),
        Some(argument.pos),
    );
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("argument", argument.node.as_str());
    if path.len() > 1 {
        extensions.set("field", at);
    }
    error
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use async_graphql::{Context, EmptySubscription, InputObject, Object, Schema};
    use serde_json::json;

    #[derive(InputObject)]
    struct Inner {
        count: Option<i32>,
        days: Option<Vec<crate::scalars::Date>>,
    }

    #[derive(InputObject)]
    struct Outer {
        inner: Option<Inner>,
        at: Option<chrono::DateTime<chrono::Utc>>,
        note: Option<String>,
    }

    struct Query;

    #[Object]
    impl Query {
        async fn page(&self) -> Page {
            Page
        }
    }

    struct Page;

    #[Object]
    impl Page {
        async fn nested(&self, first: Option<i32>) -> i32 {
            first.unwrap_or(0)
        }

        async fn text(&self, value: Option<String>) -> usize {
            value.map_or(0, |v| v.len())
        }
    }

    /// How many changes were made.
    type Changes = Arc<AtomicUsize>;

    struct Mutation;

    #[Object]
    impl Mutation {
        async fn change(&self, ctx: &Context<'_>, input: Outer) -> Page {
            let _ = (input.inner.map(|i| (i.count, i.days)), input.at, input.note);
            ctx.data_unchecked::<Changes>()
                .fetch_add(1, Ordering::SeqCst);
            Page
        }
    }

    /// Runs `query` with `variables` on a schema with the served checks: the refusal's
    /// (message, argument, field) if it was refused, and how many changes were made.
    async fn run(
        query: &str,
        variables: serde_json::Value,
    ) -> (Option<(String, String, Option<String>)>, usize) {
        let changes = Changes::default();
        let checks = crate::checks::Checks::new(crate::limits::Limits {
            depth: 10,
            complexity: 1_000,
        });
        let schema = Schema::build(Query, Mutation, EmptySubscription)
            .extension(checks)
            .data(changes.clone())
            .finish();
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        let response = schema.execute(request).await;
        let refusal = response.errors.first().map(|error| {
            let extensions = error.extensions.clone().expect("extensions");
            let text = |key: &str| match extensions.get(key) {
                Some(async_graphql::Value::String(s)) => Some(s.clone()),
                _ => None,
            };
            assert_eq!(text("code").as_deref(), Some("BAD_USER_INPUT"), "{error:?}");
            (
                error.message.clone(),
                text("argument").expect("argument"),
                text("field"),
            )
        });
        (refusal, changes.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn an_int_beyond_32_bits_refuses_the_operation_before_it_runs() {
        // In a field of the mutation's answer: the change is not made.
        let (refusal, changes) = run(
            "mutation { change(input: {}) { nested(first: -16590720385) } }",
            json!({}),
        )
        .await;
        let (message, argument, field) = refusal.expect("refused");
        assert_eq!((argument.as_str(), field), ("first", None));
        assert!(
            message.contains("Only integers from -2147483648 to 2147483647"),
            "{message}"
        );
        assert_eq!(changes, 0);
        // The second of two mutations: neither is made.
        let two = "mutation { a: change(input: {}) { nested } b: change(input: {}) { nested(first: 2147483648) } }";
        assert_eq!(run(two, json!({})).await.1, 0);
        // Through a variable, inside a fragment.
        let query = "query($n: Int) { page { ...F } } fragment F on Page { nested(first: $n) }";
        assert!(run(query, json!({"n": 2147483648u64})).await.0.is_some());
        assert!(run(query, json!({"n": 2147483647})).await.0.is_none());
        assert!(run(query, json!({})).await.0.is_none());
        // Inside an input object: the field is named.
        let (refusal, changes) = run(
            "mutation { change(input: {inner: {count: 4294967296}}) { nested } }",
            json!({}),
        )
        .await;
        let (_, argument, field) = refusal.expect("refused");
        assert_eq!(
            (argument.as_str(), field.as_deref()),
            ("input", Some("input.inner.count"))
        );
        assert_eq!(changes, 0);
    }

    #[tokio::test]
    async fn dates_and_instants_that_do_not_parse_refuse_the_operation() {
        let (refusal, _) = run(
            "mutation { change(input: {inner: {days: [\"2024-12-13\", \"13/12/2024\"]}}) { nested } }",
            json!({}),
        )
        .await;
        assert_eq!(
            refusal.expect("refused").2.as_deref(),
            Some("input.inner.days")
        );
        let (refusal, _) = run(
            "mutation($i: Outer!) { change(input: $i) { nested } }",
            json!({"i": {"at": "2024-12-13T09:30:00"}}),
        )
        .await;
        assert_eq!(refusal.expect("refused").2.as_deref(), Some("input.at"));
        // Values that parse, a single value standing for a list among them: the change is made.
        let (refusal, changes) = run(
            "mutation { change(input: {at: \"2024-12-13T09:30:00Z\", inner: {days: \"2024-12-13\", count: -5}}) { nested(first: 3) } }",
            json!({}),
        )
        .await;
        assert_eq!((refusal, changes), (None, 1));
    }

    #[tokio::test]
    async fn a_string_holding_nul_refuses_the_operation_wherever_it_stands() {
        let field = |refusal: Option<(String, String, Option<String>)>| {
            let (message, argument, field) = refusal.expect("refused");
            assert!(message.contains("U+0000"), "{message}");
            (argument, field)
        };
        // A literal inside the mutation's input: nothing is changed.
        let (refusal, changes) = run(
            "mutation { change(input: {note: \"a\\u0000b\"}) { nested } }",
            json!({}),
        )
        .await;
        assert_eq!(
            field(refusal),
            ("input".to_owned(), Some("input.note".to_owned()))
        );
        assert_eq!(changes, 0);
        // A variable of a field of the answer: the mutation before it is not made either.
        let (refusal, changes) = run(
            "mutation($t: String) { change(input: {}) { text(value: $t) } }",
            json!({"t": "x\u{0}"}),
        )
        .await;
        assert_eq!(field(refusal), ("value".to_owned(), None));
        assert_eq!(changes, 0);
        // Inside an input object sent as a variable, in a fragment.
        let (refusal, _) = run(
            "mutation($i: Outer!) { change(input: $i) { ...F } } fragment F on Page { nested }",
            json!({"i": {"note": "\u{0}"}}),
        )
        .await;
        assert_eq!(
            field(refusal),
            ("input".to_owned(), Some("input.note".to_owned()))
        );
        // Any other character is the field's to judge.
        let (refusal, changes) = run(
            "mutation($t: String) { change(input: {note: \"a\\u0001b\"}) { text(value: $t) } }",
            json!({"t": "tab\there"}),
        )
        .await;
        assert_eq!((refusal, changes), (None, 1));
    }
}
