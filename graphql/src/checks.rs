//! A request's checks, as one async-graphql extension: the bounds (`limits.rs`), the masking
//! and coding of errors (`errors.rs`), the required variables (`variables.rs`), the values
//! validation does not parse (`coercion.rs`) and the remembered parses and validations
//! (`parsed.rs`), composed in that order, outermost first.
//!
//! One extension rather than four: async-graphql runs every field of an answer through each
//! extension's `resolve` hook (a boxed future each, and a look-up of the field's type in the
//! registry) as soon as a schema has any extension, whether or not the hook does anything. None
//! of these checks resolves fields, so one extension pays that once per field instead of four
//! times.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Variables};

use crate::answer::OperationName;
use crate::errors::Masking;
use crate::limits::Limits;
use crate::parsed::{ParsedOperations, Remembering};

/// The extension: the schema's bounds and the operations it remembers.
#[derive(Clone)]
pub(crate) struct Checks {
    pub(crate) limits: Limits,
    pub(crate) parsed: ParsedOperations,
}

impl Checks {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            parsed: ParsedOperations::new(),
        }
    }
}

impl ExtensionFactory for Checks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestChecks {
            limits: self.limits,
            masking: Masking::default(),
            operation_name: OperationName::default(),
            remembering: self.parsed.remembering(),
        })
    }
}

/// One request's checks.
struct RequestChecks {
    limits: Limits,
    masking: Masking,
    /// The request's `operationName` (the later hooks are not given it).
    operation_name: OperationName,
    remembering: Remembering,
}

#[async_trait::async_trait]
impl Extension for RequestChecks {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        self.masking.requested(&mut response);
        response
    }

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
        let name = self.operation_name.get();
        let parsed = self
            .remembering
            .parse_query(ctx, query, variables, name.as_deref(), next)
            .await
            .and_then(|document| {
                crate::variables::check_required(&document, name.as_deref(), variables)?;
                let registry = &ctx.schema_env.registry;
                crate::coercion::check_coercible(registry, &document, name.as_deref(), variables)?;
                Ok(document)
            });
        let document = self.masking.parsed(ctx, parsed)?;
        self.limits.check_parsed(&document)?;
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let validated = self.remembering.validation(ctx, next).await;
        let measured = self.masking.validated(validated)?;
        let measured = self.limits.check_measured(measured)?;
        self.remembering.remember(measured);
        Ok(measured)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        self.masking.executed(ctx, operation_name, response)
    }
}
