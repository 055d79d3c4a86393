//! `governance`: the operator's command line. Every option can also be set from the
//! environment (`DATABASE_URL`, …); only this crate reads the environment.

use std::path::Path;

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
}

#[derive(Subcommand)]
enum Command {
    /// Create or upgrade the database schema (safe to run any number of times).
    Migrate {
        /// postgres://… or sqlite://… (the SQLite file is created if missing).
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
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

#[tokio::main]
async fn main() -> std::process::ExitCode {
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
    match cli.command {
        Command::Migrate { database_url } => {
            prepare_sqlite_directory(&database_url)?;
            let store = Store::open(&database_url)
                .await
                .context("failed to open and migrate the database")?;
            println!(
                "The {} database is up to date ({} events stored).",
                store.backend().name(),
                store.count_events().await?
            );
        }
    }
    Ok(())
}
