//! `governance open-data` (the public directory of services as open data) and `governance
//! municipalities load` (refresh the ISTAT reference list from a file).

use anyhow::Context;

use crate::config::DatabaseArgs;

/// The format of the open data.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum OpenDataFormat {
    /// JSON, as `schemas/open-data/services.schema.json` describes it.
    Json,
    /// CSV: the same fields, lists joined with "; ".
    Csv,
    /// The JSON Schema itself.
    Schema,
}

/// The arguments of `OpenData`.
#[derive(clap::Args)]
pub(crate) struct OpenDataArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[arg(long, value_enum, default_value_t = OpenDataFormat::Json)]
    pub(crate) format: OpenDataFormat,
    /// The business date statuses and territories are read on (default: today).
    #[arg(long)]
    on: Option<chrono::NaiveDate>,
    /// The file to write ("-" for standard output).
    #[arg(long, default_value = "-")]
    out: String,
}

fn write(out: &str, text: &str) -> anyhow::Result<()> {
    if out == "-" {
        print!("{text}");
        Ok(())
    } else {
        std::fs::write(out, text).with_context(|| format!("failed to write {out}"))
    }
}

/// Runs `OpenData`.
pub(crate) async fn run(args: OpenDataArgs) -> anyhow::Result<()> {
    if let OpenDataFormat::Schema = args.format {
        return write(&args.out, projections::opendata::SCHEMA);
    }
    let store = args.database.open().await?;
    projections::catch_up_all(&store)
        .await
        .map_err(|e| anyhow::anyhow!("the read side did not catch up: {e}"))?;
    let read = projections::queries::ReadModels::new(store.clone());
    let on = args.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let data = projections::opendata::services(&read, &*store.municipalities().await?, on).await?;
    let text = match args.format {
        OpenDataFormat::Csv => data.to_csv(),
        _ => serde_json::to_string_pretty(&data)? + "\n",
    };
    write(&args.out, &text)
}

/// What `municipalities` does.
#[derive(clap::Subcommand)]
pub(crate) enum MunicipalitiesAction {
    /// Replace the reference list with a CSV file of the shipped file's columns (see
    /// schemas/reference/README.md); later releases keep it. Running servers read it at
    /// their next start.
    Load {
        /// The CSV file.
        file: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Runs `Municipalities`.
pub(crate) async fn run_municipalities(action: MunicipalitiesAction) -> anyhow::Result<()> {
    match action {
        MunicipalitiesAction::Load { file, database } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("failed to read {}", file.display()))?;
            let store = database.open().await?;
            let loaded = store.load_municipalities(&text).await?;
            println!("Loaded {loaded} municipalities from {}.", file.display());
            Ok(())
        }
    }
}
