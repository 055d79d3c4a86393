//! The `report` subcommands.

use anyhow::Context;

use crate::config::*;

/// The arguments of `Report`.
#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The network's UUID (or global id).
    #[arg(long)]
    network: String,
    /// The calendar year.
    #[arg(long)]
    year: i32,
    /// Which report.
    #[arg(long, value_enum, default_value_t = ReportKind::Annual)]
    kind: ReportKind,
    /// The file format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    format: ReportFormat,
    /// The file to write ("-" for standard output).
    #[arg(long, default_value = "-")]
    out: String,
    #[command(flatten)]
    signing: SigningArgs,
}

/// Runs `Report`.
pub(crate) async fn run_report(args: ReportArgs) -> anyhow::Result<()> {
    let ReportArgs {
        database,
        network,
        year,
        kind,
        format,
        out,
        signing,
    } = args;
    anyhow::ensure!(
        (1900..=2200).contains(&year),
        "--year must be between 1900 and 2200"
    );
    let id = network
        .parse::<uuid::Uuid>()
        .ok()
        .or_else(|| {
            graphql::ids::decode_kind(
                &graphql::ids::ID(network.clone()),
                graphql::ids::NodeKind::Network,
            )
        })
        .context("--network is not a network id")?;
    let store = database.open().await?;
    projections::catch_up_all(&store)
        .await
        .map_err(|e| anyhow::anyhow!("the read side did not catch up: {e}"))?;
    let read = projections::queries::ReadModels::new(store.clone());
    let network = aggregates::ids::NetworkId(id);
    let now = projections::queries::AsOf::Now;
    anyhow::ensure!(
        read.network(network, now).await?.is_some(),
        "no network {id}"
    );
    use projections::reports as r;
    let table = |columns: &[&str], rows: Vec<serde_json::Value>| -> anyhow::Result<String> {
        match format {
            ReportFormat::Json => Ok(serde_json::to_string_pretty(&rows)? + "\n"),
            ReportFormat::Csv => Ok(r::csv(columns, &rows)),
        }
    };
    let year_end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).context("--year")?;
    let text = match kind {
        ReportKind::Annual => {
            let document = read
                .annual_report(network, year, now)
                .await?
                .with_context(|| format!("no network {id}"))?;
            match format {
                ReportFormat::Json => {
                    let signed = r::SignedReport::sign(document, &signing.signer()?);
                    serde_json::to_string_pretty(&signed)? + "\n"
                }
                ReportFormat::Csv => r::commitments_csv(&document),
            }
        }
        ReportKind::Coverage => {
            table(r::COVERAGE_COLUMNS, read.coverage_rows(network, now).await?)?
        }
        ReportKind::Fulfilment => table(
            r::FULFILMENT_COLUMNS,
            read.fulfilment_rows(network, year_end, now).await?,
        )?,
        ReportKind::Attendance => table(
            r::ATTENDANCE_COLUMNS,
            read.attendance_rows(network, year, now).await?,
        )?,
    };
    if out == "-" {
        print!("{text}");
    } else {
        std::fs::write(&out, text).with_context(|| format!("failed to write {out}"))?;
    }
    Ok(())
}

/// The arguments of `VerifyReport`.
#[derive(clap::Args)]
pub(crate) struct VerifyReportArgs {
    /// The signed report (JSON).
    #[arg(long)]
    file: std::path::PathBuf,
    /// The public key (hex).
    #[arg(long, env = "PUBLIC_KEY")]
    public_key: String,
}

/// Runs `VerifyReport`.
pub(crate) async fn run_verifyreport(args: VerifyReportArgs) -> anyhow::Result<()> {
    let VerifyReportArgs { file, public_key } = args;
    let key =
        projections::integrity::public_key_from_hex(&public_key).map_err(anyhow::Error::msg)?;
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("failed to read {}", file.display()))?;
    let report: projections::reports::SignedReport =
        serde_json::from_str(&text).context("not a signed report")?;
    match report.verify(&key) {
        Ok(()) => println!(
            "verified: content hash {} signed by {}",
            report.content_hash, public_key
        ),
        Err(e) => anyhow::bail!("NOT VERIFIED: {e}"),
    }
    Ok(())
}

/// The reports `report` produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportKind {
    /// The signed annual monitoring report (as CSV: its commitments table).
    Annual,
    /// Signature coverage per protocol version.
    Coverage,
    /// Commitment fulfilment per member, judged at the end of the year.
    Fulfilment,
    /// Attendance per member.
    Attendance,
}

/// The file formats of `report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
}
