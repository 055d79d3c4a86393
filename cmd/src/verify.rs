//! The `verify` subcommand.

use anyhow::Context;

use crate::config::*;

/// The arguments of `Verify`.
#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// An export to verify offline (no database is opened).
    #[arg(long)]
    pub(crate) file: Option<std::path::PathBuf>,
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
}

/// Runs `Verify`.
pub(crate) async fn run_verify(args: VerifyArgs) -> anyhow::Result<()> {
    let VerifyArgs {
        database,
        file,
        public_key,
        checkpoints,
        read_models,
        signing,
    } = args;
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
        let report =
            projections::integrity::verify_export(input, &key).map_err(anyhow::Error::msg)?;
        // As in the database: a row that is no event (sealed as stored) or a gap in an
        // aggregate's history is a problem the chain alone does not show.
        for problem in &report.problems {
            println!("problem: {problem}");
        }
        chain_verdict(&report)?;
        if !report.problems.is_empty() {
            anyhow::bail!("the event log has problems");
        }
        return Ok(());
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
            match report.problems.len() {
                1 => "1 problem".to_owned(),
                n => format!("{n} problems"),
            }
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
    match chain.authentication {
        projections::integrity::Authentication::Checked => {
            println!("authentication: every unsigned event's code checked with the deployment secret.")
        }
        projections::integrity::Authentication::OtherSecret => println!(
            "authentication: NOT CHECKED: the deployment secret given is not the one this log was written with (a signed event's code does not verify under it)."
        ),
        projections::integrity::Authentication::NotChecked => {}
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
    Ok(())
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

/// The arguments of `Seal`.
#[derive(clap::Args)]
pub(crate) struct SealArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Take the events up to this position that carry no authentication code as this
    /// deployment's (look at them first: `governance export`). A code that does not verify
    /// is refused all the same.
    #[arg(long, value_name = "POSITION")]
    adopt_through: Option<i64>,
    #[command(flatten)]
    signing: SigningArgs,
}

/// Runs `Seal`.
pub(crate) async fn run_seal(args: SealArgs) -> anyhow::Result<()> {
    let SealArgs {
        database,
        adopt_through,
        signing,
    } = args;
    let store = database.open().await?;
    let outcome = store.seal_all_adopting(adopt_through.unwrap_or(0)).await;
    let (sealed_head, _) = store.sealed_head().await?;
    let signed = store
        .checkpoint_adopting(&signing.signer()?, adopt_through.unwrap_or(0))
        .await;
    match signed {
        Ok(Some(_)) => println!("sealed up to position {sealed_head}; signed a checkpoint there."),
        Ok(None) => {
            println!("sealed up to position {sealed_head} (its checkpoint was signed already).")
        }
        Err(projections::store::StoreError::Unauthenticated { position, reason }) => {
            println!("NOT SIGNED from position {position}: {reason}");
            anyhow::bail!("signing stopped at position {position}")
        }
        Err(other) => return Err(other.into()),
    }
    match outcome {
        Ok(n) => {
            println!("{n} events sealed now.");
            Ok(())
        }
        Err(projections::store::StoreError::Unauthenticated { position, reason }) => {
            println!("NOT SEALED from position {position}: {reason}");
            anyhow::bail!("sealing stopped at position {position}")
        }
        Err(other) => Err(other.into()),
    }
}
