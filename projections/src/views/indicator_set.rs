//! The read model of IndicatorSet: its document (the definition, its periods, what each
//! member submitted) and the fold of its events into it. What the network reads of it are the
//! tables of closed periods, with small cells suppressed ([`IndicatorSetView::tables`]); a
//! member's own counts are for that member.

use aggregates::indicator_set::{periods, Counts, Frequency, Indicator, IndicatorSetEvent};
use aggregates::values::Key;

use super::*;
use crate::figures::{suppress, Cell, Coord, Cube};

/// A reporting period and, once closed, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiguresPeriod {
    pub key: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
}

/// What one member submitted for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub period: String,
    pub organization: OrganizationId,
    pub counts: Counts,
    pub submitted_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_on: Option<NaiveDate>,
    /// How many corrections it had.
    #[serde(default)]
    pub corrections: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSetView {
    pub id: IndicatorSetId,
    pub network: NetworkId,
    pub title: Name,
    pub indicators: Vec<Indicator>,
    pub span: DateRange,
    pub frequency: Frequency,
    pub threshold: u32,
    pub defined_on: NaiveDate,
    pub periods: Vec<FiguresPeriod>,
    /// In (period, organization) order.
    pub submissions: Vec<Submission>,
}

/// Published tables by (SHA-256 of the set's state, indicator).
type TablesCache = lru::LruCache<([u8; 32], Key), Vec<FigureTable>>;

/// One published table: the figures of one indicator for a period (or all closed periods),
/// a row per member that reported plus the total row, a cell per category plus the total.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureTable {
    /// None: every closed period together.
    pub period: Option<String>,
    pub rows: Vec<FigureRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    /// None: every member together.
    pub organization: Option<OrganizationId>,
    /// (category, cell); the category None is the row's total.
    pub cells: Vec<(Option<Key>, Cell)>,
}

impl IndicatorSetView {
    /// The closed periods, in order.
    pub fn closed(&self) -> Vec<&FiguresPeriod> {
        self.periods
            .iter()
            .filter(|p| p.closed_on.is_some())
            .collect()
    }

    /// The published tables of an indicator: one per closed period, then one over all of them
    /// (none when no period is closed or the set has no such indicator). Cells are suppressed
    /// over all of these tables together.
    pub fn tables(&self, indicator: &Key) -> Vec<FigureTable> {
        // Deciding the suppression is the costly part (an exact elimination over the withheld
        // cells: about 1.6 s for 20 members x 10 categories x 12 months in a debug build), and
        // the same state is asked for again and again: the answer is kept per state.
        static CACHE: std::sync::LazyLock<std::sync::Mutex<TablesCache>> =
            std::sync::LazyLock::new(|| {
                std::sync::Mutex::new(lru::LruCache::new(
                    std::num::NonZeroUsize::new(256).expect("a positive size"),
                ))
            });
        // Keyed by a SHA-256 of the whole state (the set's id included): two states never
        // share an entry, so one network can never be answered another's tables.
        let state: [u8; 32] = {
            use sha2::Digest;
            sha2::Sha256::digest(serde_json::to_vec(self).unwrap_or_default()).into()
        };
        let key = (state, indicator.clone());
        if let Some(found) = CACHE.lock().ok().and_then(|mut c| c.get(&key).cloned()) {
            return found;
        }
        let tables = self.decide_tables(indicator);
        if let Ok(mut c) = CACHE.lock() {
            c.put(key, tables.clone());
        }
        tables
    }

    fn decide_tables(&self, indicator: &Key) -> Vec<FigureTable> {
        let Some(definition) = self.indicators.iter().find(|i| &i.key == indicator) else {
            return vec![];
        };
        let periods: Vec<&str> = self.closed().iter().map(|p| p.key.as_str()).collect();
        if periods.is_empty() {
            return vec![];
        }
        let mut members: Vec<OrganizationId> = self
            .submissions
            .iter()
            .filter(|s| periods.contains(&s.period.as_str()) && s.counts.contains_key(indicator))
            .map(|s| s.organization)
            .collect();
        members.sort();
        members.dedup();
        let categories: Vec<&Key> = definition.categories.iter().map(|c| &c.key).collect();
        let mut cube = Cube {
            sizes: [members.len(), categories.len(), periods.len()],
            base: Default::default(),
        };
        for s in &self.submissions {
            let (Some(p), Some(m), Some(counts)) = (
                periods.iter().position(|p| *p == s.period),
                members.iter().position(|m| *m == s.organization),
                s.counts.get(indicator),
            ) else {
                continue;
            };
            for (c, key) in categories.iter().enumerate() {
                if let Some(n) = counts.get(*key) {
                    cube.base.insert([m, c, p], u64::from(*n));
                }
            }
        }
        let published = suppress(&cube, u64::from(self.threshold));
        let table = |p: Option<usize>| FigureTable {
            period: p.map(|p| periods[p].to_owned()),
            rows: members
                .iter()
                .enumerate()
                .map(|(m, o)| (Some(m), Some(*o)))
                .chain([(None, None)])
                .filter_map(|(m, organization)| {
                    let cells: Vec<(Option<Key>, Cell)> = categories
                        .iter()
                        .enumerate()
                        .map(|(c, k)| (Some(c), Some((*k).clone())))
                        .chain([(None, None)])
                        .filter_map(|(c, key)| {
                            let at: Coord = [m, c, p];
                            published.get(&at).map(|cell| (key, *cell))
                        })
                        .collect();
                    (!cells.is_empty()).then_some(FigureRow {
                        organization,
                        cells,
                    })
                })
                .collect(),
        };
        (0..periods.len())
            .map(Some)
            .chain([None])
            .map(table)
            .collect()
    }

    /// What `organization` submitted for `period`, as recorded now.
    pub fn submission(&self, period: &str, organization: OrganizationId) -> Option<&Submission> {
        self.submissions
            .iter()
            .find(|s| s.period == period && s.organization == organization)
    }
}

fn counts_of(figures: Vec<aggregates::indicator_set::Figure>) -> Counts {
    let mut counts = Counts::new();
    for f in figures {
        counts
            .entry(f.indicator)
            .or_default()
            .insert(f.category, f.count);
    }
    counts
}

pub(super) fn project_indicator_set(
    docs: &mut Docs,
    p: i64,
    id: IndicatorSetId,
    e: IndicatorSetEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::IndicatorSet, id);
    let mut view: IndicatorSetView = match &e {
        IndicatorSetEvent::IndicatorSetDefined(d) => IndicatorSetView {
            id,
            network: d.network,
            title: d.title.clone(),
            indicators: d.indicators.clone(),
            span: d.span,
            frequency: d.frequency,
            threshold: d.threshold,
            defined_on: d.defined_on,
            periods: periods(&d.span, d.frequency)
                .unwrap_or_default()
                .into_iter()
                .map(|p| FiguresPeriod {
                    key: p.key,
                    from: p.from,
                    to: p.to,
                    closed_on: None,
                })
                .collect(),
            submissions: vec![],
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    match e {
        IndicatorSetEvent::IndicatorSetDefined(_) => {}
        IndicatorSetEvent::FiguresSubmitted(s) => {
            docs.concern(Kind::Organization, s.organization, p);
            let counts = counts_of(s.figures);
            match view
                .submissions
                .iter_mut()
                .find(|x| x.period == s.period && x.organization == s.organization)
            {
                Some(existing) => existing.counts.extend(counts),
                None => {
                    view.submissions.push(Submission {
                        period: s.period,
                        organization: s.organization,
                        counts,
                        submitted_on: s.submitted_on,
                        corrected_on: None,
                        corrections: 0,
                    });
                    view.submissions.sort_by(|a, b| {
                        (&a.period, a.organization).cmp(&(&b.period, b.organization))
                    });
                }
            }
        }
        IndicatorSetEvent::FiguresCorrected(c) => {
            docs.concern(Kind::Organization, c.organization, p);
            if let Some(existing) = view
                .submissions
                .iter_mut()
                .find(|x| x.period == c.period && x.organization == c.organization)
            {
                existing.counts.extend(counts_of(c.figures));
                existing.corrected_on = Some(c.corrected_on);
                existing.corrections += 1;
            }
        }
        IndicatorSetEvent::FiguresPeriodClosed(c) => {
            if let Some(period) = view.periods.iter_mut().find(|x| x.key == c.period) {
                period.closed_on = Some(c.closed_on);
            }
        }
    }
    docs.put(
        key,
        filters(Some(view.network.to_string()), None, None),
        p,
        view,
    );
    Ok(())
}
