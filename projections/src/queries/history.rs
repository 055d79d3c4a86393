//! Histories: the timeline of an entity and the audit log, in pages of the global log.

use super::*;

impl ReadModels {
    /// Every event that concerns an entity (its own aggregate's, and other aggregates' events
    /// about it), one page of it, in log order.
    pub async fn timeline(
        &self,
        kind: Kind,
        id: &str,
        page: Page,
    ) -> Result<Vec<StoredEvent>, QueryError> {
        let from = format!(
            "entity_events x JOIN events e ON e.position = x.position
              WHERE x.generation = {ACTIVE} AND x.kind = $1 AND x.id = $2"
        );
        self.page_of(&from, &[kind.as_str().to_owned(), id.to_owned()], page)
            .await
    }

    /// How many events concern an entity.
    pub async fn timeline_count(&self, kind: Kind, id: &str) -> Result<i64, QueryError> {
        let from = format!(
            "entity_events x JOIN events e ON e.position = x.position
              WHERE x.generation = {ACTIVE} AND x.kind = $1 AND x.id = $2"
        );
        self.count_of(&from, &[kind.as_str().to_owned(), id.to_owned()])
            .await
    }

    /// The audit log: every event, filtered, one page of it, in log order.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<Vec<StoredEvent>, QueryError> {
        let (from, texts) = self.audit_from(filter);
        self.page_of(&from, &texts, page).await
    }

    /// How many events the filtered audit log holds.
    pub async fn audit_count(&self, filter: &AuditFilter) -> Result<i64, QueryError> {
        let (from, texts) = self.audit_from(filter);
        self.count_of(&from, &texts).await
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
        // SQLite compares its millisecond ISO-8601 text; PostgreSQL casts to timestamptz.
        let time = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
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
    ) -> Result<Vec<StoredEvent>, QueryError> {
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
            .map(StoredEvent::try_from)
            .collect::<Result<_, _>>()?)
    }

    async fn count_of(&self, from: &str, texts: &[String]) -> Result<i64, QueryError> {
        let sql = dialect(self.backend(), &format!("SELECT count(*) FROM {from}"));
        Ok(on_pool!(self.backend(), pool => {
            let mut query = sqlx::query_scalar(&sql);
            for text in texts {
                query = query.bind(text.as_str());
            }
            query.fetch_one(pool).await?
        }))
    }
}
