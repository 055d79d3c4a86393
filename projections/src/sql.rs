//! The database handle of the event store and the read side, and the one dialect helper the
//! SQL of both needs: everything here is below every other module of the crate.

use sqlx::{PgPool, SqlitePool};

/// The database behind the store.
#[derive(Clone, Debug)]
pub enum Backend {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// Rewrites `$1`-style placeholders for SQLite (`?1`): the whole dialect layer of the read side.
/// Only a `$` followed by a digit is a placeholder (a JSON path such as `'$.actor_id'` is not).
pub(crate) fn dialect(backend: &Backend, sql: &str) -> String {
    match backend {
        Backend::Postgres(_) => sql.to_owned(),
        Backend::Sqlite(_) => {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// Runs the same code on either pool type.
macro_rules! on_pool {
    ($backend:expr, $pool:ident => $body:expr) => {
        match $backend {
            $crate::sql::Backend::Postgres($pool) => $body,
            $crate::sql::Backend::Sqlite($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A connection of its own (not from the pool) whose statements sqlx does not log as slow:
/// for work that takes seconds by design (loading the read image, building a generation's
/// indexes), where the pool's "slow statement" warning would alarm an operator for nothing.
pub(crate) async fn unlogged_connection(pool: &PgPool) -> Result<sqlx::PgConnection, sqlx::Error> {
    use sqlx::ConnectOptions;
    (*pool.connect_options())
        .clone()
        .disable_statement_logging()
        .connect()
        .await
}

/// A PostgreSQL connection that one task keeps across its statements instead of taking one
/// from the pool for each. sqlx tests every connection given back to its pool with a round
/// trip (a `ping` on release, unconditional in sqlx 0.8), so a task running one statement at a
/// time (an appender, the reader of the log, the projector) paid two round trips for each.
/// The connection is kept while its statements succeed or fail in the database; after any
/// other failure (I/O, protocol) it goes back to the pool, whose test decides whether it
/// lives. A statement abandoned half-way leaves nothing behind: the connection reads what was
/// left of its answer before the next one.
#[derive(Default)]
pub(crate) struct Held(Option<sqlx::pool::PoolConnection<sqlx::Postgres>>);

impl Held {
    /// The kept connection, or one from `pool`.
    pub(crate) async fn connection(
        &mut self,
        pool: &PgPool,
    ) -> Result<&mut sqlx::PgConnection, sqlx::Error> {
        let connection = match self.0.take() {
            Some(connection) => connection,
            None => pool.acquire().await?,
        };
        Ok(&mut **self.0.insert(connection))
    }

    /// Gives the connection back to the pool unless `outcome` succeeded or failed in the
    /// database itself; answers `outcome`.
    pub(crate) fn settle<T>(&mut self, outcome: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        if let Err(error) = &outcome {
            if !matches!(error, sqlx::Error::Database(_) | sqlx::Error::RowNotFound) {
                self.0 = None;
            }
        }
        outcome
    }
}
