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

/// Runs one token action.
pub async fn run(action: TokenAction) -> anyhow::Result<()> {
    match action {
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
    }
    Ok(())
}
