//! The mutations of IndicatorSet: define a set, submit and correct figures, close a period.
//! A submission holds keys the coordinator declared and non-negative counts: nothing else.

use crate::enums::Frequency;
use crate::graph::IndicatorSet;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::ids::*;
use aggregates::indicator_set::{
    Category, Figure, Indicator, IndicatorSet as IndicatorSetAggregate, IndicatorSetCommand,
    CATEGORIES_MAX, COUNT_MAX, DEFAULT_THRESHOLD, INDICATORS_MAX,
};
use aggregates::values::{DateRange, Key};

/// At most this many figures in one submission (every category of every indicator).
const FIGURES_MAX: usize = INDICATORS_MAX * CATEGORIES_MAX;

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[DEFINE_RULE, SUBMIT_RULE, CORRECT_RULE, CLOSE_RULE];

const DEFINE_RULE: MutationRule = MutationRule::new("defineIndicatorSet", Rule::Coordinator);
const SUBMIT_RULE: MutationRule = MutationRule::new("submitFigures", Rule::Referent);
const CORRECT_RULE: MutationRule = MutationRule::new("correctFigures", Rule::Referent);
const CLOSE_RULE: MutationRule = MutationRule::new("closeFiguresPeriod", Rule::Coordinator);

/// A category of an indicator.
#[derive(InputObject)]
pub struct FigureCategoryInput {
    /// Its key: 1 to 40 lower-case letters, digits or underscores, starting with a letter.
    pub key: String,
    /// Its title.
    pub title: String,
}

/// An indicator and the categories its counts are split by.
#[derive(InputObject)]
pub struct IndicatorInput {
    /// Its key: 1 to 40 lower-case letters, digits or underscores, starting with a letter.
    pub key: String,
    /// Its title, e.g. "Richieste di aiuto ricevute, per canale".
    pub title: String,
    /// Its categories (1 to 30).
    pub categories: Vec<FigureCategoryInput>,
}

/// Define the indicators a network's members report aggregate figures on.
#[derive(InputObject)]
pub struct DefineIndicatorSetInput {
    /// The network.
    pub network: ID,
    /// Its title.
    pub title: String,
    /// The indicators (1 to 30).
    pub indicators: Vec<IndicatorInput>,
    /// The first day of the first reporting period.
    pub from: Date,
    /// The last day of the last reporting period.
    pub until: Date,
    /// How often members report.
    pub frequency: Frequency,
    /// Published cells below it are suppressed (2 to 100; default 5).
    #[graphql(default = 5)]
    pub threshold: i32,
    /// Defined on.
    pub defined_on: Date,
}

/// One count.
#[derive(InputObject)]
pub struct FigureInput {
    /// The indicator's key.
    pub indicator: String,
    /// The category's key.
    pub category: String,
    /// How many (a non-negative whole number; 0 when there were none).
    pub count: i32,
}

/// A member's figures for a period.
#[derive(InputObject)]
pub struct SubmitFiguresInput {
    /// The indicator set.
    pub indicator_set: ID,
    /// The member reporting (the organization the caller acts for).
    pub organization: ID,
    /// The period's key (see `IndicatorSet.periods`).
    pub period: String,
    /// Every category of each indicator reported.
    pub figures: Vec<FigureInput>,
    /// Submitted on.
    pub submitted_on: Date,
}

/// New figures for indicators a member already reported for a period.
#[derive(InputObject)]
pub struct CorrectFiguresInput {
    /// The indicator set.
    pub indicator_set: ID,
    /// The member reporting (the organization the caller acts for).
    pub organization: ID,
    /// The period's key.
    pub period: String,
    /// Every category of each indicator corrected.
    pub figures: Vec<FigureInput>,
    /// Corrected on.
    pub corrected_on: Date,
}

/// Close a reporting period.
#[derive(InputObject)]
pub struct CloseFiguresPeriodInput {
    /// The indicator set.
    pub indicator_set: ID,
    /// The period's key.
    pub period: String,
    /// Closed on (after the period's last day).
    pub closed_on: Date,
}

payload!(IndicatorSetPayload, indicator_set: IndicatorSet);

fn key(p: &mut Parse, field: &str, value: &str) -> Option<Key> {
    p.value(field, Key::parse(value))
}

/// The figures of an input, each a declared key and a count (the domain checks the keys).
fn figures(p: &mut Parse, input: &[FigureInput]) -> Option<Vec<Figure>> {
    if input.len() > FIGURES_MAX {
        p.fail(
            "figures",
            format!("figures: at most {FIGURES_MAX}"),
            "INVALID_VALUE",
        );
        return None;
    }
    let mut out = Some(Vec::with_capacity(input.len()));
    for f in input {
        let indicator = key(p, "figures.indicator", &f.indicator);
        let category = key(p, "figures.category", &f.category);
        let count = match u32::try_from(f.count) {
            Ok(n) if n <= COUNT_MAX => Some(n),
            Ok(_) => {
                p.fail(
                    "figures.count",
                    format!("figures.count: at most {COUNT_MAX}"),
                    "COUNT_TOO_LARGE",
                );
                None
            }
            Err(_) => {
                p.fail(
                    "figures.count",
                    "figures.count: a count is a non-negative whole number".to_owned(),
                    "NEGATIVE_COUNT",
                );
                None
            }
        };
        match (indicator, category, count, out.as_mut()) {
            (Some(indicator), Some(category), Some(count), Some(list)) => list.push(Figure {
                indicator,
                category,
                count,
            }),
            _ => out = None,
        }
    }
    out
}

fn indicators(p: &mut Parse, input: &[IndicatorInput]) -> Option<Vec<Indicator>> {
    if input.len() > INDICATORS_MAX {
        p.fail(
            "indicators",
            format!("indicators: at most {INDICATORS_MAX}"),
            "INDICATOR_COUNT",
        );
        return None;
    }
    let mut out = Some(vec![]);
    for i in input {
        let k = key(p, "indicators.key", &i.key);
        let title = p.name("indicators.title", &i.title);
        let mut categories = Some(vec![]);
        if i.categories.len() > CATEGORIES_MAX {
            p.fail(
                "indicators.categories",
                format!("indicators.categories: at most {CATEGORIES_MAX}"),
                "CATEGORY_COUNT",
            );
            categories = None;
        } else {
            for c in &i.categories {
                let ck = key(p, "indicators.categories.key", &c.key);
                let ct = p.name("indicators.categories.title", &c.title);
                match (ck, ct, categories.as_mut()) {
                    (Some(key), Some(title), Some(list)) => list.push(Category { key, title }),
                    _ => categories = None,
                }
            }
        }
        match (k, title, categories, out.as_mut()) {
            (Some(key), Some(title), Some(categories), Some(list)) => list.push(Indicator {
                key,
                title,
                categories,
            }),
            _ => out = None,
        }
    }
    out
}

/// The resolvers of IndicatorSet's mutations.
#[derive(Default)]
pub struct IndicatorSetMutation;

#[Object]
impl IndicatorSetMutation {
    /// Define the indicators a network's members report aggregate figures on (counts per
    /// declared category, never case data), for a span of reporting periods.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn define_indicator_set(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DefineIndicatorSetInput,
    ) -> ApiResult<IndicatorSetPayload> {
        respond(define(ctx, input).await)
    }

    /// Submit a member's figures for a period: one non-negative count for every category of
    /// each indicator reported.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn submit_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SubmitFiguresInput,
    ) -> ApiResult<IndicatorSetPayload> {
        respond(
            decide(ctx, &SUBMIT_RULE, &input.indicator_set, |p, by| {
                let organization = p.org("organization", &input.organization);
                let figures = figures(p, &input.figures);
                Some(IndicatorSetCommand::Submit {
                    by,
                    organization: organization?,
                    period: input.period.trim().to_owned(),
                    figures: figures?,
                    submitted_on: input.submitted_on.0,
                })
            })
            .await,
        )
    }

    /// Correct a member's figures for a period (the earlier figures stay in the history).
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn correct_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CorrectFiguresInput,
    ) -> ApiResult<IndicatorSetPayload> {
        respond(
            decide(ctx, &CORRECT_RULE, &input.indicator_set, |p, by| {
                let organization = p.org("organization", &input.organization);
                let figures = figures(p, &input.figures);
                Some(IndicatorSetCommand::Correct {
                    by,
                    organization: organization?,
                    period: input.period.trim().to_owned(),
                    figures: figures?,
                    corrected_on: input.corrected_on.0,
                })
            })
            .await,
        )
    }

    /// Close a reporting period once it has ended: no more first submissions for it, and its
    /// tables are published to the network.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn close_figures_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CloseFiguresPeriodInput,
    ) -> ApiResult<IndicatorSetPayload> {
        respond(
            decide(ctx, &CLOSE_RULE, &input.indicator_set, |_, by| {
                Some(IndicatorSetCommand::ClosePeriod {
                    by,
                    period: input.period.trim().to_owned(),
                    closed_on: input.closed_on.0,
                })
            })
            .await,
        )
    }
}

async fn define(
    ctx: &Context<'_>,
    input: DefineIndicatorSetInput,
) -> Result<IndicatorSetPayload, Refusal> {
    let access = authorize(ctx, &DEFINE_RULE).await?;
    let by = acting_for(&access)?;
    let id = new_id(ctx, IndicatorSetId::derived, IndicatorSetId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let title = p.name("title", &input.title);
    let indicators = indicators(&mut p, &input.indicators);
    let span = p.value("until", DateRange::new(input.from.0, Some(input.until.0)));
    let threshold = match u32::try_from(input.threshold) {
        Ok(t) => Some(t),
        Err(_) => {
            p.fail(
                "threshold",
                format!("threshold: a whole number from 2 to 100 (default {DEFAULT_THRESHOLD})"),
                "INVALID_THRESHOLD",
            );
            None
        }
    };
    let command = (|| {
        Some(IndicatorSetCommand::Define {
            id,
            network: network?,
            by,
            title: title?,
            indicators: indicators?,
            span: span?,
            frequency: input.frequency.into(),
            threshold: threshold?,
            defined_on: input.defined_on.0,
        })
    })();
    let id = id.to_string();
    execute::<IndicatorSetAggregate, _>(ctx, &access, &id, p, command).await
}

impl Reloaded for IndicatorSet {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .indicator_set(IndicatorSetId(uuid), AsOf::Now)
            .await?
            .map(|view| IndicatorSet {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for IndicatorSet {
    type Aggregate = IndicatorSetAggregate;
    const FIELD: &'static str = "indicatorSet";
    const KIND: NodeKind = NodeKind::IndicatorSet;
}
