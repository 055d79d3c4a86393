//! What several commands share: the database to open, the deployment secret, the signing key,
//! and a progress bar.

use std::path::Path;

use anyhow::Context;
use projections::store::Store;

/// The default database: a SQLite file in `./data`, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/governance.db";

/// The deployment secret: wraps every person's data key and keys idempotency fingerprints.
/// It never enters the database, so that a dump, backup, WAL archive or replica alone opens no
/// person's details. Keep it off the database host (on SQLite, on another volume than the
/// database file), or give it in `SECRET_KEY` from a secret manager.
#[derive(clap::Args)]
pub struct SecretArgs {
    /// The deployment secret in hex (64 characters); overrides the key file.
    #[arg(long, env = "SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The file holding the deployment secret (created, readable by the owner only, on first
    /// use when `--secret-key` is not given).
    #[arg(
        long,
        env = "SECRET_KEY_FILE",
        global = true,
        default_value = "data/secret.key"
    )]
    pub secret_key_file: std::path::PathBuf,
}

impl SecretArgs {
    pub fn secrets(&self) -> anyhow::Result<projections::secrets::Secrets> {
        match &self.secret_key {
            Some(hex) => projections::secrets::Secrets::from_hex(hex)
                .map_err(|e| anyhow::anyhow!("SECRET_KEY: {e}")),
            None => projections::secrets::Secrets::load_or_create(&self.secret_key_file)
                .map_err(|e| anyhow::anyhow!("the deployment secret: {e}")),
        }
    }
}

/// The database every command that opens one works on.
#[derive(clap::Args)]
pub struct DatabaseArgs {
    /// postgres://… or sqlite://… (the SQLite file is created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

impl DatabaseArgs {
    /// Opens and migrates the store, with the deployment secret.
    pub async fn open(&self) -> anyhow::Result<Store> {
        open(&self.database_url).await
    }
}

/// Where the Ed25519 key that signs checkpoints and reports lives.
#[derive(clap::Args)]
pub struct SigningArgs {
    /// A file holding the 32-byte secret seed in hex; created (mode 600) if missing.
    #[arg(long, env = "SIGNING_KEY_FILE", default_value = "data/signing.key")]
    pub signing_key_file: std::path::PathBuf,
}

impl SigningArgs {
    pub fn signer(&self) -> anyhow::Result<projections::integrity::Signer> {
        projections::integrity::Signer::load_or_create(&self.signing_key_file)
            .map_err(anyhow::Error::msg)
    }

    /// The public key of an existing key file (never creates one).
    pub fn existing_public_key(&self) -> anyhow::Result<Option<String>> {
        if !self.signing_key_file.exists() {
            return Ok(None);
        }
        Ok(Some(self.signer()?.public_key_hex()))
    }
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

pub async fn open(database_url: &str) -> anyhow::Result<Store> {
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

/// The deployment secret of this run, loaded once from the command line or the environment.
pub static SECRETS: std::sync::OnceLock<projections::secrets::Secrets> = std::sync::OnceLock::new();

/// A progress bar on standard error (hidden when it is not a terminal).
pub fn progress_bar(total: u64, what: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what);
    bar
}
