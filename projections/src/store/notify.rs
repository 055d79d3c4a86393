//! How server processes sharing one PostgreSQL wake each other's readers of the log.
//!
//! Each process LISTENs on one channel. A process that appended events sends one NOTIFY for
//! however many of its appends committed while the previous one was on its way (a
//! notification from every appending transaction serialised their commits on PostgreSQL's
//! notification lock), and only while another process is present: a NOTIFY is a transaction
//! of its own (a transaction id, a commit record, a wake-up of every listening session), paid
//! for nothing by a process alone on its database.
//!
//! Presence: a process says `hello` once it listens, then every [`ANNOUNCE_EVERY`]; one that
//! hears a `hello` answers `here`. Any notification from another process counts as its
//! presence for [`PRESENCE`]. A notification lost or not sent costs a reader its poll
//! interval, never an event: every follower of the log also polls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::PgListener;

use super::{millis_since_epoch, Backend, Store, NOTIFY_CHANNEL};

/// How often a process says it is present.
pub(crate) const ANNOUNCE_EVERY: Duration = Duration::from_secs(10);
/// How long a process counts as present after its last notification.
pub(crate) const PRESENCE: Duration = Duration::from_secs(35);

/// What a notification says, from its payload: appends by `instance`, or its presence.
#[derive(Debug, PartialEq, Eq)]
enum Notice<'a> {
    Appended(&'a str),
    Hello(&'a str),
    Here(&'a str),
}

impl<'a> Notice<'a> {
    fn parse(payload: &'a str) -> Self {
        if let Some(instance) = payload.strip_prefix("hello:") {
            Notice::Hello(instance)
        } else if let Some(instance) = payload.strip_prefix("here:") {
            Notice::Here(instance)
        } else {
            Notice::Appended(payload)
        }
    }

    fn from(&self) -> &'a str {
        match *self {
            Notice::Appended(i) | Notice::Hello(i) | Notice::Here(i) => i,
        }
    }
}

async fn send(executor: impl sqlx::PgExecutor<'_>, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTIFY_CHANNEL)
        .bind(payload)
        .execute(executor)
        .await
        .map(|_| ())
}

/// Whether another process has been heard from within [`PRESENCE`] (`at`: when it last was).
fn present(at: &AtomicU64) -> bool {
    let at = at.load(Ordering::Relaxed);
    at > 0 && millis_since_epoch().saturating_sub(at) <= PRESENCE.as_millis() as u64
}

impl Store {
    /// On PostgreSQL, notifies other processes (while any is present) after this process's
    /// appends commit, and says every [`ANNOUNCE_EVERY`] that it is here. Stops when the
    /// store is dropped.
    pub(super) fn start_notifying(&self) {
        let Backend::Postgres(pool) = &self.backend else {
            return;
        };
        let pool = pool.clone();
        let mut appended = self.appended.subscribe();
        let others = self.others_present.clone();
        let instance = self.instance.clone();
        let hello = format!("hello:{instance}");
        tokio::spawn(async move {
            let mut announce = tokio::time::interval(ANNOUNCE_EVERY);
            announce.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The first tick is at once; the listener says hello when it listens.
            announce.tick().await;
            loop {
                let payload = tokio::select! {
                    changed = appended.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        appended.borrow_and_update();
                        if !present(&others) {
                            continue;
                        }
                        &*instance
                    }
                    _ = announce.tick() => {
                        // Gone with the store.
                        if appended.has_changed().is_err() {
                            return;
                        }
                        hello.as_str()
                    }
                };
                if let Err(error) = send(&pool, payload).await {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(%error, "could not notify other processes");
                }
            }
        });
    }

    /// On PostgreSQL, follows NOTIFY so that commits by other processes wake readers too,
    /// and keeps track of which other processes are present.
    pub(super) fn start_listening(&self) {
        let Backend::Postgres(pool) = &self.backend else {
            return;
        };
        let pool = pool.clone();
        let changes = std::sync::Arc::downgrade(&self.changes);
        let (instance, heard, present) = (
            self.instance.clone(),
            self.heard_from_others.clone(),
            self.others_present.clone(),
        );
        tokio::spawn(async move {
            loop {
                let listener = async {
                    let mut listener = PgListener::connect_with(&pool).await?;
                    listener.listen(NOTIFY_CHANNEL).await?;
                    send(&mut listener, &format!("hello:{instance}")).await?;
                    loop {
                        let notification = listener.recv().await?;
                        let notice = Notice::parse(notification.payload());
                        // Its own appends woke this process's readers already.
                        if notice.from() == &*instance {
                            continue;
                        }
                        present.store(millis_since_epoch(), Ordering::Relaxed);
                        match notice {
                            Notice::Hello(_) => {
                                send(&mut listener, &format!("here:{instance}")).await?;
                            }
                            Notice::Here(_) => {}
                            Notice::Appended(_) => {
                                heard.store(millis_since_epoch(), Ordering::Relaxed);
                                match changes.upgrade() {
                                    Some(changes) => {
                                        changes.send_modify(|n| *n = n.wrapping_add(1))
                                    }
                                    None => return Ok::<(), sqlx::Error>(()),
                                }
                            }
                        }
                    }
                };
                match listener.await {
                    Ok(()) => return,
                    Err(error) => {
                        if changes.strong_count() == 0 || pool.is_closed() {
                            return;
                        }
                        tracing::warn!(%error, "event notifications interrupted; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Notice;

    #[test]
    fn a_payload_says_who_and_what() {
        assert_eq!(Notice::parse("abc"), Notice::Appended("abc"));
        assert_eq!(Notice::parse("hello:abc"), Notice::Hello("abc"));
        assert_eq!(Notice::parse("here:abc"), Notice::Here("abc"));
        assert_eq!(Notice::parse("here:abc").from(), "abc");
    }
}
