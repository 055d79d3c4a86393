//! The event store: one [`Store`] over PostgreSQL (postgres-es) or a SQLite file (sqlite-es),
//! chosen from the database URL. Everything above it behaves identically on both.

mod access;
mod append;
mod authenticate;
mod cache;
mod command;
mod directory;
mod lanes;
mod log;
pub mod municipalities;
mod notify;
mod tail;
mod tokens;
mod transfer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, EventStore};
use postgres_es::PostgresEventRepository;
use sqlite_es::SqliteEventRepository;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::watch;

pub use crate::sql::Backend;
pub use access::{open, seal, ApiToken, Grant, PersonDetails, WrappedPersonKey, TOKEN_PREFIX};
pub use command::{CommandError, CommandOptions, CommandOutcome};
pub use directory::StoreDirectory;
pub(crate) use log::below_horizon;
pub use log::{HeldBack, StoredEvent, READ_SIDE};
pub(crate) use log::{RawEvent, EVENT_COLUMNS};
pub use tokens::TOKEN_CACHE_DEFAULT;
pub use transfer::{ExportedEvent, ImportError, ImportReport, LogChecker, VerifyReport};

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("../schemas/migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../schemas/migrations/sqlite");

/// Milliseconds since this process first asked (a clock for "recently").
fn millis_since_epoch() -> u64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    EPOCH
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
        + 1
}

/// The channel PostgreSQL notifies when events commit.
const NOTIFY_CHANNEL: &str = "governance_events";

/// What can go wrong in the store. The text is for operators and logs, never for clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL: use postgres://… or sqlite://…")]
    UnsupportedUrl,
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("event store error: {0}")]
    EventStore(String),
    #[error("a stored event cannot be read: {0}")]
    Corrupt(String),
    /// A row of the log that is no event of this system (see `StoredEvent::read`).
    #[error("the row at position {position} is not an event of this system: {reason}")]
    NotAnEvent { position: i64, reason: String },
    /// A row of the log whose authentication code does not verify: the sealer seals
    /// nothing from it on (see `Store::seal_pending`).
    #[error("the row at position {position} is not sealed: {reason}")]
    Unauthenticated { position: i64, reason: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("no deployment secret is configured (--secret-key-file or SECRET_KEY): personal data and idempotency keys need it")]
    NoSecrets,
    #[error("the person keys were wrapped with another deployment secret (key id {stored}; this process has {configured}): start with the secret this database was written with")]
    WrongSecret { stored: String, configured: String },
}

impl<E: std::error::Error> From<AggregateError<E>> for StoreError {
    fn from(error: AggregateError<E>) -> Self {
        StoreError::EventStore(error.to_string())
    }
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Postgres(_) => "postgres",
            Backend::Sqlite(_) => "sqlite",
        }
    }

    /// Loads an aggregate's current state (upcasting old events on the way).
    pub async fn load<A: Aggregate>(&self, id: &str) -> Result<(A, usize), StoreError> {
        macro_rules! load_with {
            ($repo:expr) => {{
                let store = PersistedEventStore::<_, A>::new_event_store($repo)
                    .with_upcasters(aggregates::upcasters());
                let context = store.load_aggregate(id).await?;
                Ok((context.aggregate, context.current_sequence))
            }};
        }
        match self {
            Backend::Postgres(pool) => load_with!(PostgresEventRepository::new(pool.clone())),
            Backend::Sqlite(pool) => load_with!(SqliteEventRepository::new(pool.clone())),
        }
    }
}

/// How many aggregates' current state the command service keeps in memory (the least
/// recently used go first).
pub const AGGREGATES_CACHED: usize = 10_000;

/// The event store and the services aggregates need, shared by every caller. Cloned for
/// every request and command, so its parts are shared: a clone is one reference count, not
/// one per part (a profile of reads by id showed a fifth of the server's CPU in cloning and
/// dropping the parts).
#[derive(Clone)]
pub struct Store(Arc<StoreParts>);

impl std::ops::Deref for Store {
    type Target = StoreParts;
    fn deref(&self) -> &StoreParts {
        &self.0
    }
}

#[doc(hidden)]
#[derive(Clone)]
pub struct StoreParts {
    backend: Backend,
    /// The connections that write the read side (read models and their checkpoints, the
    /// hash chain, the processes' checkpoints, a rebuild's tables) and never an event: on
    /// PostgreSQL a pool of their own, named [`log::READ_SIDE`], whose transactions the log's
    /// horizon passes ([`log::HORIZON`]), so that a read side's write in progress (a batch
    /// waiting on a slow disk, a rebuild's `COPY` of seconds) holds back no reader of the
    /// log. The database refuses an event from them (a trigger). SQLite: the one pool.
    read_side: Backend,
    services: aggregates::Services,
    changes: Arc<watch::Sender<u64>>,
    /// The highest position this process has appended (and committed): followers of the log
    /// know without asking that events past their position exist; the notifier tells other
    /// processes (PostgreSQL).
    appended: Arc<watch::Sender<i64>>,
    /// This store's name in its notifications, so that its listener tells its own from other
    /// processes'.
    instance: Arc<str>,
    /// When a notification of appends from another process last arrived (milliseconds
    /// since `EPOCH`).
    heard_from_others: Arc<std::sync::atomic::AtomicU64>,
    /// When another process last said it listens (any notification of its; see `notify.rs`).
    others_present: Arc<std::sync::atomic::AtomicU64>,
    /// The events last read from the log, shared by this process's followers (`tail.rs`).
    tail: Arc<tail::Tail>,
    options: CommandOptions,
    /// Serialises, in this process, commands that check unique values (see `execute`).
    unique_values: Arc<tokio::sync::Mutex<()>>,
    /// One writer at a time per aggregate, in this process.
    lanes: Arc<lanes::Lanes>,
    /// The current state of recently used aggregates (see `cache.rs`).
    aggregates: Arc<cache::AggregateCache>,
    /// The last position this process's projector committed a batch up to.
    projected: Arc<watch::Sender<i64>>,
    /// Whether a projector of this process is projecting the active generation now (on
    /// PostgreSQL: it leads); then read-your-writes waits for its signal before asking.
    projecting: Arc<std::sync::atomic::AtomicBool>,
    /// The deployment secret (outside the database): wraps person keys, keys fingerprints.
    secrets: Option<Arc<crate::secrets::Secrets>>,
    /// Appends the events of concurrent commands in groups (PostgreSQL; see `append.rs`).
    appender: Option<Arc<append::Appender>>,
    /// API tokens verified a moment ago (see `tokens.rs`).
    tokens: Arc<tokens::TokenCache>,
    /// This process's in-memory image of the current read models (see `image.rs`); None
    /// when switched off (everything is read from the database).
    image: Option<Arc<crate::image::Image>>,
    /// Where this process's followers of the log stopped at an event they cannot apply, and
    /// why (see [`Store::stopped_at`]).
    stopped: Arc<std::sync::Mutex<Option<(i64, String)>>>,
    /// Where this process last refused to sign a checkpoint, and why (see
    /// `Store::checkpoint`); cleared when it signs.
    pub(crate) signing_refused: Arc<std::sync::Mutex<Option<(i64, String)>>>,
    /// What a command checks its aggregate's history against (`authenticate.rs`), with the
    /// last position a checkpoint of this deployment's signing key covers as this process
    /// knows it: the log's reads judge the authentication code of every event past it too
    /// (see `Store::vouch`).
    history: authenticate::HistoryCheck,
    /// The stored read-model documents this process's read side could not read, by who
    /// tried (the image's load, the projector): see [`Store::unreadable_document`].
    unreadable:
        Arc<std::sync::Mutex<std::collections::BTreeMap<&'static str, (&'static str, String)>>>,
    /// The municipalities of the reference list, read once (see `municipalities.rs`).
    reference: Arc<tokio::sync::OnceCell<Arc<municipalities::Municipalities>>>,
}

impl Store {
    /// Connects to `postgres://…` or `sqlite://…` (the file is created if missing) and applies
    /// the migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        store.start_listening();
        store.start_notifying();
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let (backend, read_side) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
                    // Every statement of this store is prepared once per connection and looks
                    // rows up by key; PostgreSQL's default plans many of them afresh on each
                    // execution (custom plans: the projector's batch write took 1.7 ms to plan
                    // and 0.6 ms to run). The benchmark with generic plans: PostgreSQL's CPU per
                    // command at one client 3.0 ms → 1.3 ms, commands/s 306 → 514.
                    .options([("plan_cache_mode", "force_generic_plan")]);
                if options.get_application_name() == Some(log::READ_SIDE) {
                    // That name marks the sessions that may not append (see `read_side`).
                    return Err(StoreError::InvalidUrl(format!(
                        "application_name {:?} is reserved for this system's read side",
                        log::READ_SIDE
                    )));
                }
                let read_side = PgPoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy_with(options.clone().application_name(log::READ_SIDE));
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    // No ping before every query (the benchmark's profile: a round trip per query
                    // at 12% of the read path); a broken connection fails its query and is
                    // discarded, and the next one opens afresh.
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                (Backend::Postgres(pool), Backend::Postgres(read_side))
            } else if url.starts_with("sqlite:") {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
                    // Deleted rows (a destroyed person key) are overwritten, not left in free pages.
                    .pragma("secure_delete", "ON");
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                (Backend::Sqlite(pool.clone()), Backend::Sqlite(pool))
            } else {
                return Err(StoreError::UnsupportedUrl);
            };
        let appender = match &backend {
            Backend::Postgres(pool) => Some(Arc::new(append::Appender::spawn(pool.clone()))),
            Backend::Sqlite(_) => None,
        };
        let aggregates = Arc::new(cache::AggregateCache::new(AGGREGATES_CACHED));
        let reference = Arc::new(tokio::sync::OnceCell::new());
        let history = authenticate::HistoryCheck {
            backend: backend.clone(),
            secrets: None,
            vouched: Arc::default(),
        };
        let directory = Arc::new(StoreDirectory::new(
            history.clone(),
            aggregates.clone(),
            reference.clone(),
        ));
        let (changes, _) = watch::channel(0);
        Ok(Self(Arc::new(StoreParts {
            backend,
            read_side,
            services: aggregates::Services::new(directory),
            reference,
            changes: Arc::new(changes),
            appended: Arc::new(watch::channel(0).0),
            instance: uuid::Uuid::new_v4().to_string().into(),
            heard_from_others: Arc::default(),
            others_present: Arc::default(),
            tail: Arc::default(),
            options: CommandOptions::default(),
            unique_values: Arc::new(tokio::sync::Mutex::new(())),
            lanes: Arc::default(),
            aggregates,
            projected: Arc::new(watch::channel(0).0),
            projecting: Arc::default(),
            secrets: None,
            tokens: Arc::new(tokens::TokenCache::new(TOKEN_CACHE_DEFAULT)),
            appender,
            image: Some(Arc::default()),
            stopped: Arc::default(),
            signing_refused: Arc::default(),
            history,
            unreadable: Arc::default(),
        })))
    }

    /// Applies the migrations of this backend; safe to run any number of times. On PostgreSQL
    /// it then raises the position offset if existing positions would not stay below new ones
    /// (after a restore into a cluster whose transaction ids are lower).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Postgres(pool) => {
                POSTGRES_MIGRATIONS.run(pool).await?;
                sqlx::query(
                    r#"UPDATE event_position_base SET "offset" = greatest("offset",
                         (SELECT coalesce(max(position), 0) + 1 FROM events)
                         - ((pg_current_xact_id()::text::bigint + 1) << 20))"#,
                )
                .execute(pool)
                .await?;
            }
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
        }
        self.seed_municipalities().await
    }

    /// The state of an aggregate the command service remembers (and after which sequence),
    /// if it does: what its next command decides on, once brought up to date.
    /// The aggregate as the store holds it now (state and sequence), for a reader that
    /// decides nothing on it: only the events after the remembered state are read.
    pub async fn current<A: cqrs_es::Aggregate + Clone + 'static>(
        &self,
        id: &str,
    ) -> Result<(A, usize), StoreError> {
        self.aggregates.current::<A>(&self.history, id).await
    }

    pub fn remembered<A: cqrs_es::Aggregate + Clone + 'static>(
        &self,
        id: &str,
    ) -> Option<(A, usize)> {
        self.aggregates.peek::<A>(id)
    }

    /// Replaces the command options (how long to retry a conflict with another process).
    pub fn with_options(mut self, options: CommandOptions) -> Self {
        Arc::make_mut(&mut self.0).options = options;
        self
    }

    /// Trusts an API token verified less than `bound` ago without asking the database again
    /// (default [`TOKEN_CACHE_DEFAULT`]; zero asks every time). A revocation through this
    /// store takes effect at once, one through another process within `bound`.
    pub fn with_token_cache(mut self, bound: Duration) -> Self {
        Arc::make_mut(&mut self.0).tokens = Arc::new(tokens::TokenCache::new(bound));
        self
    }

    /// Keeps an in-memory image of the current read models while the background work runs
    /// (the default), or not: then every question is answered from the database.
    pub fn with_read_image(mut self, enabled: bool) -> Self {
        Arc::make_mut(&mut self.0).image = enabled.then(Arc::default);
        self
    }

    /// Where this process's followers of the log (the projector, the read image) stopped at
    /// an event they cannot apply, and why: a row that is not an event of this system (see
    /// `event::not_an_event`), or one of a later build. `/readyz` names it; they stay there,
    /// trying again, until the row can be applied (a build that reads it).
    pub fn stopped_at(&self) -> Option<(i64, String)> {
        self.stopped.lock().unwrap().clone()
    }

    /// A checkpoint of this deployment's signing key covers the log up to `position`: the
    /// events up to it were checked before it was signed, so the log's reads need not judge
    /// their codes again (only later ones). It only ever moves forward.
    pub(crate) fn vouch(&self, position: i64) {
        let before = self
            .history
            .vouched
            .fetch_max(position, std::sync::atomic::Ordering::Relaxed);
        if position > before {
            // An event the tail holds refused before a checkpoint covered it (adopted) is
            // read again, no longer judged.
            self.tail.forget_refused_through(position);
        }
    }

    /// See [`Store::vouch`].
    pub(crate) fn vouched(&self) -> i64 {
        self.history
            .vouched
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A follower of the log could not apply the event at `position`.
    pub(crate) fn report_stop(&self, position: i64, reason: &str) {
        let mut stopped = self.stopped.lock().unwrap();
        if stopped.as_ref().is_none_or(|(p, _)| position < *p) {
            tracing::error!(
                position,
                reason,
                "the log's followers stopped at an event they cannot apply"
            );
            metrics::gauge!("governance_log_stopped_at_position").set(position as f64);
            *stopped = Some((position, reason.to_owned()));
        }
    }

    /// A follower of the log applied the events up to `reached`.
    pub(crate) fn passed(&self, reached: i64) {
        let mut stopped = self.stopped.lock().unwrap();
        if stopped.as_ref().is_some_and(|(p, _)| *p <= reached) {
            metrics::gauge!("governance_log_stopped_at_position").set(0.0);
            *stopped = None;
        }
    }

    /// A stored read-model document (its kind and id) that this process's read side could
    /// not read, so that it cannot go on: one changed behind the application's back.
    /// `/readyz` names it; `governance verify` names every changed document, and `governance
    /// rebuild` makes them again from the log. Cleared once whoever reported it goes on.
    pub fn unreadable_document(&self) -> Option<(&'static str, String)> {
        let unreadable = self.unreadable.lock().unwrap_or_else(|e| e.into_inner());
        unreadable.values().next().cloned()
    }

    /// `who` (the image's load, the projector) could not read the stored `kind` document
    /// `id`, because of `why`. Named once in the server's log, with why.
    pub(crate) fn report_unreadable(
        &self,
        who: &'static str,
        (kind, id): (&'static str, &str),
        why: &dyn std::fmt::Display,
    ) {
        let mut unreadable = self.unreadable.lock().unwrap_or_else(|e| e.into_inner());
        if unreadable
            .get(who)
            .is_none_or(|known| known.0 != kind || known.1 != id)
        {
            tracing::error!(
                error = %why,
                who,
                "a stored read-model document cannot be read; `governance verify` names every \
                 changed document and `governance rebuild` makes them again from the log"
            );
            unreadable.insert(who, (kind, id.to_owned()));
        }
    }

    /// `who` went on: what it reported with [`Store::report_unreadable`] no longer holds.
    pub(crate) fn unreadable_passed(&self, who: &'static str) {
        let mut unreadable = self.unreadable.lock().unwrap_or_else(|e| e.into_inner());
        if !unreadable.is_empty() {
            unreadable.remove(who);
        }
    }

    /// The read image, if this store keeps one (it answers only while it is live).
    pub fn image(&self) -> Option<&Arc<crate::image::Image>> {
        self.image.as_ref()
    }

    /// Uses the deployment secret `secrets` (kept outside the database) for person keys and
    /// idempotency fingerprints. Without one, both are refused with [`StoreError::NoSecrets`].
    pub fn with_secrets(mut self, secrets: crate::secrets::Secrets) -> Self {
        let secrets = Arc::new(secrets);
        // The directory opens persons' details to refuse their contacts as a service's.
        let parts = Arc::make_mut(&mut self.0);
        parts.history.secrets = Some(secrets.clone());
        parts.services = aggregates::Services::new(Arc::new(StoreDirectory::new(
            parts.history.clone(),
            parts.aggregates.clone(),
            parts.reference.clone(),
        )));
        parts.secrets = Some(secrets);
        self
    }

    /// The deployment secret, or the error that says how to configure one.
    pub fn secrets(&self) -> Result<&crate::secrets::Secrets, StoreError> {
        self.secrets.as_deref().ok_or(StoreError::NoSecrets)
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The connections for writes of the read side, which never append an event (see
    /// `StoreParts::read_side`).
    pub fn read_side(&self) -> &Backend {
        &self.read_side
    }

    pub fn services(&self) -> &aggregates::Services {
        &self.services
    }

    /// A receiver that changes whenever new events may have been committed.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// A receiver of the last position this process's projector committed a batch up to
    /// (in whichever generation it projects: confirm against the database).
    pub fn subscribe_projected(&self) -> watch::Receiver<i64> {
        self.projected.subscribe()
    }

    pub(crate) fn signal_projected(&self, position: i64) {
        self.projected.send_replace(position);
    }

    /// Whether a projector of this process projects the active generation now.
    pub fn projects_here(&self) -> bool {
        self.projecting.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn set_projecting(&self, projecting: bool) {
        self.projecting
            .store(projecting, std::sync::atomic::Ordering::Relaxed);
    }

    /// Events up to `position` were appended by this process: wake its readers, and
    /// (PostgreSQL) those of other processes through the notifier.
    fn signal_change(&self, position: i64) {
        // `appended` first: a follower woken by `changes` reads it to tell news from a
        // wake-up for events it has read already (`Store::wait_past`).
        self.appended.send_modify(|p| *p = (*p).max(position));
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The highest position this process has appended.
    pub(crate) fn appended_up_to(&self) -> i64 {
        *self.appended.borrow()
    }

    /// Whether another process's notification arrived within `window`.
    pub(crate) fn heard_from_others_within(&self, window: Duration) -> bool {
        let at = self
            .heard_from_others
            .load(std::sync::atomic::Ordering::Relaxed);
        at > 0 && millis_since_epoch().saturating_sub(at) <= window.as_millis() as u64
    }
}
