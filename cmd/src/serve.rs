//! The `serve` subcommand.

use anyhow::Context;

use crate::config::*;
use crate::demo::load_demo;

/// The arguments of `Serve`.
#[derive(clap::Args)]
pub(crate) struct ServeArgs {
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
    /// How many subscriptions one WebSocket connection may hold at once.
    #[arg(long, env = "MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..))]
    max_subscriptions_per_connection: u16,
    /// How many WebSocket connections one authenticated principal may hold at once.
    #[arg(long, env = "MAX_CONNECTIONS_PER_PRINCIPAL", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    max_connections_per_principal: u16,
    /// Trust an API token verified less than this many seconds ago without asking the
    /// database again: a `token revoke` takes effect within it (0: ask on every request).
    #[arg(long, env = "TOKEN_CACHE_SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u16).range(0..=300))]
    token_cache_seconds: u16,
    /// Keep an in-memory image of the current read models and answer questions "as of now"
    /// from it (false: every question goes to the database).
    #[arg(long, env = "READ_IMAGE", default_value_t = true, action = clap::ArgAction::Set)]
    read_image: bool,
}

/// Runs `Serve`.
pub(crate) async fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        database,
        listen,
        graphiql,
        introspection,
        demo,
        auth,
        signing,
        checkpoint_every_seconds,
        checkpoint_every_events,
        max_subscriptions_per_connection,
        max_connections_per_principal,
        token_cache_seconds,
        read_image,
    } = args;
    let auth = auth.config()?;
    let signer = signing.signer()?;
    let store = database
        .open()
        .await?
        .with_token_cache(std::time::Duration::from_secs(token_cache_seconds.into()))
        .with_read_image(read_image);
    // What this deployment's key signed is known before the first command: an earlier
    // version's uncoded history, covered by its checkpoints, is taken as this deployment's.
    store.learn_vouched(&signer).await?;
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
        max_subscriptions_per_connection: max_subscriptions_per_connection.into(),
        max_connections_per_principal: max_connections_per_principal.into(),
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
    graphql::serve(listener, app, config.header_read_timeout, shutdown_signal())
        .await
        .context("the server stopped")?;
    background
        .shutdown(std::time::Duration::from_secs(10))
        .await;
    eprintln!("Stopped: in-flight requests finished, projector batches committed.");
    Ok(())
}

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
