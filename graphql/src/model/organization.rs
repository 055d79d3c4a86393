//! The GraphQL objects of Organization.

use super::*;

/// An organization.
pub struct Organization {
    pub view: views::OrganizationView,
    pub at: Lens,
}

/// An organization.
#[Object]
impl Organization {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Organization, self.view.id)
    }
    /// The current name.
    async fn name(&self) -> &str {
        self.view.name.as_str()
    }
    /// Earlier names, oldest first.
    async fn former_names(&self) -> Vec<String> {
        self.view
            .former_names
            .iter()
            .map(|n| n.to_string())
            .collect()
    }
    /// The kind of organization.
    async fn category(&self) -> OrganizationCategory {
        self.view.category.into()
    }
    /// The Italian tax code, when known.
    async fn tax_code(&self) -> Option<String> {
        self.view.tax_code.as_ref().map(|t| t.to_string())
    }
    /// The territory it serves.
    async fn territory(&self) -> &str {
        self.view.territory.as_str()
    }
    /// ACTIVE, SUCCEEDED or DEACTIVATED.
    async fn status(&self) -> &str {
        &self.view.status
    }
    /// The organization that succeeded this one.
    async fn successor(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        match self.view.successor {
            Some(id) => read(ctx)
                .organization(id, self.at.known)
                .await
                .map(|v| v.map(|view| Organization { view, at: self.at }))
                .map_err(Into::into),
            None => Ok(None),
        }
    }
    /// Every membership in a network (any status) the viewer reads in full; under
    /// `effectiveOn`, the memberships active on that date.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let all = read(ctx)
            .memberships_of(self.view.id, self.at.known)
            .await?;
        let viewer = crate::viewer::viewer(ctx);
        // Its own memberships to the organization's referents (applications included);
        // others' to full readers of the network, applications only to those who decide them.
        let (own, others): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|_| viewer.principal().represents(self.view.id));
        let mut all = own;
        all.extend(
            readable(ctx, others, |m| m.network)
                .await?
                .into_iter()
                .filter(|m| {
                    viewer.sees_membership(
                        crate::viewer::Level::Full,
                        m.network,
                        m.organization,
                        &m.status,
                    )
                }),
        );
        Ok(all
            .into_iter()
            .filter(|m| self.at.on.is_none_or(|day| m.member_on(day)))
            .map(|view| Membership { view, at: self.at })
            .collect())
    }
    /// The protocol versions this organization signed, in networks the viewer reads in full
    /// (under `effectiveOn`, by that date).
    async fn signatures(&self, ctx: &Context<'_>) -> ApiResult<Vec<Signature>> {
        let all = read(ctx).signatures_by(self.view.id, self.at.known).await?;
        let all = readable(ctx, all, |s| s.network).await?;
        Ok(all
            .into_iter()
            .filter(|s| self.at.by(s.signed_on))
            .map(|view| Signature { view, at: self.at })
            .collect())
    }
    /// The commitments this organization owes, in networks the viewer reads in full (under
    /// `effectiveOn`, taken on by that date).
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::filters::CommitmentFilter,
        >,
        #[graphql(desc = "The order of the list (default: by due date, ascending).")]
        order_by: Option<crate::filters::CommitmentOrder>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Commitment>> {
        commitment_page(
            ctx,
            CommitmentsOf::Organization(self.view.id),
            self.at,
            filter,
            order_by,
            (after, before),
            (first, last),
        )
        .await
    }
    /// Every event that concerns this organization.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<HistoryConnection> {
        timeline(
            ctx,
            views::Kind::Organization,
            &self.view.id.to_string(),
            Scope::Organization(self.view.id),
            (after, before),
            (first, last),
        )
        .await
    }
}
