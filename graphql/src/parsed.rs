//! Parsed operations, remembered: clients send the same few operation texts again and again
//! (with other variables), and parsing one costs more than copying its parsed form. Only
//! operations that parsed and passed the parser's own bounds are kept; validation (rules,
//! depth, complexity) still runs on every request. It must be the last extension of a schema:
//! a remembered document skips the extensions after it, and those before it (the masking of
//! errors, which keeps the document to answer in selection order) must see every one.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerResult, Variables};

/// How many operation texts are remembered (the least recently used go first).
const REMEMBERED: usize = 1_000;
/// Longer texts are parsed every time (bounds the memory to about 16 MiB).
const LONGEST: usize = 16 * 1024;

/// The extension: one cache shared by every request of a schema.
#[derive(Clone)]
pub(crate) struct ParsedOperations(Arc<Mutex<lru::LruCache<String, ExecutableDocument>>>);

impl Default for ParsedOperations {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(REMEMBERED).unwrap_or(NonZeroUsize::MIN);
        Self(Arc::new(Mutex::new(lru::LruCache::new(capacity))))
    }
}

impl ExtensionFactory for ParsedOperations {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[async_trait::async_trait]
impl Extension for ParsedOperations {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let cached = self
            .0
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
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .put(query.to_owned(), document.clone());
        }
        Ok(document)
    }
}
