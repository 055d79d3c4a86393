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
    /// Serve the GraphQL API (and GraphiQL) with the projector and the processes.
    Serve {
        /// postgres://… or sqlite://… (the SQLite file is created if missing).
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
        /// Address to listen on.
        #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Serve GraphiQL on GET /graphql.
        #[arg(long, env = "GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set)]
        graphiql: bool,
        /// Allow introspection and field suggestions (turn off in production if you wish).
        #[arg(long, env = "INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
        introspection: bool,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
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
        Command::Serve {
            database_url,
            listen,
            graphiql,
            introspection,
        } => {
            prepare_sqlite_directory(&database_url)?;
            let store = Store::open(&database_url)
                .await
                .context("failed to open and migrate the database")?;
            let _background = projections::start_background(store.clone());
            let config = graphql::ApiConfig {
                graphiql,
                introspection,
                ..Default::default()
            };
            let app = graphql::router(graphql::ApiState::new(store.clone()), &config);
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
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .context("the server stopped")?;
        }
        Command::Schema => print!("{}", graphql::sdl()),
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
