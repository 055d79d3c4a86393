//! Histories: the timeline of an entity and the audit log, in pages of the global log.

use super::*;
use std::sync::Arc;

use crate::timelines::{Facts, Narrow};

/// No page at all: a count.
const NONE: Window = Window::After {
    after: i64::MAX,
    limit: 0,
};

/// The window of the image's lists that answers `page` (at most 1,000, as from the database).
fn window_of(page: Page) -> Window {
    let size = |limit: i64| limit.clamp(1, 1000) as usize;
    match page {
        Page::After { after, limit } => Window::After {
            after,
            limit: size(limit),
        },
        Page::Before { before, limit } => Window::Before {
            before: before.unwrap_or(i64::MAX),
            limit: size(limit),
        },
    }
}

impl ReadModels {
    /// Every event that concerns an entity (its own aggregate's, and other aggregates' events
    /// about it), one page of it, in log order.
    pub async fn timeline(
        &self,
        kind: Kind,
        id: &str,
        page: Page,
    ) -> Result<Vec<Arc<StoredEvent>>, QueryError> {
        if let Some(image) = self.image() {
            let entities = [(kind, id)];
            let found = self
                .in_image(image, &entities, &Narrow::default(), window_of(page))
                .await?;
            if let Some((positions, _)) = found {
                return self.events_at(image, &positions).await;
            }
        }
        let from = format!(
            "entity_events x JOIN events e ON e.position = x.position
              WHERE x.generation = {ACTIVE} AND x.kind = $1 AND x.id = $2"
        );
        self.page_of(&from, &[kind.as_str().to_owned(), id.to_owned()], page)
            .await
    }

    /// How many events concern an entity.
    pub async fn timeline_count(&self, kind: Kind, id: &str) -> Result<i64, QueryError> {
        if let Some(image) = self.image() {
            let entities = [(kind, id)];
            let found = self
                .in_image(image, &entities, &Narrow::default(), NONE)
                .await?;
            if let Some((_, total)) = found {
                return Ok(total as i64);
            }
        }
        let from = format!(
            "entity_events x JOIN events e ON e.position = x.position
              WHERE x.generation = {ACTIVE} AND x.kind = $1 AND x.id = $2"
        );
        self.count_of(&from, &[kind.as_str().to_owned(), id.to_owned()])
            .await
    }

    /// One window of the positions of the events that concern every one of `entities` and
    /// hold to `narrow`, and how many there are, from the read image, loading an entity's
    /// list (at the image's position) the first time; None when the entity index in the
    /// database has not reached the image yet, or the image kept moving while lists were
    /// loaded (the page is then read from the database).
    async fn in_image(
        &self,
        image: &Image,
        entities: &[(Kind, &str)],
        narrow: &Narrow<'_>,
        window: Window,
    ) -> Result<Option<(Vec<i64>, usize)>, QueryError> {
        for _ in 0..3 {
            let ((kind, id), at) = match image.history(entities, narrow, window) {
                Ok(found) => return Ok(Some(found)),
                Err(lacking) => lacking,
            };
            let Some(list) = self.indexed_up_to(kind, &id, at).await? else {
                return Ok(None);
            };
            // Kept only if the image is still at `at`; else the batches applied since may
            // concern the entity, and the list is loaded again at the image's new position.
            image.keep_timeline(kind, &id, at, &list);
        }
        Ok(None)
    }

    /// Every position that concerns an entity up to `at`, with what the audit log filters
    /// on, from the entity index and the log, in one snapshot; None when the projector has
    /// not indexed that far.
    async fn indexed_up_to(
        &self,
        kind: Kind,
        id: &str,
        at: i64,
    ) -> Result<Option<Vec<Facts>>, QueryError> {
        const INDEXED: &str = "SELECT c.position FROM projection_state s
              JOIN projection_checkpoints c ON c.generation = s.active_generation";
        let postgres = matches!(self.backend(), Backend::Postgres(_));
        let actor = match postgres {
            true => "e.metadata ->> 'actor_id'",
            false => "json_extract(e.metadata, '$.actor_id')",
        };
        let sql = dialect(
            self.backend(),
            &format!(
                "SELECT x.position, e.event_type, e.aggregate_type, {actor} AS actor, e.recorded_at
                   FROM entity_events x JOIN events e ON e.position = x.position
                  WHERE x.generation = {ACTIVE} AND x.kind = $1 AND x.id = $2 AND x.position <= $3
                  ORDER BY x.position"
            ),
        );
        type Row = (i64, String, String, Option<String>, DateTime<Utc>);
        let rows: Option<Vec<Row>> = on_pool!(self.backend(), pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
            }
            let indexed: i64 = sqlx::query_scalar(INDEXED).fetch_one(&mut *tx).await?;
            let list: Option<Vec<Row>> = if indexed < at {
                None
            } else {
                Some(
                    sqlx::query_as(&sql)
                        .bind(kind.as_str())
                        .bind(id)
                        .bind(at)
                        .fetch_all(&mut *tx)
                        .await?,
                )
            };
            tx.commit().await?;
            list
        });
        let Some(rows) = rows else {
            return Ok(None);
        };
        rows.into_iter()
            .map(
                |(position, event_type, aggregate_type, actor, recorded_at)| {
                    let actor = actor.ok_or_else(|| {
                        QueryError::Store(StoreError::Corrupt(format!(
                            "the event at position {position} names no actor"
                        )))
                    })?;
                    Ok(Facts {
                        position,
                        event_type,
                        aggregate_type,
                        actor,
                        recorded_at,
                    })
                },
            )
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// The events at `positions`, in that order: those the image's cache holds, the rest in
    /// one query (and cached).
    async fn events_at(
        &self,
        image: &Image,
        positions: &[i64],
    ) -> Result<Vec<Arc<StoredEvent>>, QueryError> {
        let cached = image.events().get(positions);
        let missing: Vec<String> = positions
            .iter()
            .zip(&cached)
            .filter(|(_, event)| event.is_none())
            .map(|(position, _)| position.to_string())
            .collect();
        let mut fetched = std::collections::HashMap::new();
        if !missing.is_empty() {
            // Positions are numbers this process read from the entity index.
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events e WHERE e.position IN ({})",
                missing.join(", ")
            );
            let rows: Vec<RawEvent> =
                on_pool!(self.backend(), pool => sqlx::query_as(&sql).fetch_all(pool).await?);
            let events = rows
                .into_iter()
                .map(|row| StoredEvent::try_from(row).map(Arc::new))
                .collect::<Result<Vec<_>, _>>()?;
            image.events().put(&events);
            fetched.extend(events.into_iter().map(|e| (e.position, e)));
        }
        positions
            .iter()
            .zip(cached)
            .map(|(position, event)| {
                event
                    .or_else(|| fetched.get(position).cloned())
                    .ok_or_else(|| {
                        QueryError::Store(StoreError::Corrupt(format!(
                            "the entity index names position {position}, which the log lacks"
                        )))
                    })
            })
            .collect()
    }

    /// The audit log: every event, filtered, one page of it, in log order. Filtered by an
    /// entity, it is that entity's timeline narrowed, answered from the read image when one
    /// is live.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<Vec<Arc<StoredEvent>>, QueryError> {
        if let Some(image) = self.image() {
            if let Some((positions, _)) = self
                .audit_from_image(image, filter, window_of(page))
                .await?
            {
                return self.events_at(image, &positions).await;
            }
        }
        let (from, texts) = self.audit_from(filter);
        self.page_of(&from, &texts, page).await
    }

    /// How many events the filtered audit log holds.
    pub async fn audit_count(&self, filter: &AuditFilter) -> Result<i64, QueryError> {
        if let Some(image) = self.image() {
            if let Some((_, total)) = self.audit_from_image(image, filter, NONE).await? {
                return Ok(total as i64);
            }
        }
        let (from, texts) = self.audit_from(filter);
        self.count_of(&from, &texts).await
    }

    /// The filtered audit log's window from the image; None when the filter names no entity
    /// (the whole log is not in memory) or the image cannot answer.
    async fn audit_from_image(
        &self,
        image: &Image,
        filter: &AuditFilter,
        window: Window,
    ) -> Result<Option<(Vec<i64>, usize)>, QueryError> {
        let network = filter.network.map(|n| n.to_string());
        let organization = filter.organization.map(|o| o.to_string());
        let entities: Vec<(Kind, &str)> = [
            (Kind::Network, network.as_deref()),
            (Kind::Organization, organization.as_deref()),
        ]
        .into_iter()
        .filter_map(|(kind, id)| id.map(|id| (kind, id)))
        .collect();
        if entities.is_empty() {
            return Ok(None);
        }
        let narrow = Narrow {
            event_type: filter.event_type.as_deref(),
            aggregate_type: filter.aggregate_type.as_deref(),
            actor: filter.actor.as_deref(),
            recorded_from: filter.recorded_from,
            recorded_until: filter.recorded_until,
        };
        self.in_image(image, &entities, &narrow, window).await
    }

    /// `FROM … WHERE …` of the filtered audit log, with `$1…$n` for the returned texts.
    fn audit_from(&self, filter: &AuditFilter) -> (String, Vec<String>) {
        let postgres = matches!(self.backend(), Backend::Postgres(_));
        let mut texts: Vec<String> = vec![];
        let mut push = |sql: &mut String, clause: &str, value: String| {
            texts.push(value);
            sql.push_str(&clause.replace("$?", &format!("${}", texts.len())));
        };
        let entities: Vec<(Kind, String)> = [
            (Kind::Network, filter.network.map(|n| n.to_string())),
            (
                Kind::Organization,
                filter.organization.map(|o| o.to_string()),
            ),
        ]
        .into_iter()
        .filter_map(|(kind, id)| id.map(|id| (kind, id)))
        .collect();
        // An entity filter drives the query from the entity index, in position order (the
        // events of one network, not a walk of the whole log probing each event); a second
        // one narrows it.
        let mut sql = String::new();
        for (i, (kind, id)) in entities.into_iter().enumerate() {
            let clause = if i == 0 {
                format!(
                    "entity_events x JOIN events e ON e.position = x.position
                      WHERE x.generation = {ACTIVE} AND x.kind = '{}' AND x.id = $?",
                    kind.as_str()
                )
            } else {
                format!(
                    " AND EXISTS (SELECT 1 FROM entity_events y WHERE y.generation = {ACTIVE}
                       AND y.kind = '{}' AND y.id = $? AND y.position = x.position)",
                    kind.as_str()
                )
            };
            push(&mut sql, &clause, id);
        }
        if sql.is_empty() {
            sql.push_str("events e WHERE 1 = 1");
        }
        if let Some(t) = &filter.aggregate_type {
            push(&mut sql, " AND e.aggregate_type = $?", t.clone());
        }
        if let Some(t) = &filter.event_type {
            push(&mut sql, " AND e.event_type = $?", t.clone());
        }
        if let Some(actor) = &filter.actor {
            let clause = if postgres {
                " AND e.metadata ->> 'actor_id' = $?"
            } else {
                " AND json_extract(e.metadata, '$.actor_id') = $?"
            };
            push(&mut sql, clause, actor.clone());
        }
        // Bounds count to the millisecond. PostgreSQL casts the text to timestamptz. SQLite
        // compares ISO-8601 text, which holds milliseconds where SQLite wrote the event and
        // microseconds where an import did: the bound is given without its zone letter, so
        // that a time in the bound's millisecond sorts after it in either form (at or after
        // the start of that millisecond, and not before its end).
        let time = |t: DateTime<Utc>| match postgres {
            true => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            false => t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
        };
        for (bound, operator) in [(filter.recorded_from, ">="), (filter.recorded_until, "<")] {
            if let Some(at) = bound {
                let cast = if postgres { "::timestamptz" } else { "" };
                let clause = format!(" AND e.recorded_at {operator} $?{cast}");
                push(&mut sql, &clause, time(at));
            }
        }
        if postgres {
            // The same gap safety as the global log: never page past an uncommitted event.
            sql.push_str(&crate::store::below_horizon("e."));
        }
        (sql, texts)
    }

    /// One page of events from `FROM … WHERE …` (whose placeholders are `texts`).
    async fn page_of(
        &self,
        from: &str,
        texts: &[String],
        page: Page,
    ) -> Result<Vec<Arc<StoredEvent>>, QueryError> {
        let n = texts.len();
        // Bound and order by the driving table's position, so that its index serves both
        // (the planner carries equality across the join, not a range).
        let key = match from.starts_with("entity_events x ") {
            true => "x.position",
            false => "e.position",
        };
        let (condition, order, position, limit) = match page {
            Page::After { after, limit } => {
                (format!(" AND {key} > ${}", n + 1), "ASC", after, limit)
            }
            Page::Before { before, limit } => (
                format!(" AND {key} < ${}", n + 1),
                "DESC",
                before.unwrap_or(i64::MAX),
                limit,
            ),
        };
        let sql = dialect(
            self.backend(),
            &format!(
                "SELECT {EVENT_COLUMNS} FROM {from}{condition} ORDER BY {key} {order} LIMIT ${}",
                n + 2
            ),
        );
        self.database_shows_promised().await?;
        let mut rows: Vec<RawEvent> = on_pool!(self.backend(), pool => {
            let mut query = sqlx::query_as(&sql);
            for text in texts {
                query = query.bind(text.as_str());
            }
            query.bind(position).bind(limit.clamp(1, 1000)).fetch_all(pool).await?
        });
        if order == "DESC" {
            rows.reverse();
        }
        Ok(rows
            .into_iter()
            .map(|row| StoredEvent::try_from(row).map(Arc::new))
            .collect::<Result<_, _>>()?)
    }

    async fn count_of(&self, from: &str, texts: &[String]) -> Result<i64, QueryError> {
        let sql = dialect(self.backend(), &format!("SELECT count(*) FROM {from}"));
        self.database_shows_promised().await?;
        Ok(on_pool!(self.backend(), pool => {
            let mut query = sqlx::query_scalar(&sql);
            for text in texts {
                query = query.bind(text.as_str());
            }
            query.fetch_one(pool).await?
        }))
    }
}
