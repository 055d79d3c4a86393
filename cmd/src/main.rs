//! `governance`: the operator's command line. Every option can also be set from the
//! environment (`DATABASE_URL`, …); only this crate reads the environment.

use std::path::Path;

mod demo;

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};
use projections::store::Store;

/// The default database: a SQLite file in `./data`, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/governance.db";

#[derive(Parser)]
#[command(
    name = "governance",
    version,
    about = "Governance backend of territorial anti-violence networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    secret: SecretArgs,
}

/// The deployment secret: wraps every person's data key and keys idempotency fingerprints.
/// It never enters the database, so that a dump, backup, WAL archive or replica alone opens no
/// person's details. Keep it off the database host (on SQLite, on another volume than the
/// database file), or give it in `SECRET_KEY` from a secret manager.
#[derive(clap::Args)]
struct SecretArgs {
    /// The deployment secret in hex (64 characters); overrides the key file.
    #[arg(long, env = "SECRET_KEY", global = true, hide_env_values = true)]
    secret_key: Option<String>,
    /// The file holding the deployment secret (created, readable by the owner only, on first
    /// use when `--secret-key` is not given).
    #[arg(
        long,
        env = "SECRET_KEY_FILE",
        global = true,
        default_value = "data/secret.key"
    )]
    secret_key_file: std::path::PathBuf,
}

impl SecretArgs {
    fn secrets(&self) -> anyhow::Result<projections::secrets::Secrets> {
        match &self.secret_key {
            Some(hex) => projections::secrets::Secrets::from_hex(hex)
                .map_err(|e| anyhow::anyhow!("SECRET_KEY: {e}")),
            None => projections::secrets::Secrets::load_or_create(&self.secret_key_file)
                .map_err(|e| anyhow::anyhow!("the deployment secret: {e}")),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API (and GraphiQL) with the projector and the processes.
    Serve {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Address to listen on.
        #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Serve GraphiQL on GET /graphql.
        #[arg(long, env = "GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set)]
        graphiql: bool,
        /// Allow introspection and field suggestions (turn off in production if you wish).
        #[arg(long, env = "INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
        introspection: bool,
        /// Load the demo dataset first (nothing happens if it is already there).
        #[arg(long, env = "DEMO")]
        demo: bool,
        #[command(flatten)]
        auth: AuthArgs,
        #[command(flatten)]
        signing: SigningArgs,
        /// Sign a checkpoint of the hash chain's head at least this often (seconds) while
        /// events are unsigned; also on the first sealing and on a clean shutdown.
        #[arg(long, env = "CHECKPOINT_EVERY_SECONDS", default_value_t = 2)]
        checkpoint_every_seconds: u64,
        /// ... and as soon as this many sealed events are unsigned.
        #[arg(long, env = "CHECKPOINT_EVERY_EVENTS", default_value_t = 1000)]
        checkpoint_every_events: usize,
    },
    /// Produce a network's reports: the signed annual monitoring report (JSON with content
    /// hash and signature; as CSV, its commitments table), or signature coverage, commitment
    /// fulfilment (judged at the end of the year) or attendance, as JSON or CSV.
    Report {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The network's UUID (or global id).
        #[arg(long)]
        network: String,
        /// The calendar year.
        #[arg(long)]
        year: i32,
        /// Which report.
        #[arg(long, value_enum, default_value_t = ReportKind::Annual)]
        kind: ReportKind,
        /// The file format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
        format: ReportFormat,
        /// The file to write ("-" for standard output).
        #[arg(long, default_value = "-")]
        out: String,
        #[command(flatten)]
        signing: SigningArgs,
    },
    /// Check offline, with only the public key, that a signed report is what the system
    /// produced. Exits 1 if it was changed or signed by another key.
    VerifyReport {
        /// The signed report (JSON).
        #[arg(long)]
        file: std::path::PathBuf,
        /// The public key (hex).
        #[arg(long, env = "PUBLIC_KEY")]
        public_key: String,
    },
    /// Print the public key that verifies this deployment's checkpoints and reports.
    PublicKey {
        #[command(flatten)]
        signing: SigningArgs,
    },
    /// Issue, list and revoke opaque API tokens (only their hashes are stored).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Load the demo dataset: five real networks, institutions only, no personal data.
    Demo {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Check that the event log is sound (ordered positions, gap-free histories, every event
    /// readable with valid metadata) and unaltered: recompute the hash chain from the stored
    /// events, compare it with the sealed hashes, check every signed checkpoint. With `--file`,
    /// verify an export offline with only `--public-key`, without a database. Exits 1 and
    /// names the first bad position when anything differs.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
        /// An export to verify offline (no database is opened).
        #[arg(long)]
        file: Option<std::path::PathBuf>,
        /// The public key (hex) checkpoints must be signed with. Default: the one of the
        /// signing key file, if it exists.
        #[arg(long, env = "PUBLIC_KEY")]
        public_key: Option<String>,
        /// Checkpoints kept outside the database (the `integrity` query's, saved as JSON, or
        /// an earlier export): the log must still extend every one (catches a cut tail).
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
        /// Also recompute the read models from the log in memory and report every stored
        /// document that differs (a read model changed behind the application's back).
        #[arg(long)]
        read_models: bool,
        #[command(flatten)]
        signing: SigningArgs,
    },
    /// Rebuild the read models from position zero into fresh tables, then switch to them
    /// (the old ones keep serving meanwhile).
    Rebuild {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write the event log (or one aggregate type's events) as JSON Lines.
    Export {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The file to write ("-" for standard output).
        #[arg(long, env = "EXPORT_FILE", default_value = "-")]
        out: String,
        /// Only events of this aggregate type (Organization, Network, Protocol, …).
        #[arg(long, env = "EXPORT_AGGREGATE_TYPE")]
        aggregate_type: Option<String>,
    },
    /// Append the events of a JSON Lines export, refusing anything that would alter or
    /// reorder existing history (events already present must be identical).
    Import {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The file to read.
        #[arg(long, env = "IMPORT_FILE")]
        file: std::path::PathBuf,
        /// The public key (hex) the source's checkpoints must be signed with. Without it,
        /// each checkpoint is checked against the key it names.
        #[arg(long, env = "PUBLIC_KEY")]
        public_key: Option<String>,
    },
    /// Create or upgrade the database schema (safe to run any number of times).
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// The reports `report` produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportKind {
    /// The signed annual monitoring report (as CSV: its commitments table).
    Annual,
    /// Signature coverage per protocol version.
    Coverage,
    /// Commitment fulfilment per member, judged at the end of the year.
    Fulfilment,
    /// Attendance per member.
    Attendance,
}

/// The file formats of `report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
}

/// The database every command that opens one works on.
#[derive(clap::Args)]
struct DatabaseArgs {
    /// postgres://… or sqlite://… (the SQLite file is created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
}

impl DatabaseArgs {
    /// Opens and migrates the store, with the deployment secret.
    async fn open(&self) -> anyhow::Result<Store> {
        open(&self.database_url).await
    }
}

/// Where the Ed25519 key that signs checkpoints and reports lives.
#[derive(clap::Args)]
struct SigningArgs {
    /// A file holding the 32-byte secret seed in hex; created (mode 600) if missing.
    #[arg(long, env = "SIGNING_KEY_FILE", default_value = "data/signing.key")]
    signing_key_file: std::path::PathBuf,
}

impl SigningArgs {
    fn signer(&self) -> anyhow::Result<projections::integrity::Signer> {
        projections::integrity::Signer::load_or_create(&self.signing_key_file)
            .map_err(anyhow::Error::msg)
    }

    /// The public key of an existing key file (never creates one).
    fn existing_public_key(&self) -> anyhow::Result<Option<String>> {
        if !self.signing_key_file.exists() {
            return Ok(None);
        }
        Ok(Some(self.signer()?.public_key_hex()))
    }
}

/// How bearer tokens are checked (besides API tokens, which need no configuration).
#[derive(clap::Args)]
struct AuthArgs {
    /// Accept HS256-signed JWTs with this secret (at least 32 bytes).
    #[arg(long, env = "JWT_HS256_SECRET", hide_env_values = true)]
    jwt_hs256_secret: Option<String>,
    /// Accept RS256-signed JWTs verified with the public keys in this PEM file.
    #[arg(long, env = "JWT_RS256_PUBLIC_KEYS")]
    jwt_rs256_public_keys: Option<std::path::PathBuf>,
    /// Require this `iss` in JWTs.
    #[arg(long, env = "JWT_ISSUER")]
    jwt_issuer: Option<String>,
    /// Require this `aud` in JWTs.
    #[arg(long, env = "JWT_AUDIENCE")]
    jwt_audience: Option<String>,
}

impl AuthArgs {
    fn config(self) -> anyhow::Result<graphql::AuthConfig> {
        let mut config = graphql::AuthConfig {
            issuer: self.jwt_issuer,
            audience: self.jwt_audience,
            ..Default::default()
        };
        if let Some(secret) = self.jwt_hs256_secret {
            anyhow::ensure!(
                secret.len() >= 32,
                "the HS256 secret must be at least 32 bytes long"
            );
            config.hs256_secret = Some(secret.into_bytes());
        }
        if let Some(path) = self.jwt_rs256_public_keys {
            let pem = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the RS256 key file {}", path.display()))?;
            config = config.with_rs256_pem(&pem).map_err(anyhow::Error::msg)?;
        }
        Ok(config)
    }
}

#[derive(Subcommand)]
enum TokenAction {
    /// Issue a token; it is printed once and cannot be shown again.
    Issue {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Who the token is for (recorded as `token:<id>`; keep personal data out).
        #[arg(long)]
        subject: String,
        /// A grant: admin, auditor, coordinator:<network uuid>, referent:<organization uuid>.
        #[arg(long = "grant", required = true)]
        grants: Vec<String>,
    },
    /// List issued tokens (never the tokens themselves).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a token by its id.
    Revoke {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The token's id (from `issue` or `list`).
        id: String,
    },
}

/// Prints the chain verification and fails on the first bad position.
fn chain_verdict(report: &projections::integrity::ChainReport) -> anyhow::Result<()> {
    match &report.first_bad {
        None => {
            println!(
                "hash chain: {} events, {} signed checkpoints verified{}.",
                report.events,
                report.checkpoints,
                report
                    .head
                    .as_ref()
                    .map(|(p, h)| format!("; head {p} {h}"))
                    .unwrap_or_default()
            );
        }
        Some((position, what)) => {
            println!("TAMPERED: first bad position {position}: {what}");
            anyhow::bail!("verification failed at position {position}")
        }
    }
    match report.latest_checkpoint {
        Some((position, signed_at)) => println!(
            "signatures: the latest signed checkpoint is at position {position} ({}); {} events after it are covered by no signature.",
            signed_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            report.unsigned_events
        ),
        None => println!(
            "signatures: NO signed checkpoint covers this log: the chain is consistent, but nothing proves it is the one this deployment wrote, nor that it was not cut short."
        ),
    }
    Ok(())
}

/// Makes sure the directory of a SQLite file exists.
fn prepare_sqlite_directory(url: &str) -> anyhow::Result<()> {
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(());
    };
    let path = path.split('?').next().unwrap_or(path);
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create the data directory {}", parent.display()))?;
    }
    Ok(())
}

async fn open(database_url: &str) -> anyhow::Result<Store> {
    prepare_sqlite_directory(database_url)?;
    let secrets = SECRETS
        .get()
        .cloned()
        .context("the deployment secret was not loaded")?;
    let store = Store::open(database_url)
        .await
        .context("failed to open and migrate the database")?
        .with_secrets(secrets);
    // Keys stored in clear by an earlier version are wrapped now.
    let wrapped = store
        .wrap_person_keys()
        .await
        .context("failed to wrap the stored person keys")?;
    if wrapped > 0 {
        eprintln!("Wrapped {wrapped} person keys stored in clear by an earlier version.");
    }
    Ok(store)
}

/// Whether a command opens the database (and so needs the deployment secret).
fn needs_secret(command: &Command) -> bool {
    !matches!(
        command,
        Command::Schema
            | Command::PublicKey { .. }
            | Command::VerifyReport { .. }
            | Command::Verify { file: Some(_), .. }
    )
}

/// The deployment secret of this run, loaded once from the command line or the environment.
static SECRETS: std::sync::OnceLock<projections::secrets::Secrets> = std::sync::OnceLock::new();

/// Ctrl-C or SIGTERM: stop accepting, let in-flight requests finish, then exit 0. A
/// projector batch in flight is a transaction: it commits or rolls back, never half.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

async fn load_demo(store: &Store) -> anyhow::Result<()> {
    let written = demo::load(store)
        .await
        .context("failed to load the demo data")?;
    projections::catch_up_all(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("failed to bring the read side up to date")?;
    if written == 0 {
        eprintln!("The demo data is already loaded.");
    } else {
        eprintln!("Loaded the demo data: {written} events.");
    }
    Ok(())
}

/// A progress bar on standard error (hidden when it is not a terminal).
fn progress_bar(total: u64, what: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what);
    bar
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to standard error; LOG_FORMAT=json makes them structured JSON lines.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The chain of causes on one line, no backtrace: this is for operators.
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if needs_secret(&cli.command) {
        let _ = SECRETS.set(cli.secret.secrets()?);
    }
    match cli.command {
        Command::Serve {
            database,
            listen,
            graphiql,
            introspection,
            demo,
            auth,
            signing,
            checkpoint_every_seconds,
            checkpoint_every_events,
        } => {
            let auth = auth.config()?;
            let signer = signing.signer()?;
            let store = database.open().await?;
            if demo {
                load_demo(&store).await?;
            }
            let background = projections::start_background_with(
                store.clone(),
                Some(signer.clone()),
                projections::integrity::CheckpointPolicy {
                    every: std::time::Duration::from_secs(checkpoint_every_seconds.max(1)),
                    every_events: checkpoint_every_events.max(1),
                },
            );
            let config = graphql::ApiConfig {
                graphiql,
                introspection,
                auth,
                ..Default::default()
            };
            let app = graphql::router(
                graphql::ApiState::new(store.clone()).with_signer(signer),
                &config,
            );
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("failed to listen on {listen}"))?;
            let address = listener.local_addr()?;
            println!(
                "Serving the {} database on http://{address}/graphql{}",
                store.backend().name(),
                if graphiql {
                    " (GraphiQL: open it in a browser)"
                } else {
                    ""
                }
            );
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown_signal())
                .await
                .context("the server stopped")?;
            background
                .shutdown(std::time::Duration::from_secs(10))
                .await;
            eprintln!("Stopped: in-flight requests finished, projector batches committed.");
        }
        Command::Schema => print!("{}", graphql::sdl()),
        Command::Token { action } => match action {
            TokenAction::Issue {
                database,
                subject,
                grants,
            } => {
                let grants = grants
                    .iter()
                    .map(|g| projections::store::Grant::parse(g))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(anyhow::Error::msg)?;
                anyhow::ensure!(
                    !subject.trim().is_empty() && subject.len() <= 200,
                    "the subject must be 1 to 200 characters"
                );
                let store = database.open().await?;
                let (id, token) = store.issue_token(subject.trim(), &grants).await?;
                eprintln!("Issued token {id} (shown once; only its hash is kept):");
                println!("{token}");
            }
            TokenAction::List { database } => {
                let store = database.open().await?;
                for t in store.tokens().await? {
                    println!("{}", serde_json::to_string(&t)?);
                }
            }
            TokenAction::Revoke { database, id } => {
                let store = database.open().await?;
                anyhow::ensure!(
                    store.revoke_token(&id).await?,
                    "no token {id} to revoke (unknown or already revoked)"
                );
                eprintln!("Revoked token {id}.");
            }
        },
        Command::PublicKey { signing } => println!("{}", signing.signer()?.public_key_hex()),
        Command::Report {
            database,
            network,
            year,
            kind,
            format,
            out,
            signing,
        } => {
            anyhow::ensure!(
                (1900..=2200).contains(&year),
                "--year must be between 1900 and 2200"
            );
            let id = network
                .parse::<uuid::Uuid>()
                .ok()
                .or_else(|| {
                    graphql::model::decode_kind(
                        &graphql::model::ID(network.clone()),
                        graphql::model::NodeKind::Network,
                    )
                })
                .context("--network is not a network id")?;
            let store = database.open().await?;
            projections::catch_up_all(&store)
                .await
                .map_err(|e| anyhow::anyhow!("the read side did not catch up: {e}"))?;
            let read = projections::queries::ReadModels::new(store.clone());
            let network = aggregates::ids::NetworkId(id);
            let now = projections::queries::AsOf::Now;
            anyhow::ensure!(
                read.network(network, now).await?.is_some(),
                "no network {id}"
            );
            use projections::reports as r;
            let table =
                |columns: &[&str], rows: Vec<serde_json::Value>| -> anyhow::Result<String> {
                    match format {
                        ReportFormat::Json => Ok(serde_json::to_string_pretty(&rows)? + "\n"),
                        ReportFormat::Csv => Ok(r::csv(columns, &rows)),
                    }
                };
            let year_end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).context("--year")?;
            let text = match kind {
                ReportKind::Annual => {
                    let document = read
                        .annual_report(network, year, now)
                        .await?
                        .with_context(|| format!("no network {id}"))?;
                    match format {
                        ReportFormat::Json => {
                            let signed = r::SignedReport::sign(document, &signing.signer()?);
                            serde_json::to_string_pretty(&signed)? + "\n"
                        }
                        ReportFormat::Csv => r::commitments_csv(&document),
                    }
                }
                ReportKind::Coverage => {
                    table(r::COVERAGE_COLUMNS, read.coverage_rows(network, now).await?)?
                }
                ReportKind::Fulfilment => table(
                    r::FULFILMENT_COLUMNS,
                    read.fulfilment_rows(network, year_end, now).await?,
                )?,
                ReportKind::Attendance => table(
                    r::ATTENDANCE_COLUMNS,
                    read.attendance_rows(network, year, now).await?,
                )?,
            };
            if out == "-" {
                print!("{text}");
            } else {
                std::fs::write(&out, text).with_context(|| format!("failed to write {out}"))?;
            }
        }
        Command::VerifyReport { file, public_key } => {
            let key = projections::integrity::public_key_from_hex(&public_key)
                .map_err(anyhow::Error::msg)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("failed to read {}", file.display()))?;
            let report: projections::reports::SignedReport =
                serde_json::from_str(&text).context("not a signed report")?;
            match report.verify(&key) {
                Ok(()) => println!(
                    "verified: content hash {} signed by {}",
                    report.content_hash, public_key
                ),
                Err(e) => anyhow::bail!("NOT VERIFIED: {e}"),
            }
        }
        Command::Verify {
            database,
            file,
            public_key,
            checkpoints,
            read_models,
            signing,
        } => {
            let kept = match &checkpoints {
                Some(path) => projections::integrity::read_checkpoints(
                    &std::fs::read_to_string(path)
                        .with_context(|| format!("failed to read {}", path.display()))?,
                )
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                None => Vec::new(),
            };
            let public_key = match public_key {
                Some(key) => Some(key),
                None => signing.existing_public_key()?,
            };
            let key = public_key
                .as_deref()
                .map(projections::integrity::public_key_from_hex)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            if let Some(file) = file {
                let key = key.context("offline verification needs --public-key")?;
                let input = std::io::BufReader::new(
                    std::fs::File::open(&file)
                        .with_context(|| format!("failed to open {}", file.display()))?,
                );
                let report = projections::integrity::verify_export(input, &key)
                    .map_err(anyhow::Error::msg)?;
                return chain_verdict(&report);
            }
            let store = database.open().await?;
            let bar = progress_bar(store.count_events().await? as u64, "events checked");
            let report = store.verify_log(|n| bar.set_position(n as u64)).await?;
            bar.finish();
            for problem in &report.problems {
                println!("problem: {problem}");
            }
            println!(
                "{} events in {} aggregates checked: {}.",
                report.events,
                report.aggregates,
                if report.problems.is_empty() {
                    "sound".to_owned()
                } else {
                    format!("{} problems", report.problems.len())
                }
            );
            let bar = progress_bar(store.count_events().await? as u64, "hashes recomputed");
            let chain = store
                .verify_chain_against(key.as_ref(), &kept, |n| bar.set_position(n as u64))
                .await?;
            bar.finish();
            let (sealed, _) = store.sealed_head().await?;
            let head = store.head_position().await?;
            if sealed < head {
                println!("note: events after position {sealed} are not sealed yet (the server seals them as they commit).");
            }
            if !kept.is_empty() {
                println!("{} kept checkpoints checked.", kept.len());
            }
            // The hash chain names the first bad position (a removed event is found where it
            // was, not where its aggregate's sequence jumps): its verdict comes first.
            chain_verdict(&chain)?;
            if !report.problems.is_empty() {
                anyhow::bail!("the event log has problems");
            }
            if read_models {
                let projector = projections::projector::Projector::new(store.clone());
                let bar = progress_bar(store.count_events().await? as u64, "events folded");
                let models = projector
                    .verify_read_models(|n| bar.set_position(n as u64))
                    .await?;
                bar.finish();
                for d in &models.differences {
                    println!("read model {} {} {}", d.kind, d.id, d.what);
                }
                println!(
                    "read models: {} documents of generation {} compared at position {}: {}.",
                    models.documents,
                    models.generation,
                    models.position,
                    if models.differences.is_empty() {
                        "all as the log says".to_owned()
                    } else {
                        format!(
                            "{} differ (`governance rebuild` restores them)",
                            models.differences.len()
                        )
                    }
                );
                if !models.differences.is_empty() {
                    anyhow::bail!("read models differ from the log");
                }
            }
        }
        Command::Demo { database } => {
            let store = database.open().await?;
            load_demo(&store).await?;
        }
        Command::Rebuild { database } => {
            let store = database.open().await?;
            let total = store.head_position().await?;
            let bar = progress_bar(store.count_events().await? as u64, "events projected");
            let projector = projections::projector::Projector::new(store);
            let mut done = 0u64;
            let generation = projector
                .rebuild(|batch| {
                    done += batch.events as u64;
                    bar.set_position(done);
                })
                .await
                .context("the rebuild failed; the previous read models still serve")?;
            bar.finish();
            eprintln!("Read models rebuilt as generation {generation} up to position {total}.");
        }
        Command::Export {
            database,
            out,
            aggregate_type,
        } => {
            let store = database.open().await?;
            let bar = progress_bar(store.count_events().await? as u64, "events exported");
            let mut writer: Box<dyn std::io::Write> = if out == "-" {
                Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
            } else {
                Box::new(std::io::BufWriter::new(
                    std::fs::File::create(&out)
                        .with_context(|| format!("failed to create {out}"))?,
                ))
            };
            // The whole log carries its chain hashes and signed checkpoints, so that the file can
            // be verified offline; a part of it cannot be, and carries only events.
            let written = match aggregate_type.as_deref() {
                None => {
                    store
                        .export_with_integrity(&mut writer, |n| bar.set_position(n as u64))
                        .await?
                }
                Some(only) => {
                    store
                        .export_to(&mut writer, Some(only), |n| bar.set_position(n as u64))
                        .await?
                }
            };
            writer.flush().context("failed to write the export")?;
            bar.finish();
            eprintln!("Exported {written} events.");
        }
        Command::Import {
            database,
            file,
            public_key,
        } => {
            // The source chain is verified before anything is written: a tampered export is
            // refused whole.
            let key = public_key
                .as_deref()
                .map(projections::integrity::public_key_from_hex)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let source = projections::integrity::verify_export_signed_by(
                std::io::BufReader::new(
                    std::fs::File::open(&file)
                        .with_context(|| format!("failed to open {}", file.display()))?,
                ),
                key.as_ref(),
            )
            .map_err(anyhow::Error::msg)?;
            if let Some((position, what)) = &source.first_bad {
                anyhow::bail!(
                    "the export does not verify at position {position}: {what}; nothing was imported"
                );
            }
            match source.latest_checkpoint {
                Some((position, signed_at)) => eprintln!(
                    "Source chain: {} events; {} signed checkpoints verified{}, the latest at position {position} ({}); {} events after it unsigned.",
                    source.events,
                    source.checkpoints,
                    if key.is_some() { " with the given key" } else { " (each with the key it names: pass --public-key to prove whose)" },
                    signed_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    source.unsigned_events
                ),
                None => eprintln!(
                    "Source chain: {} events; no signed checkpoint covers this export.",
                    source.events
                ),
            }
            let store = database.open().await?;
            let input = std::fs::File::open(&file)
                .with_context(|| format!("failed to open {}", file.display()))?;
            let lines =
                std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(&file)?))
                    .count();
            let bar = progress_bar(lines as u64, "lines imported");
            let report = store
                .import_from(std::io::BufReader::new(input), |n| {
                    bar.set_position(n as u64)
                })
                .await
                .context("the import stopped; the batches before the refusal were imported")?;
            bar.finish();
            eprintln!(
                "Imported {} events ({} already present and identical) and {} person keys.",
                report.imported, report.already_present, report.person_keys
            );
        }
        Command::Migrate { database } => {
            let store = database.open().await?;
            println!(
                "The {} database is up to date ({} events stored).",
                store.backend().name(),
                store.count_events().await?
            );
        }
    }
    Ok(())
}
