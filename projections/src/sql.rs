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
