//! The `transfer` subcommands.

use anyhow::Context;

use crate::config::*;

/// The arguments of `Export`.
#[derive(clap::Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The file to write ("-" for standard output).
    #[arg(long, env = "EXPORT_FILE", default_value = "-")]
    out: String,
    /// Only events of this aggregate type (Organization, Network, Protocol, …).
    #[arg(long, env = "EXPORT_AGGREGATE_TYPE")]
    aggregate_type: Option<String>,
}

/// Runs `Export`.
pub(crate) async fn run_export(args: ExportArgs) -> anyhow::Result<()> {
    let ExportArgs {
        database,
        out,
        aggregate_type,
    } = args;
    let store = database.open().await?;
    let bar = progress_bar(store.count_events().await? as u64, "events exported");
    let mut writer: Box<dyn std::io::Write> = if out == "-" {
        Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(&out).with_context(|| format!("failed to create {out}"))?,
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
    Ok(())
}

/// The arguments of `Import`.
#[derive(clap::Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The file to read.
    #[arg(long, env = "IMPORT_FILE")]
    file: std::path::PathBuf,
    /// The public key (hex) the source's checkpoints must be signed with. Without it,
    /// each checkpoint is checked against the key it names.
    #[arg(long, env = "PUBLIC_KEY")]
    public_key: Option<String>,
    /// Also import events that neither a checkpoint signed with `--public-key` nor a code
    /// under this deployment's secret proves to be the source's (they are coded as this
    /// deployment's own). Without it such an export is refused whole.
    #[arg(long, env = "IMPORT_ACCEPT_UNSIGNED")]
    accept_unsigned: bool,
}

/// Runs `Import`.
pub(crate) async fn run_import(args: ImportArgs) -> anyhow::Result<()> {
    let ImportArgs {
        database,
        file,
        public_key,
        accept_unsigned,
    } = args;
    // The source chain is verified before anything is written: a tampered export is
    // refused whole.
    let key = public_key
        .as_deref()
        .map(projections::integrity::public_key_from_hex)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let secrets = SECRETS.get();
    let (source, unproven) = projections::integrity::verify_export_for_import(
        std::io::BufReader::new(
            std::fs::File::open(&file)
                .with_context(|| format!("failed to open {}", file.display()))?,
        ),
        key.as_ref(),
        secrets,
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
    // What the import codes as this deployment's own must be proven the source's: by its
    // signature, or by this deployment's code (an export of the same deployment).
    if let Some((first, last)) = unproven.positions {
        let what = format!(
            "{} events of the export (positions {first} to {last}) are proven to be the source's \
             neither by a checkpoint signed with {} nor by an authentication code under this \
             deployment's secret",
            unproven.events,
            if key.is_some() {
                "the given --public-key"
            } else {
                "a given --public-key (none was given)"
            },
        );
        if !accept_unsigned {
            anyhow::bail!(
                "{what}: anyone who could edit the file, or the source's database after its last \
                 checkpoint, could have written them, and the import would code them as this \
                 deployment's own. Nothing was imported. Pass the source's --public-key (its \
                 server signs a checkpoint every 2 s and when it stops, so an export taken after \
                 that is covered whole), or --accept-unsigned to import them anyway"
            );
        }
        eprintln!("Warning: {what}; imported as this deployment's own (--accept-unsigned).");
    }
    let store = database.open().await?;
    let input =
        std::fs::File::open(&file).with_context(|| format!("failed to open {}", file.display()))?;
    let lines =
        std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(&file)?)).count();
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
    Ok(())
}
