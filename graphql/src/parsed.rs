//! Parsed operations, remembered: clients send the same few operation texts again and again
//! (with other variables), and parsing one costs more than copying its parsed form. Only
//! operations that parsed and passed the parser's own bounds are kept; validation (rules,
//! depth, complexity) still runs on every request. It must be the last extension of a schema:
//! a remembered document skips the extensions after it, and those before it (the masking of
//! errors, which keeps the document to answer in selection order) must see every one.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};

/// How many operation texts are remembered (the least recently used go first).
const REMEMBERED: usize = 1_000;
/// Longer texts are parsed every time; with only validated operations remembered (their
/// size bounded by the schema's depth and complexity limits), this bounds the memory.
const LONGEST: usize = 16 * 1024;

/// The extension: one cache shared by every request of a schema.
#[derive(Clone)]
pub(crate) struct ParsedOperations {
    cache: Arc<Mutex<lru::LruCache<String, ExecutableDocument>>>,
    /// The schema's bounds: only an operation within them is remembered.
    bounds: crate::limits::Limits,
}

impl ParsedOperations {
    pub(crate) fn new(bounds: crate::limits::Limits) -> Self {
        let capacity = NonZeroUsize::new(REMEMBERED).unwrap_or(NonZeroUsize::MIN);
        Self {
            cache: Arc::new(Mutex::new(lru::LruCache::new(capacity))),
            bounds,
        }
    }
}

impl ExtensionFactory for ParsedOperations {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Remembering {
            cache: self.clone(),
            parsed: Mutex::new(None),
        })
    }
}

/// One request's part: a text parsed afresh is remembered only once it has passed validation
/// (depth and complexity bounds included), so that texts which parse but are refused (a
/// flood of huge distinct selections, say) never fill the memory.
struct Remembering {
    cache: ParsedOperations,
    parsed: Mutex<Option<(String, ExecutableDocument)>>,
}

#[async_trait::async_trait]
impl Extension for Remembering {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let cached = self
            .cache
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(query)
            .cloned();
        if let Some(document) = cached {
            metrics::counter!("governance_parsed_operations_total", "result" => "hit").increment(1);
            return Ok(document);
        }
        metrics::counter!("governance_parsed_operations_total", "result" => "miss").increment(1);
        let document = next.run(ctx, query, variables).await?;
        if query.len() <= LONGEST {
            *self.parsed.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((query.to_owned(), document.clone()));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await;
        let parsed = self.parsed.lock().unwrap_or_else(|e| e.into_inner()).take();
        let within = |m: &ValidationResult| {
            m.depth <= self.cache.bounds.depth && m.complexity <= self.cache.bounds.complexity
        };
        if let (Ok(measured), Some((query, document))) = (&result, parsed) {
            if !within(measured) {
                return result;
            }
            self.cache
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .put(query, document);
        }
        result
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

    #[tokio::test]
    async fn only_operations_within_the_bounds_are_remembered() {
        let bounds = crate::limits::Limits {
            depth: 4,
            complexity: 2,
        };
        let operations = ParsedOperations::new(bounds);
        let schema = async_graphql::Schema::build(
            Root,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        )
        .extension(operations.clone())
        .finish();
        let within = schema.execute("{ a b }").await;
        assert!(within.errors.is_empty(), "{:?}", within.errors);
        assert_eq!(remembered(&operations), 1);
        // Parses, validates, but is beyond the complexity bound: not remembered.
        let beyond = schema.execute("{ a b x: a }").await;
        assert!(beyond.errors.is_empty());
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
