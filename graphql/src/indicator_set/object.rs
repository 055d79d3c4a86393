//! The GraphQL objects of IndicatorSet, and who may read what of it.

use aggregates::ids::{IndicatorSetId, OrganizationId};
use aggregates::values::Key;
use projections::figures::Cell;
use projections::views::{FigureTable, IndicatorSetView};

use crate::graph::{IndicatorSet, Network, OrganizationRef};
use crate::network::visible_network;
use crate::prelude::*;

/// A category an indicator's counts are split by.
#[derive(SimpleObject)]
pub struct FigureCategory {
    /// Its key, as submissions name it.
    pub key: String,
    /// Its title.
    pub title: String,
}

/// An indicator of a set.
#[derive(SimpleObject)]
pub struct IndicatorDefinition {
    /// Its key, as submissions name it.
    pub key: String,
    /// Its title.
    pub title: String,
    /// The categories its counts are split by.
    pub categories: Vec<FigureCategory>,
}

/// A reporting period of a set.
#[derive(SimpleObject)]
pub struct ReportingPeriod {
    /// Its key: `2023`, `2023-H1`, `2023-Q1` or `2023-01`.
    pub key: String,
    /// Its first day.
    pub from: Date,
    /// Its last day.
    pub until: Date,
    /// When the coordinator closed it (its tables are published from then); null while open.
    pub closed_on: Option<Date>,
}

/// Why a cell is not shown.
#[derive(Enum, Copy, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// The figure is below the set's threshold.
    Small,
    /// The figure is not small, but showing it would let a small one be worked out.
    Protecting,
}

/// One cell of a published table.
#[derive(SimpleObject)]
pub struct FigureCell {
    /// The category; null for the row's total.
    pub category: Option<String>,
    /// The figure; null when suppressed.
    pub value: Option<i64>,
    /// Why it is suppressed; null when shown.
    pub suppressed: Option<Suppression>,
    /// The cell as it is printed: the figure, `< 5` for a small one (with the set's
    /// threshold), `n.d.` for one withheld to protect a small one.
    pub display: String,
}

/// One row of a published table.
#[derive(SimpleObject)]
pub struct FigureRow {
    /// The member; null for the row of all members together.
    pub organization: Option<OrganizationRef>,
    /// A cell per category, then the row's total.
    pub cells: Vec<FigureCell>,
}

/// The published figures of one indicator for one closed period, or for every closed period
/// together. Small cells are suppressed across all of an indicator's tables at once, so no
/// cell below the threshold can be recovered from a total or from the difference of two
/// tables.
#[derive(SimpleObject)]
pub struct FigureTableObject {
    /// The indicator's key.
    pub indicator: String,
    /// The period's key; null for every closed period together.
    pub period: Option<String>,
    /// A row per member that reported, then the row of all members.
    pub rows: Vec<FigureRow>,
}

/// One count a member submitted.
#[derive(SimpleObject)]
pub struct SubmittedFigure {
    /// The indicator's key.
    pub indicator: String,
    /// The category's key.
    pub category: String,
    /// The count (as corrected, if it was).
    pub count: i64,
}

/// What one member submitted for one period: for that member only (and auditors and
/// administrators).
#[derive(SimpleObject)]
pub struct FiguresSubmission {
    /// The period's key.
    pub period: String,
    /// The member.
    pub organization: OrganizationRef,
    /// When it was first submitted.
    pub submitted_on: Date,
    /// When it was last corrected, if it was.
    pub corrected_on: Option<Date>,
    /// How many corrections it had (the earlier figures stay in the history).
    pub corrections: i32,
    /// The counts, as they stand.
    pub figures: Vec<SubmittedFigure>,
}

/// Who reported for a period (not what).
#[derive(SimpleObject)]
pub struct PeriodReporting {
    /// The period's key.
    pub period: String,
    /// The members that submitted figures for it.
    pub organizations: Vec<OrganizationRef>,
}

fn table_of(indicator: &Key, table: FigureTable, threshold: u32, at: Lens) -> FigureTableObject {
    FigureTableObject {
        indicator: indicator.to_string(),
        period: table.period,
        rows: table
            .rows
            .into_iter()
            .map(|row| FigureRow {
                organization: row.organization.map(|id| OrganizationRef { id, at }),
                cells: row
                    .cells
                    .into_iter()
                    .map(|(category, cell)| {
                        let (value, suppressed, display) = match cell {
                            Cell::Shown(v) => (Some(v as i64), None, v.to_string()),
                            Cell::Small => {
                                (None, Some(Suppression::Small), format!("< {threshold}"))
                            }
                            Cell::Protecting => {
                                (None, Some(Suppression::Protecting), "n.d.".to_owned())
                            }
                        };
                        FigureCell {
                            category: category.map(|c| c.to_string()),
                            value,
                            suppressed,
                            display,
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The figures a network's members share, without case data: the indicators a coordinator
/// defined for a span of reporting periods, and the tables of the closed periods with small
/// cells suppressed. Readable by those who read the network in full.
#[Object]
impl IndicatorSet {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::IndicatorSet, self.view.id)
    }
    /// Its title.
    async fn title(&self) -> &str {
        self.view.title.as_str()
    }
    /// The network whose members report.
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Option<Network>> {
        visible_network(ctx, self.view.network.as_uuid(), self.at).await
    }
    /// How often members report.
    async fn frequency(&self) -> Frequency {
        self.view.frequency.into()
    }
    /// Published cells below it are suppressed.
    async fn threshold(&self) -> i32 {
        self.view.threshold as i32
    }
    /// When it was defined.
    async fn defined_on(&self) -> Date {
        Date(self.view.defined_on)
    }
    /// The indicators and their categories.
    async fn indicators(&self) -> Vec<IndicatorDefinition> {
        self.view
            .indicators
            .iter()
            .map(|i| IndicatorDefinition {
                key: i.key.to_string(),
                title: i.title.to_string(),
                categories: i
                    .categories
                    .iter()
                    .map(|c| FigureCategory {
                        key: c.key.to_string(),
                        title: c.title.to_string(),
                    })
                    .collect(),
            })
            .collect()
    }
    /// Its reporting periods, in order.
    async fn periods(&self) -> Vec<ReportingPeriod> {
        self.view
            .periods
            .iter()
            .map(|p| ReportingPeriod {
                key: p.key.clone(),
                from: Date(p.from),
                until: Date(p.to),
                closed_on: p.closed_on.map(Date),
            })
            .collect()
    }
    /// Which members reported for each period (not what they reported).
    async fn reporting(&self) -> Vec<PeriodReporting> {
        self.view
            .periods
            .iter()
            .map(|p| PeriodReporting {
                period: p.key.clone(),
                organizations: self
                    .view
                    .submissions
                    .iter()
                    .filter(|s| s.period == p.key)
                    .map(|s| OrganizationRef {
                        id: s.organization,
                        at: self.at,
                    })
                    .collect(),
            })
            .collect()
    }
    /// The published tables of the closed periods: per indicator, one per period and one over
    /// all of them, with small cells suppressed.
    async fn tables(
        &self,
        #[graphql(desc = "Only this indicator (its key; default: every indicator).")]
        indicator: Option<String>,
    ) -> Vec<FigureTableObject> {
        self.view
            .indicators
            .iter()
            .filter(|i| indicator.as_deref().is_none_or(|k| i.key.as_str() == k))
            .flat_map(|i| {
                self.view
                    .tables(&i.key)
                    .into_iter()
                    .map(|t| table_of(&i.key, t, self.view.threshold, self.at))
            })
            .collect()
    }
    /// What a member submitted, period by period, as it stands: for that member's referents,
    /// auditors and administrators only.
    async fn submissions_of(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member.")] organization: ID,
    ) -> ApiResult<Vec<FiguresSubmission>> {
        let organization = OrganizationId(crate::ids::uuid_of(
            &organization,
            NodeKind::Organization,
            "organization",
        )?);
        let v = viewer(ctx);
        if !(v.reads_everything() || v.principal().represents(organization)) {
            return Err(crate::viewer::forbidden(
                "a referent role of that organization, or the auditor role",
            ));
        }
        Ok(self
            .view
            .submissions
            .iter()
            .filter(|s| s.organization == organization)
            .map(|s| FiguresSubmission {
                period: s.period.clone(),
                organization: OrganizationRef {
                    id: s.organization,
                    at: self.at,
                },
                submitted_on: Date(s.submitted_on),
                corrected_on: s.corrected_on.map(Date),
                corrections: s.corrections as i32,
                figures: s
                    .counts
                    .iter()
                    .flat_map(|(indicator, cells)| {
                        cells.iter().map(move |(category, count)| SubmittedFigure {
                            indicator: indicator.to_string(),
                            category: category.to_string(),
                            count: i64::from(*count),
                        })
                    })
                    .collect(),
            })
            .collect())
    }
}

/// Whether the viewer reads this set: those who read its network in full.
pub(crate) async fn sees_indicator_set(
    ctx: &Context<'_>,
    view: &IndicatorSetView,
) -> ApiResult<bool> {
    viewer(ctx).full(ctx, view.network).await
}

/// The indicator set with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_indicator_set(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<IndicatorSet>> {
    match read(ctx)
        .indicator_set(IndicatorSetId(uuid), at.known)
        .await?
    {
        Some(view) if sees_indicator_set(ctx, &view).await? => Ok(Some(IndicatorSet { view, at })),
        _ => Ok(None),
    }
}
