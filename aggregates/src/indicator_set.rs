//! Indicator set (dati aggregati condivisi): the figures a network's members share without
//! ever sharing a case. A coordinator defines the indicators (each with its declared
//! categories) for a span of reporting periods; each member submits, per period, one
//! non-negative count per category, and may correct it (the earlier figure stays in history);
//! the coordinator closes a period, after which the network sees its tables, with small cells
//! suppressed (the read side's `figures` module).
//!
//! There is no field in which a case, a name or a date of birth could be typed: a submission
//! holds keys the coordinator declared and counts, nothing else.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, NetworkFacts, Services};
use crate::events::domain_events;
use crate::ids::{IndicatorSetId, NetworkId, OrganizationId};
use crate::values::{wire_enum, DateRange, Key, Name};

/// The default suppression threshold: a published cell below it is shown as "< 5".
pub const DEFAULT_THRESHOLD: u32 = 5;
/// The thresholds a coordinator may choose.
pub const THRESHOLDS: std::ops::RangeInclusive<u32> = 2..=100;
/// At most this many reporting periods in a set (five years of months).
pub const PERIODS_MAX: usize = 60;
/// At most this many indicators, and categories per indicator.
pub const INDICATORS_MAX: usize = 30;
pub const CATEGORIES_MAX: usize = 30;
/// The largest count accepted in one cell.
pub const COUNT_MAX: u32 = 1_000_000;

wire_enum!(
    /// How often members report.
    Frequency {
        Monthly,
        Quarterly,
        HalfYearly,
        Yearly,
    }
);

impl Frequency {
    fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::HalfYearly => 6,
            Frequency::Yearly => 12,
        }
    }
}

/// A category of an indicator (e.g. `phone` of "requests by channel").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Category {
    pub key: Key,
    pub title: Name,
}

/// An indicator and the categories its counts are split by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Indicator {
    pub key: Key,
    pub title: Name,
    pub categories: Vec<Category>,
}

/// One reporting period of a set: its key (`2023`, `2023-H1`, `2023-Q1`, `2023-01`) and days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub key: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The reporting periods of a span: calendar months, quarters, halves or years. None when the
/// span does not start on the first day of one and end on the last day of one, or holds more
/// than [`PERIODS_MAX`].
pub fn periods(span: &DateRange, frequency: Frequency) -> Option<Vec<Period>> {
    let step = frequency.months();
    let start = span.from();
    let end = span.to()?;
    if start.day() != 1 || !start.month0().is_multiple_of(step) {
        return None;
    }
    let mut out = Vec::new();
    let mut from = start;
    while from <= end {
        let next = from.checked_add_months(chrono::Months::new(step))?;
        let to = next.pred_opt()?;
        if to > end {
            return None;
        }
        let key = match frequency {
            Frequency::Yearly => format!("{}", from.year()),
            Frequency::HalfYearly => format!("{}-H{}", from.year(), from.month0() / 6 + 1),
            Frequency::Quarterly => format!("{}-Q{}", from.year(), from.month0() / 3 + 1),
            Frequency::Monthly => format!("{}-{:02}", from.year(), from.month()),
        };
        out.push(Period { key, from, to });
        if out.len() > PERIODS_MAX {
            return None;
        }
        from = next;
    }
    Some(out)
}

/// One count: how many, for one category of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Figure {
    pub indicator: Key,
    pub category: Key,
    pub count: u32,
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum IndicatorSetCommand {
    Define {
        id: IndicatorSetId,
        network: NetworkId,
        by: OrganizationId,
        title: Name,
        indicators: Vec<Indicator>,
        span: DateRange,
        frequency: Frequency,
        threshold: u32,
        defined_on: NaiveDate,
    },
    /// A member's first figures for a period (whole indicators: every category of each).
    Submit {
        by: OrganizationId,
        organization: OrganizationId,
        period: String,
        figures: Vec<Figure>,
        submitted_on: NaiveDate,
    },
    /// New figures for indicators the member already submitted for the period.
    Correct {
        by: OrganizationId,
        organization: OrganizationId,
        period: String,
        figures: Vec<Figure>,
        corrected_on: NaiveDate,
    },
    /// No more first submissions for the period; its tables are published to the network.
    ClosePeriod {
        by: OrganizationId,
        period: String,
        closed_on: NaiveDate,
    },
}

impl crate::DomainCommand for IndicatorSetCommand {
    fn business_date(&self) -> Option<NaiveDate> {
        match self {
            Self::Define { defined_on: on, .. }
            | Self::Submit {
                submitted_on: on, ..
            }
            | Self::Correct {
                corrected_on: on, ..
            }
            | Self::ClosePeriod { closed_on: on, .. } => Some(*on),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorSetError {
    #[error("this indicator set is already defined")]
    AlreadyDefined,
    #[error("no such indicator set")]
    NotFound,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("only the network's coordinator may do this")]
    NotCoordinator,
    #[error("an organization submits and corrects its own figures only")]
    NotOwnFigures,
    #[error("organization {} is not an active member of the network", .0.global())]
    NotNetworkMember(OrganizationId),
    #[error("an indicator set has 1 to {INDICATORS_MAX} indicators")]
    IndicatorCount,
    #[error("indicator {0} is declared twice")]
    DuplicateIndicator(Key),
    #[error("indicator {0} needs 1 to {CATEGORIES_MAX} categories")]
    CategoryCount(Key),
    #[error("indicator {indicator} declares category {category} twice")]
    DuplicateCategory { indicator: Key, category: Key },
    #[error("the span must run from the first day of a reporting period to the last day of one, with an end, and hold at most {PERIODS_MAX} periods")]
    Span,
    #[error("the threshold must be between {} and {}", THRESHOLDS.start(), THRESHOLDS.end())]
    Threshold,
    #[error("the set has no reporting period {0:?}")]
    UnknownPeriod(String),
    #[error("period {0} is closed: correct figures already submitted instead")]
    PeriodClosed(String),
    #[error("period {0} is already closed")]
    AlreadyClosed(String),
    #[error("period {0} has not ended on the date given")]
    PeriodNotEnded(String),
    #[error("the organization already submitted figures for indicator {0} in this period: correct them instead")]
    AlreadySubmitted(Key),
    #[error("the organization has not submitted figures for indicator {0} in this period")]
    NotSubmitted(Key),
    #[error("no figures given")]
    NoFigures,
    #[error("the set has no indicator {0}")]
    UnknownIndicator(Key),
    #[error("indicator {indicator} has no category {category}")]
    UnknownCategory { indicator: Key, category: Key },
    #[error("the figure for {indicator}/{category} is given twice")]
    DuplicateFigure { indicator: Key, category: Key },
    #[error("indicator {indicator} is incomplete: category {category} has no count (give 0 when there were none)")]
    IncompleteIndicator { indicator: Key, category: Key },
    #[error("a count is at most {COUNT_MAX}")]
    CountTooLarge,
    #[error("the corrected figures are the ones already recorded")]
    NoChange,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(IndicatorSetError {
    AlreadyDefined => "ALREADY_DEFINED",
    NotFound => "NOT_FOUND",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    NotCoordinator => "NOT_COORDINATOR",
    NotOwnFigures => "NOT_OWN_FIGURES",
    NotNetworkMember => "NOT_NETWORK_MEMBER",
    IndicatorCount => "INDICATOR_COUNT",
    DuplicateIndicator => "DUPLICATE_INDICATOR",
    CategoryCount => "CATEGORY_COUNT",
    DuplicateCategory => "DUPLICATE_CATEGORY",
    Span => "INVALID_SPAN",
    Threshold => "INVALID_THRESHOLD",
    UnknownPeriod => "UNKNOWN_PERIOD",
    PeriodClosed => "PERIOD_CLOSED",
    AlreadyClosed => "ALREADY_CLOSED",
    PeriodNotEnded => "PERIOD_NOT_ENDED",
    AlreadySubmitted => "ALREADY_SUBMITTED",
    NotSubmitted => "NOT_SUBMITTED",
    NoFigures => "NO_FIGURES",
    UnknownIndicator => "UNKNOWN_INDICATOR",
    UnknownCategory => "UNKNOWN_CATEGORY",
    DuplicateFigure => "DUPLICATE_FIGURE",
    IncompleteIndicator => "INCOMPLETE_INDICATOR",
    CountTooLarge => "COUNT_TOO_LARGE",
    NoChange => "NO_CHANGE",
    Directory => "DIRECTORY",
}, field = IndicatorSetError::field_at_fault);

impl IndicatorSetError {
    /// The command's field at fault, where one is.
    pub fn field_at_fault(&self) -> Option<Vec<&'static str>> {
        use IndicatorSetError as E;
        Some(vec![match self {
            E::IndicatorCount
            | E::DuplicateIndicator(_)
            | E::CategoryCount(_)
            | E::DuplicateCategory { .. } => "indicators",
            E::Span => "span",
            E::Threshold => "threshold",
            E::UnknownPeriod(_)
            | E::PeriodClosed(_)
            | E::AlreadyClosed(_)
            | E::PeriodNotEnded(_) => "period",
            E::NotNetworkMember(_) | E::NotOwnFigures => "organization",
            E::AlreadySubmitted(_)
            | E::NotSubmitted(_)
            | E::NoFigures
            | E::UnknownIndicator(_)
            | E::UnknownCategory { .. }
            | E::DuplicateFigure { .. }
            | E::IncompleteIndicator { .. }
            | E::CountTooLarge
            | E::NoChange => "figures",
            _ => return None,
        }])
    }
}

domain_events!(
    /// Everything that can happen to an indicator set.
    IndicatorSetEvent {
        IndicatorSetDefined = "1",
        FiguresSubmitted = "1",
        FiguresCorrected = "1",
        FiguresPeriodClosed = "1",
    }
);

/// A coordinator defined the indicators members report on, for a span of periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IndicatorSetDefined {
    pub indicator_set_id: IndicatorSetId,
    pub network: NetworkId,
    pub title: Name,
    pub indicators: Vec<Indicator>,
    pub span: DateRange,
    pub frequency: Frequency,
    /// Published cells below it are suppressed.
    pub threshold: u32,
    pub defined_on: NaiveDate,
}

/// A member's figures for a period: one count per category of each indicator given. Only the
/// member itself, auditors and administrators read these counts (anyone else reading the
/// history sees `figures` empty); the network reads the suppressed tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FiguresSubmitted {
    pub organization: OrganizationId,
    pub period: String,
    pub figures: Vec<Figure>,
    pub submitted_on: NaiveDate,
}

/// A member replaced its figures for the indicators given (the earlier ones stay in history;
/// as for a submission, only the member, auditors and administrators read the counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FiguresCorrected {
    pub organization: OrganizationId,
    pub period: String,
    pub figures: Vec<Figure>,
    pub corrected_on: NaiveDate,
}

/// A period was closed: its tables are published to the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FiguresPeriodClosed {
    pub period: String,
    pub closed_on: NaiveDate,
}

/// Counts per indicator, per category.
pub type Counts = BTreeMap<Key, BTreeMap<Key, u32>>;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndicatorSet {
    pub id: Option<IndicatorSetId>,
    pub network: Option<NetworkId>,
    pub indicators: Vec<Indicator>,
    pub periods: Vec<Period>,
    pub closed: BTreeSet<String>,
    /// What each member submitted, per period and organization.
    pub submitted: BTreeMap<String, BTreeMap<OrganizationId, Counts>>,
}

impl IndicatorSet {
    async fn network(&self, services: &Services) -> Result<NetworkFacts, IndicatorSetError> {
        let network = self.network.ok_or(IndicatorSetError::NotFound)?;
        services
            .open_network(
                network,
                IndicatorSetError::NetworkNotFound,
                IndicatorSetError::NetworkClosed,
            )
            .await
    }

    fn period(&self, key: &str) -> Result<&Period, IndicatorSetError> {
        self.periods
            .iter()
            .find(|p| p.key == key)
            .ok_or_else(|| IndicatorSetError::UnknownPeriod(key.to_owned()))
    }

    /// The figures as counts, once every one names a declared category, none twice, and every
    /// indicator given is complete.
    fn counts(&self, figures: &[Figure]) -> Result<Counts, IndicatorSetError> {
        use IndicatorSetError as E;
        if figures.is_empty() {
            return Err(E::NoFigures);
        }
        let mut counts = Counts::new();
        let mut given = BTreeSet::new();
        for f in figures {
            let indicator = self
                .indicators
                .iter()
                .find(|i| i.key == f.indicator)
                .ok_or_else(|| E::UnknownIndicator(f.indicator.clone()))?;
            if !indicator.categories.iter().any(|c| c.key == f.category) {
                return Err(E::UnknownCategory {
                    indicator: f.indicator.clone(),
                    category: f.category.clone(),
                });
            }
            if f.count > COUNT_MAX {
                return Err(E::CountTooLarge);
            }
            if counts
                .entry(f.indicator.clone())
                .or_default()
                .insert(f.category.clone(), f.count)
                .is_some()
            {
                return Err(E::DuplicateFigure {
                    indicator: f.indicator.clone(),
                    category: f.category.clone(),
                });
            }
            given.insert(indicator.key.clone());
        }
        for indicator in self.indicators.iter().filter(|i| given.contains(&i.key)) {
            for c in &indicator.categories {
                if !counts[&indicator.key].contains_key(&c.key) {
                    return Err(E::IncompleteIndicator {
                        indicator: indicator.key.clone(),
                        category: c.key.clone(),
                    });
                }
            }
        }
        Ok(counts)
    }

    /// The indicators of `counts`.
    fn indicators_of(counts: &Counts) -> BTreeSet<Key> {
        counts.keys().cloned().collect()
    }

    /// What `organization` submitted for `period`.
    pub fn submitted_by(&self, period: &str, organization: OrganizationId) -> Option<&Counts> {
        self.submitted.get(period)?.get(&organization)
    }
}

fn check_definition(indicators: &[Indicator], threshold: u32) -> Result<(), IndicatorSetError> {
    use IndicatorSetError as E;
    if indicators.is_empty() || indicators.len() > INDICATORS_MAX {
        return Err(E::IndicatorCount);
    }
    let mut keys = BTreeSet::new();
    for i in indicators {
        if !keys.insert(&i.key) {
            return Err(E::DuplicateIndicator(i.key.clone()));
        }
        if i.categories.is_empty() || i.categories.len() > CATEGORIES_MAX {
            return Err(E::CategoryCount(i.key.clone()));
        }
        let mut categories = BTreeSet::new();
        for c in &i.categories {
            if !categories.insert(&c.key) {
                return Err(E::DuplicateCategory {
                    indicator: i.key.clone(),
                    category: c.key.clone(),
                });
            }
        }
    }
    if !THRESHOLDS.contains(&threshold) {
        return Err(E::Threshold);
    }
    Ok(())
}

impl Aggregate for IndicatorSet {
    const TYPE: &'static str = "IndicatorSet";
    type Command = IndicatorSetCommand;
    type Event = IndicatorSetEvent;
    type Error = IndicatorSetError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        use IndicatorSetCommand as C;
        use IndicatorSetError as E;
        let event: IndicatorSetEvent = match command {
            C::Define {
                id,
                network,
                by,
                title,
                indicators,
                span,
                frequency,
                threshold,
                defined_on,
            } => {
                if self.network.is_some() {
                    return Err(E::AlreadyDefined);
                }
                check_definition(&indicators, threshold)?;
                periods(&span, frequency).ok_or(E::Span)?;
                services
                    .coordinated_network(
                        network,
                        by,
                        [E::NetworkNotFound, E::NetworkClosed, E::NotCoordinator],
                    )
                    .await?;
                IndicatorSetDefined {
                    indicator_set_id: id,
                    network,
                    title,
                    indicators,
                    span,
                    frequency,
                    threshold,
                    defined_on,
                }
                .into()
            }
            C::Submit {
                by,
                organization,
                period,
                figures,
                submitted_on,
            } => {
                let facts = self.network(services).await?;
                if by != organization {
                    return Err(E::NotOwnFigures);
                }
                if !facts.active_members.contains(&organization) {
                    return Err(E::NotNetworkMember(organization));
                }
                self.period(&period)?;
                if self.closed.contains(&period) {
                    return Err(E::PeriodClosed(period));
                }
                let counts = self.counts(&figures)?;
                if let Some(earlier) = self.submitted_by(&period, organization) {
                    let before = Self::indicators_of(earlier);
                    if let Some(again) = Self::indicators_of(&counts).intersection(&before).next() {
                        return Err(E::AlreadySubmitted(again.clone()));
                    }
                }
                FiguresSubmitted {
                    organization,
                    period,
                    figures,
                    submitted_on,
                }
                .into()
            }
            C::Correct {
                by,
                organization,
                period,
                figures,
                corrected_on,
            } => {
                self.network(services).await?;
                if by != organization {
                    return Err(E::NotOwnFigures);
                }
                self.period(&period)?;
                let counts = self.counts(&figures)?;
                let earlier = self
                    .submitted_by(&period, organization)
                    .cloned()
                    .unwrap_or_default();
                let before = Self::indicators_of(&earlier);
                if let Some(missing) = Self::indicators_of(&counts).difference(&before).next() {
                    return Err(E::NotSubmitted(missing.clone()));
                }
                if counts
                    .iter()
                    .all(|(i, cells)| earlier.get(i) == Some(cells))
                {
                    return Err(E::NoChange);
                }
                FiguresCorrected {
                    organization,
                    period,
                    figures,
                    corrected_on,
                }
                .into()
            }
            C::ClosePeriod {
                by,
                period,
                closed_on,
            } => {
                let network = self.network.ok_or(E::NotFound)?;
                services
                    .coordinated_network(
                        network,
                        by,
                        [E::NetworkNotFound, E::NetworkClosed, E::NotCoordinator],
                    )
                    .await?;
                let to = self.period(&period)?.to;
                if self.closed.contains(&period) {
                    return Err(E::AlreadyClosed(period));
                }
                if closed_on <= to {
                    return Err(E::PeriodNotEnded(period));
                }
                FiguresPeriodClosed { period, closed_on }.into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        let counts = |figures: Vec<Figure>| {
            let mut counts = Counts::new();
            for f in figures {
                counts
                    .entry(f.indicator)
                    .or_default()
                    .insert(f.category, f.count);
            }
            counts
        };
        match event {
            IndicatorSetEvent::IndicatorSetDefined(e) => {
                self.id = Some(e.indicator_set_id);
                self.network = Some(e.network);
                self.periods = periods(&e.span, e.frequency).unwrap_or_default();
                self.indicators = e.indicators;
            }
            IndicatorSetEvent::FiguresSubmitted(e) => {
                self.submitted
                    .entry(e.period)
                    .or_default()
                    .entry(e.organization)
                    .or_default()
                    .extend(counts(e.figures));
            }
            IndicatorSetEvent::FiguresCorrected(e) => {
                self.submitted
                    .entry(e.period)
                    .or_default()
                    .entry(e.organization)
                    .or_default()
                    .extend(counts(e.figures));
            }
            IndicatorSetEvent::FiguresPeriodClosed(e) => {
                self.closed.insert(e.period);
            }
        }
    }
}
