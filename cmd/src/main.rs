//! `governance`: the operator's command line. Every option can also be set from the
//! environment (`DATABASE_URL`, …); only this crate reads the environment.

use std::path::Path;

mod demo;
mod report;
mod serve;
mod transfer;
mod verify;

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
    Serve(serve::ServeArgs),
    /// Produce a network's reports: the signed annual monitoring report (JSON with content
    /// hash and signature; as CSV, its commitments table), or signature coverage, commitment
    /// fulfilment (judged at the end of the year) or attendance, as JSON or CSV.
    Report(report::ReportArgs),
    /// Check offline, with only the public key, that a signed report is what the system
    /// produced. Exits 1 if it was changed or signed by another key.
    VerifyReport(report::VerifyReportArgs),
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
    Verify(verify::VerifyArgs),
    /// Rebuild the read models from position zero into fresh tables, then switch to them
    /// (the old ones keep serving meanwhile).
    Rebuild {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write the event log (or one aggregate type's events) as JSON Lines.
    Export(transfer::ExportArgs),
    /// Append the events of a JSON Lines export, refusing anything that would alter or
    /// reorder existing history (events already present must be identical).
    Import(transfer::ImportArgs),
    /// Create or upgrade the database schema (safe to run any number of times).
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
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
            | Command::Verify(verify::VerifyArgs { file: Some(_), .. })
    )
}

/// The deployment secret of this run, loaded once from the command line or the environment.
static SECRETS: std::sync::OnceLock<projections::secrets::Secrets> = std::sync::OnceLock::new();

/// Loads the demo dataset and lets the read side and the processes catch up.
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
        Command::Serve(args) => serve::run_serve(args).await?,
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
        Command::Report(args) => report::run_report(args).await?,
        Command::VerifyReport(args) => report::run_verifyreport(args).await?,
        Command::Verify(args) => verify::run_verify(args).await?,
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
        Command::Export(args) => transfer::run_export(args).await?,
        Command::Import(args) => transfer::run_import(args).await?,
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
