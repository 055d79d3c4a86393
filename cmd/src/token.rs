//! `governance token`: issue, list and revoke opaque API tokens (only their hashes are stored).

use clap::Subcommand;

use crate::config::DatabaseArgs;

#[derive(Subcommand)]
pub enum TokenAction {
    /// Issue a token; it is printed once and cannot be shown again.
    Issue {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Who the token is for (recorded as `token:<id>`; keep personal data out).
        #[arg(long)]
        subject: String,
        /// A grant: admin, auditor, coordinator:<network>, referent:<organization> (the
        /// network or organization by its global id or its uuid; it must exist).
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

/// Runs one token action.
pub async fn run(action: TokenAction) -> anyhow::Result<()> {
    match action {
        TokenAction::Issue {
            database,
            subject,
            grants,
        } => {
            anyhow::ensure!(
                !subject.trim().is_empty() && subject.len() <= 200,
                "the subject must be 1 to 200 characters"
            );
            let store = database.open().await?;
            let mut parsed = Vec::with_capacity(grants.len());
            for grant in &grants {
                parsed.push(grant_of(&store, grant).await?);
            }
            let grants = parsed;
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
    }
    Ok(())
}

/// A grant as given on the command line. A coordinator's network and a referent's organization
/// may be named by global id or uuid, and must exist in the event store.
async fn grant_of(
    store: &projections::store::Store,
    text: &str,
) -> anyhow::Result<projections::store::Grant> {
    use graphql::ids::{uuid_in, NodeKind};
    use projections::store::Grant;
    let (role, target) = text.split_once(':').unwrap_or((text, ""));
    let kind = match role.trim().to_ascii_lowercase().as_str() {
        "coordinator" => NodeKind::Network,
        "referent" => NodeKind::Organization,
        _ => return Grant::parse(text).map_err(anyhow::Error::msg),
    };
    let uuid = uuid_in(target, kind).ok_or_else(|| {
        anyhow::anyhow!("`{text}`: expected {role}:<the {kind:?}'s global id or uuid>")
    })?;
    let grant = Grant::parse(&format!("{role}:{uuid}")).map_err(anyhow::Error::msg)?;
    let (backend, id) = (store.backend(), uuid.to_string());
    let recorded = match kind {
        NodeKind::Network => backend.load::<aggregates::network::Network>(&id).await?.1,
        _ => {
            backend
                .load::<aggregates::organization::Organization>(&id)
                .await?
                .1
        }
    };
    anyhow::ensure!(
        recorded > 0,
        "`{text}`: there is no such {kind:?} in this database"
    );
    Ok(grant)
}
