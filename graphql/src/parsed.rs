//! Parsed and validated operations, remembered: clients send the same few operation texts
//! again and again (with other variables), and parsing one costs more than copying its parsed
//! form. Only operations that parsed and passed validation within the schema's bounds are kept.
//!
//! Validation (rules, depth, complexity) depends on the text, the operation chosen and the
//! values of the variables: a variable's value is checked against the type of the argument
//! it stands for, and a page size counts in the complexity. Its result is remembered under a
//! key made of all three (their SHA-256, so every entry has one size), where every string a
//! variable gives for an `ID` or a `String` (at any depth of an input object or list) is
//! blanked: both accept any string, so such strings cannot change the outcome, and one key
//! serves every id a client asks for. Any other value (numbers, enums, dates, other scalars)
//! is part of the key as sent. Only a passed validation is remembered; a refusal is checked
//! again each time.
//!
//! It is the innermost of a request's checks (`checks.rs`): a remembered document skips the
//! parser and a remembered validation the rules, while the checks around it (the masking of
//! errors, which keeps the document to answer in selection order; the bounds, which check the
//! remembered measures; the required variables) see every one.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{ExtensionContext, NextParseQuery, NextValidation};
use async_graphql::parser::types::{BaseType, ExecutableDocument, Type};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{ServerError, ServerResult, ValidationResult, Value, Variables};
use sha2::{Digest, Sha256};

/// How many operation texts are remembered (the least recently used go first).
pub(crate) const REMEMBERED: usize = 1_000;
/// Longer texts are parsed every time; with only validated operations remembered (their
/// size bounded by the schema's depth and complexity limits), this bounds the memory.
pub(crate) const LONGEST: usize = 16 * 1024;
/// How many validations are remembered: several per text (one per distinct page size, say).
const VALIDATIONS: usize = 4 * REMEMBERED;

/// What a validation is remembered under (see [`validation_key`]).
type Key = [u8; 32];

/// The extension: one cache shared by every request of a schema.
#[derive(Clone)]
pub(crate) struct ParsedOperations {
    cache: Arc<Mutex<lru::LruCache<String, ExecutableDocument>>>,
    /// Passed validations, by [`validation_key`].
    validated: Arc<Mutex<lru::LruCache<Key, ValidationResult>>>,
}

impl ParsedOperations {
    pub(crate) fn new() -> Self {
        let capacity = NonZeroUsize::new(REMEMBERED).unwrap_or(NonZeroUsize::MIN);
        let validations = NonZeroUsize::new(VALIDATIONS).unwrap_or(NonZeroUsize::MIN);
        Self {
            cache: Arc::new(Mutex::new(lru::LruCache::new(capacity))),
            validated: Arc::new(Mutex::new(lru::LruCache::new(validations))),
        }
    }
}

impl ParsedOperations {
    /// One request's part of the remembering.
    pub(crate) fn remembering(&self) -> Remembering {
        Remembering {
            cache: self.clone(),
            parsed: Mutex::new(None),
            key: Mutex::new(None),
        }
    }
}

/// One request's part: a text parsed afresh is remembered only once it has passed validation
/// (depth and complexity bounds included), so that texts which parse but are refused (a
/// flood of huge distinct selections, say) never fill the memory. The innermost part of
/// [`crate::checks`]: a remembered document skips the parser, and a remembered validation the
/// rules.
pub(crate) struct Remembering {
    cache: ParsedOperations,
    parsed: Mutex<Option<(String, ExecutableDocument)>>,
    /// The key its validation is remembered under, when it has one.
    key: Mutex<Option<Key>>,
}

/// Locks, whether or not another request panicked while holding it.
fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Remembering {
    /// The document of `query`: remembered, or parsed by `next`. `name` is the request's
    /// `operationName`.
    pub(crate) async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        name: Option<&str>,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let cached = locked(&self.cache.cache).get(query).cloned();
        let fresh = cached.is_none();
        let result = if fresh { "miss" } else { "hit" };
        metrics::counter!("governance_parsed_operations_total", "result" => result).increment(1);
        let document = match cached {
            Some(document) => document,
            None => next.run(ctx, query, variables).await?,
        };
        // (A remembered text is never longer.)
        if query.len() <= LONGEST {
            let registry = &ctx.schema_env.registry;
            *locked(&self.key) = validation_key(registry, query, &document, name, variables);
            if fresh {
                *locked(&self.parsed) = Some((query.to_owned(), document.clone()));
            }
        }
        Ok(document)
    }

    /// The validation of the document parsed: remembered, or run by `next`.
    pub(crate) async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        if let Some(measured) = self.remembered() {
            metrics::counter!("governance_validations_total", "result" => "hit").increment(1);
            return Ok(measured);
        }
        metrics::counter!("governance_validations_total", "result" => "miss").increment(1);
        next.run(ctx).await
    }

    /// The validation remembered under this request's key, if one is (the key is then spent:
    /// nothing is left for [`Self::remember`] to do).
    fn remembered(&self) -> Option<ValidationResult> {
        let mut key = locked(&self.key);
        let measured = locked(&self.cache.validated).get(key.as_ref()?).copied()?;
        *key = None;
        Some(measured)
    }

    /// Remembers the document this request parsed and its validation, once the operation
    /// passed every check (the bounds included), so that only operations within the schema's
    /// bounds are ever remembered.
    pub(crate) fn remember(&self, measured: ValidationResult) {
        if let Some(key) = locked(&self.key).take() {
            locked(&self.cache.validated).put(key, measured);
        }
        if let Some((query, document)) = locked(&self.parsed).take() {
            locked(&self.cache.cache).put(query, document);
        }
    }
}

/// The key a validation of `query` with these variables is remembered under: the text, the
/// operation's name and the variables with every string that stands for an `ID` or a
/// `String` blanked (see the module's comment), hashed. None when the operation cannot be
/// told (it is then validated, and refused, every time).
fn validation_key(
    registry: &Registry,
    query: &str,
    document: &ExecutableDocument,
    name: Option<&str>,
    variables: &Variables,
) -> Option<Key> {
    let operation = crate::answer::operation(document, name)?;
    let mut blanked = variables.clone();
    for definition in &operation.variable_definitions {
        let definition = &definition.node;
        if let Some(value) = blanked.get_mut(&definition.name.node) {
            blank(registry, &definition.var_type.node, value);
        }
    }
    let variables = serde_json::to_vec(&blanked).ok()?;
    // The SHA-256 of the three, each after its length: a fixed size whatever the texts (a
    // client cannot fill the memory with long ones), and no text crafted to share another's
    // key passes for validated.
    let mut key = Sha256::new();
    for part in [
        name.unwrap_or_default().as_bytes(),
        query.as_bytes(),
        &variables,
    ] {
        key.update((part.len() as u64).to_be_bytes());
        key.update(part);
    }
    Some(key.finalize().into())
}

/// Blanks, in a value given for `ty`, every string an `ID` or a `String` holds.
fn blank(registry: &Registry, ty: &Type, value: &mut Value) {
    match &ty.base {
        BaseType::List(element) => match value {
            Value::List(values) => values.iter_mut().for_each(|v| blank(registry, element, v)),
            // A single value stands for a list of one.
            other => blank(registry, element, other),
        },
        BaseType::Named(name) => blank_named(registry, name.as_str(), value),
    }
}

/// [`blank`] for a named type, or for an input object's field by its type's text.
fn blank_named(registry: &Registry, name: &str, value: &mut Value) {
    match (name, value) {
        ("ID" | "String", Value::String(text)) => text.clear(),
        (name, Value::Object(fields)) => {
            if let Some(MetaType::InputObject { input_fields, .. }) = registry.types.get(name) {
                for (field, value) in fields.iter_mut() {
                    if let Some(declared) = input_fields.get(field.as_str()) {
                        if let Some(ty) = Type::new(&declared.ty) {
                            blank(registry, &ty, value);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// An operation text as the parser alone reads it (no bounds checked), for what the HTTP layer
/// and the masking of errors ask of it: the operation's name, whether it is introspection, and
/// where its arguments and selections stand. Never handed to execution, which parses (or
/// remembers, above) under the schema's bounds; the same text gives the same document, so
/// positions and names agree.
#[derive(Clone)]
pub(crate) struct Outline(pub(crate) Arc<ExecutableDocument>);

/// Outlines of the operation texts seen lately, shared by every request of a router.
#[derive(Clone)]
pub(crate) struct Outlines(Arc<Mutex<lru::LruCache<String, Outline>>>);

impl Default for Outlines {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(REMEMBERED).unwrap_or(NonZeroUsize::MIN);
        Self(Arc::new(Mutex::new(lru::LruCache::new(capacity))))
    }
}

impl Outlines {
    /// The outline of `query` and whether it is new; None when it does not parse. A new one
    /// is not remembered
    /// until [`Self::keep`] says its operation passed validation.
    pub(crate) fn of(&self, query: &str) -> Option<(Outline, bool)> {
        if let Some(outline) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(query) {
            return Some((outline.clone(), false));
        }
        let document = async_graphql::parser::parse_query(query).ok()?;
        Some((Outline(Arc::new(document)), true))
    }

    /// Remembers the outline of an operation that passed validation (so its size is within
    /// the schema's bounds), if its text is not too long.
    pub(crate) fn keep(&self, query: &str, outline: &Outline) {
        if query.len() <= LONGEST {
            let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if !cache.contains(query) {
                cache.put(query.to_owned(), outline.clone());
            }
        }
    }
}

impl Outline {
    /// The name of the document's only operation, when it is named.
    pub(crate) fn sole_operation_name(&self) -> Option<String> {
        use async_graphql::parser::types::DocumentOperations;
        match &self.0.operations {
            DocumentOperations::Multiple(operations) if operations.len() == 1 => {
                operations.keys().next().map(|n| n.to_string())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Root;

    #[async_graphql::Object]
    impl Root {
        async fn a(&self) -> i32 {
            1
        }
        async fn b(&self) -> i32 {
            2
        }
    }

    fn remembered(operations: &ParsedOperations) -> usize {
        operations.cache.lock().unwrap().len()
    }

    fn validations(operations: &ParsedOperations) -> usize {
        operations.validated.lock().unwrap().len()
    }

    #[derive(async_graphql::Enum, Copy, Clone, PartialEq, Eq)]
    enum Kind {
        Open,
        Closed,
    }

    #[derive(async_graphql::InputObject)]
    struct Filter {
        name: Option<String>,
        kind: Option<Kind>,
        ids: Option<Vec<async_graphql::ID>>,
    }

    struct Item;

    #[async_graphql::Object]
    impl Item {
        async fn n(&self) -> i32 {
            1
        }
    }

    struct Lookups;

    #[async_graphql::Object]
    impl Lookups {
        async fn by_id(&self, id: async_graphql::ID) -> String {
            id.to_string()
        }
        async fn named(&self, name: String) -> usize {
            name.len()
        }
        #[graphql(complexity = "first.max(0) as usize * child_complexity")]
        async fn page(&self, first: i32) -> Vec<Item> {
            (0..first.clamp(0, 5)).map(|_| Item).collect()
        }
        async fn filtered(&self, filter: Filter) -> String {
            format!(
                "{}:{}:{}",
                filter.name.unwrap_or_default(),
                matches!(filter.kind, Some(Kind::Closed)),
                filter.ids.map(|ids| ids.len()).unwrap_or_default()
            )
        }
    }

    /// A schema of [`Lookups`] within depth 10 and `complexity`, and its remembering.
    fn lookups(
        complexity: usize,
    ) -> (
        ParsedOperations,
        async_graphql::Schema<
            Lookups,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        >,
    ) {
        // As the served schema: every check, the remembering innermost.
        let checks = crate::checks::Checks::new(crate::limits::Limits {
            depth: 10,
            complexity,
        });
        let schema = async_graphql::Schema::build(
            Lookups,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        )
        .extension(checks.clone())
        .finish();
        (checks.parsed, schema)
    }

    async fn run(
        schema: &async_graphql::Schema<
            Lookups,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        >,
        query: &str,
        variables: serde_json::Value,
    ) -> async_graphql::Response {
        schema
            .execute(async_graphql::Request::new(query).variables(Variables::from_json(variables)))
            .await
    }

    #[tokio::test]
    async fn one_validation_serves_every_id_and_string() {
        let (operations, schema) = lookups(100);
        let query = "query($id: ID!, $name: String!) { byId(id: $id) named(name: $name) }";
        for (id, name) in [("a", "x"), ("another id", "a longer name"), ("", "")] {
            let answer = run(&schema, query, serde_json::json!({"id": id, "name": name})).await;
            assert!(answer.errors.is_empty(), "{:?}", answer.errors);
            assert_eq!(
                answer.data.into_json().unwrap(),
                serde_json::json!({"byId": id, "named": name.len()})
            );
        }
        assert_eq!(validations(&operations), 1);
        // An integer is an ID too, but a value of another key.
        let answer = run(&schema, query, serde_json::json!({"id": 7, "name": "x"})).await;
        assert!(answer.errors.is_empty(), "{:?}", answer.errors);
        assert_eq!(validations(&operations), 2);
        // Values no ID or String accepts are still refused, by validation, every time.
        for refused in [
            serde_json::json!({"id": 1.5, "name": "x"}),
            serde_json::json!({"id": "a", "name": 3}),
            serde_json::json!({"id": {"a": 1}, "name": "x"}),
            serde_json::json!({"id": "a", "name": ["x"]}),
        ] {
            let answer = run(&schema, query, refused.clone()).await;
            assert_eq!(answer.errors.len(), 1, "{refused}: {:?}", answer.errors);
            assert!(
                answer.errors[0]
                    .message
                    .starts_with("Invalid value for argument"),
                "{refused}: {}",
                answer.errors[0].message
            );
        }
        assert_eq!(validations(&operations), 2);
    }

    #[tokio::test]
    async fn page_sizes_and_enums_are_keys_as_sent() {
        let (operations, schema) = lookups(20);
        let page = "query($first: Int!) { page(first: $first) { n } }";
        let small = run(&schema, page, serde_json::json!({"first": 3})).await;
        assert!(small.errors.is_empty(), "{:?}", small.errors);
        // The same text with a page too large is measured afresh, and refused.
        let large = run(&schema, page, serde_json::json!({"first": 30})).await;
        assert_eq!(large.errors.len(), 1, "{:?}", large.errors);
        assert_eq!(
            large.errors[0]
                .extensions
                .as_ref()
                .and_then(|e| e.get("code")),
            Some(&async_graphql::Value::from("QUERY_TOO_COMPLEX"))
        );
        assert_eq!(validations(&operations), 1);

        let filtered = "query($f: Filter!) { filtered(filter: $f) }";
        let open = serde_json::json!({"f": {"name": "a", "kind": "OPEN", "ids": ["x", "y"]}});
        let answer = run(&schema, filtered, open).await;
        assert!(answer.errors.is_empty(), "{:?}", answer.errors);
        // Other strings in the input object's String and [ID] fields: the same validation.
        let other = serde_json::json!({"f": {"name": "b", "kind": "OPEN", "ids": ["z", "w"]}});
        let answer = run(&schema, filtered, other).await;
        assert!(answer.errors.is_empty(), "{:?}", answer.errors);
        assert_eq!(answer.data.into_json().unwrap()["filtered"], "b:false:2");
        assert_eq!(validations(&operations), 2);
        // An enum's value is not blanked: one it does not hold is refused.
        for refused in [
            serde_json::json!({"f": {"name": "a", "kind": "AJAR", "ids": ["x", "y"]}}),
            serde_json::json!({"f": {"name": "a", "kind": "OPEN", "ids": [1.5, "y"]}}),
            serde_json::json!({"f": {"name": "a", "kind": "OPEN", "unknown": "x"}}),
        ] {
            let answer = run(&schema, filtered, refused.clone()).await;
            assert_eq!(answer.errors.len(), 1, "{refused}: {:?}", answer.errors);
        }
        assert_eq!(validations(&operations), 2);
    }

    #[tokio::test]
    async fn only_operations_within_the_bounds_are_remembered() {
        let bounds = crate::limits::Limits {
            depth: 4,
            complexity: 2,
        };
        let checks = crate::checks::Checks::new(bounds);
        let operations = checks.parsed.clone();
        let schema = async_graphql::Schema::build(
            Root,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        )
        .extension(checks)
        .finish();
        let within = schema.execute("{ a b }").await;
        assert!(within.errors.is_empty(), "{:?}", within.errors);
        assert_eq!(remembered(&operations), 1);
        // Parses, validates, but is beyond the complexity bound: refused, not remembered.
        let beyond = schema.execute("{ a b x: a }").await;
        let code = beyond
            .errors
            .first()
            .and_then(|e| e.extensions.as_ref()?.get("code").cloned());
        assert_eq!(code, Some(async_graphql::Value::from("QUERY_TOO_COMPLEX")));
        // Parses but fails validation: not remembered.
        let invalid = schema.execute("{ nothing }").await;
        assert!(!invalid.errors.is_empty());
        assert_eq!(remembered(&operations), 1);
        // The remembered one answers the same.
        assert_eq!(schema.execute("{ a b }").await.data, within.data);
    }

    #[test]
    fn an_outline_is_remembered_only_once_kept() {
        let outlines = Outlines::default();
        let (outline, fresh) = outlines.of("query Q { a }").expect("parses");
        assert!(fresh);
        assert_eq!(outline.sole_operation_name().as_deref(), Some("Q"));
        assert!(outlines.of("query Q { a }").expect("parses").1);
        outlines.keep("query Q { a }", &outline);
        assert!(!outlines.of("query Q { a }").expect("parses").1);
        assert!(outlines.of("{ a ").is_none());
        assert_eq!(
            outlines
                .of("{ a }")
                .expect("parses")
                .0
                .sole_operation_name(),
            None
        );
    }
}
