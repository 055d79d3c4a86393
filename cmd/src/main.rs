//! `governance`: the operator's command line. Every option can also be set from the
//! environment (`DATABASE_URL`, …); only this crate reads the environment.

mod config;
mod demo;
mod keys;
mod migrate;
mod opendata;
mod rebuild;
mod report;
mod serve;
mod token;
mod transfer;
mod verify;

use clap::{Parser, Subcommand};

use config::{DatabaseArgs, SecretArgs, SigningArgs, SECRETS};

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
        action: token::TokenAction,
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
    /// Seal every committed event into the hash chain and sign a checkpoint of it, as the
    /// server does while it runs. Only events whose authentication code verifies are sealed;
    /// `--adopt-through` also takes the events up to a position that carry no code (an
    /// earlier version's, appended before it stopped without sealing them).
    Seal(verify::SealArgs),
    /// Rebuild the read models from position zero into fresh tables, then switch to them
    /// (the old ones keep serving meanwhile).
    Rebuild {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The deployment's signing key (an existing one: the rebuild creates none): the
        /// events its checkpoints cover are not judged by their codes again.
        #[command(flatten)]
        signing: SigningArgs,
    },
    /// Write the event log (or one aggregate type's events) as JSON Lines.
    Export(transfer::ExportArgs),
    /// Append the events of a JSON Lines export, refusing anything that would alter or
    /// reorder existing history (events already present must be identical).
    Import(transfer::ImportArgs),
    /// Write the public directory of services (what every public network lists) as open
    /// data: JSON following its published schema, or CSV.
    OpenData(opendata::OpenDataArgs),
    /// Manage the ISTAT reference list of municipalities.
    Municipalities {
        #[command(subcommand)]
        action: opendata::MunicipalitiesAction,
    },
    /// Create or upgrade the database schema (safe to run any number of times).
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Whether a command opens the database (and so needs the deployment secret).
fn needs_secret(command: &Command) -> bool {
    !matches!(
        command,
        Command::Schema
            | Command::PublicKey { .. }
            | Command::VerifyReport { .. }
            | Command::OpenData(opendata::OpenDataArgs {
                format: opendata::OpenDataFormat::Schema,
                ..
            })
            | Command::Verify(verify::VerifyArgs { file: Some(_), .. })
    )
}

/// mimalloc rather than the system allocator: the fold and the request path allocate many
/// small values across threads, where glibc's malloc spent over 40% of a rebuild's time in
/// its own bookkeeping (`malloc_consolidate`, `unlink_chunk`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to standard error; LOG_FORMAT=json makes them structured JSON lines. Colours
    // only on a terminal: a log file or a collector would get their escape codes as text.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
        Command::Serve(args) => serve::run_serve(args).await,
        Command::Schema => {
            keys::schema();
            Ok(())
        }
        Command::Token { action } => token::run(action).await,
        Command::PublicKey { signing } => keys::public_key(signing),
        Command::Report(args) => report::run_report(args).await,
        Command::VerifyReport(args) => report::run_verifyreport(args).await,
        Command::Verify(args) => verify::run_verify(args).await,
        Command::Seal(args) => verify::run_seal(args).await,
        Command::Demo { database } => demo::load_demo(&database.open().await?).await,
        Command::Rebuild { database, signing } => rebuild::run(database, signing).await,
        Command::Export(args) => transfer::run_export(args).await,
        Command::Import(args) => transfer::run_import(args).await,
        Command::Migrate { database } => migrate::run(database).await,
        Command::OpenData(args) => opendata::run(args).await,
        Command::Municipalities { action } => opendata::run_municipalities(action).await,
    }
}
