//! The projector's batch write: its versions, entity index rows and checkpoint in one
//! statement (PostgreSQL) or one transaction (SQLite).

use sqlx::QueryBuilder;

use crate::views::{DocKey, Kind, Version};

/// What one batch writes to `generation`, claiming the checkpoint from `from` to `to`.
#[derive(Clone, Copy)]
pub(super) struct BatchWrite<'a> {
    pub(super) generation: i64,
    pub(super) from: i64,
    pub(super) to: i64,
    /// Documents whose current version the batch ends, at a position.
    pub(super) closes: &'a [(&'a DocKey, i64)],
    /// The versions the batch writes, each with the position that ends it within the batch.
    pub(super) rows: &'a [(&'a Version, Option<i64>)],
    /// The JSON text of each of `rows`' documents.
    pub(super) texts: &'a [String],
    /// Entity index rows: (entity kind, entity id, position).
    pub(super) concerns: &'a [(Kind, String, i64)],
}

/// A batch on PostgreSQL, in one statement (so one round trip, atomic without a transaction
/// block): claim the batch by moving the checkpoint from `from` to `to` (compare-and-set), end
/// the current versions the batch replaces, insert its versions and entity index rows as
/// arrays through `unnest`. If the claim fails (another projector moved the checkpoint) the
/// other parts write nothing. All parts see one snapshot: the versions inserted are not among
/// those ended. Answers whether the batch was claimed.
pub(super) async fn write_postgres(
    connection: &mut sqlx::PgConnection,
    batch: &BatchWrite<'_>,
) -> Result<bool, sqlx::Error> {
    let BatchWrite {
        generation,
        from,
        to,
        closes,
        rows,
        texts,
        concerns,
    } = *batch;
    let column = |f: fn(&Version) -> Option<&str>| -> Vec<Option<&str>> {
        rows.iter().map(|(v, _)| f(v)).collect()
    };
    let claimed: i64 = sqlx::query_scalar(
        "WITH claim AS (
             UPDATE projection_checkpoints SET position = $2
              WHERE generation = $1 AND position = $3
             RETURNING 1
         ), closed AS (
             UPDATE read_models r SET valid_to = c.position
               FROM unnest($4::text[], $5::text[], $6::bigint[]) AS c(kind, id, position)
              WHERE r.generation = $1 AND r.kind = c.kind AND r.id = c.id
                AND r.valid_to IS NULL AND EXISTS (SELECT 1 FROM claim)
         ), versions AS (
             INSERT INTO read_models (generation, kind, id, valid_from, valid_to,
                                      network_id, organization_id, parent_id, doc)
             SELECT $1, v.kind, v.id, v.valid_from, v.valid_to, v.network_id,
                    v.organization_id, v.parent_id, v.doc::jsonb
               FROM unnest($7::text[], $8::text[], $9::bigint[], $10::bigint[],
                           $11::text[], $12::text[], $13::text[], $14::text[])
                 AS v(kind, id, valid_from, valid_to, network_id, organization_id, parent_id,
                      doc)
              WHERE EXISTS (SELECT 1 FROM claim)
         ), concerns AS (
             INSERT INTO entity_events (generation, kind, id, position)
             SELECT $1, c.* FROM unnest($15::text[], $16::text[], $17::bigint[]) AS c
              WHERE EXISTS (SELECT 1 FROM claim)
         )
         SELECT count(*) FROM claim",
    )
    .bind(generation)
    .bind(to)
    .bind(from)
    .bind(
        closes
            .iter()
            .map(|(k, _)| k.kind.as_str())
            .collect::<Vec<&str>>(),
    )
    .bind(
        closes
            .iter()
            .map(|(k, _)| k.id.as_str())
            .collect::<Vec<&str>>(),
    )
    .bind(closes.iter().map(|(_, p)| *p).collect::<Vec<i64>>())
    .bind(column(|v| Some(v.key.kind.as_str())))
    .bind(column(|v| Some(v.key.id.as_str())))
    .bind(rows.iter().map(|(v, _)| v.position).collect::<Vec<i64>>())
    .bind(rows.iter().map(|(_, to)| *to).collect::<Vec<Option<i64>>>())
    .bind(column(|v| v.filters.network_id.as_deref()))
    .bind(column(|v| v.filters.organization_id.as_deref()))
    .bind(column(|v| v.filters.parent_id.as_deref()))
    .bind(texts)
    .bind(
        concerns
            .iter()
            .map(|(k, _, _)| k.as_str())
            .collect::<Vec<&str>>(),
    )
    .bind(
        concerns
            .iter()
            .map(|(_, id, _)| id.as_str())
            .collect::<Vec<&str>>(),
    )
    .bind(concerns.iter().map(|(_, _, p)| *p).collect::<Vec<i64>>())
    .fetch_one(connection)
    .await?;
    Ok(claimed == 1)
}

/// A batch on SQLite, in one transaction: claim, end, insert (statements cost no round trip
/// there; multi-row VALUES stay under its 32,766 parameters per statement).
pub(super) async fn write_sqlite(
    pool: &sqlx::SqlitePool,
    batch: &BatchWrite<'_>,
) -> Result<bool, sqlx::Error> {
    let BatchWrite {
        generation,
        from,
        to,
        closes,
        rows,
        texts,
        concerns,
    } = *batch;
    let mut tx = pool.begin().await?;
    // Claim the batch first: a concurrent projector that got here first wins.
    let claimed = sqlx::query(
        "UPDATE projection_checkpoints SET position = ?1 WHERE generation = ?2 AND position = ?3",
    )
    .bind(to)
    .bind(generation)
    .bind(from)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Ok(false);
    }
    for (key, position) in closes {
        sqlx::query(
            "UPDATE read_models SET valid_to = ?1
              WHERE generation = ?2 AND kind = ?3 AND id = ?4 AND valid_to IS NULL",
        )
        .bind(*position)
        .bind(generation)
        .bind(key.kind.as_str())
        .bind(&key.id)
        .execute(&mut *tx)
        .await?;
    }
    for (chunk, texts) in rows.chunks(1000).zip(texts.chunks(1000)) {
        let mut insert = QueryBuilder::new(
            "INSERT INTO read_models (generation, kind, id, valid_from, valid_to, \
             network_id, organization_id, parent_id, doc) ",
        );
        insert.push_values(
            chunk.iter().zip(texts),
            |mut row, ((version, valid_to), text)| {
                row.push_bind(generation)
                    .push_bind(version.key.kind.as_str())
                    .push_bind(version.key.id.clone())
                    .push_bind(version.position)
                    .push_bind(*valid_to)
                    .push_bind(version.filters.network_id.clone())
                    .push_bind(version.filters.organization_id.clone())
                    .push_bind(version.filters.parent_id.clone())
                    .push_bind(text.as_str());
            },
        );
        insert.build().execute(&mut *tx).await?;
    }
    insert_entity_index_sqlite(&mut tx, generation, concerns).await?;
    tx.commit().await?;
    Ok(true)
}

/// Inserts entity index rows (entity kind, entity id, position) of `generation` on SQLite, in
/// statements of 8,000 rows (4 parameters a row, under its 32,766 per statement): a batch's,
/// or a rebuild's chunk.
pub(crate) async fn insert_entity_index_sqlite(
    tx: &mut sqlx::SqliteConnection,
    generation: i64,
    concerns: &[(Kind, String, i64)],
) -> Result<(), sqlx::Error> {
    for chunk in concerns.chunks(8_000) {
        let mut insert =
            QueryBuilder::new("INSERT INTO entity_events (generation, kind, id, position) ");
        insert.push_values(chunk, |mut row, (kind, id, position)| {
            row.push_bind(generation)
                .push_bind(kind.as_str())
                .push_bind(id.as_str())
                .push_bind(*position);
        });
        insert.build().execute(&mut *tx).await?;
    }
    Ok(())
}
