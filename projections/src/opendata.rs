//! The public directory of services as open data: what every public network lists, on a
//! date, in JSON (validated against `schemas/open-data/services.schema.json`, which is
//! published with it) and CSV (the same fields, lists joined with "; "). Nothing in it can be
//! personal: contacts are typed institutional fields the domain screens, and unlisted
//! services and private networks are left out.

use chrono::NaiveDate;
use serde::Serialize;

use crate::queries::{AsOf, QueryError, ReadModels};
use crate::store::municipalities::Municipalities;
use crate::views::{ServiceStatus, ServiceView};

/// The JSON Schema of [`OpenData`] (draft 7).
pub const SCHEMA: &str = include_str!("../../schemas/open-data/services.schema.json");

/// The licence the directory is published under (the ISTAT names in it are CC BY 4.0 too).
pub const LICENCE: &str = "CC-BY-4.0";

/// The directory on one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenData {
    pub schema: &'static str,
    pub licence: &'static str,
    /// The business date the statuses and territories are read on.
    pub on: NaiveDate,
    /// The log position the read models had reached.
    pub position: i64,
    pub services: Vec<OpenService>,
}

/// A municipality a service serves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenMunicipality {
    pub istat_code: String,
    pub name: String,
    pub province_abbreviation: String,
}

/// One service as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenService {
    /// The API's global id of the service.
    pub id: String,
    pub name: String,
    pub kind: String,
    /// OPEN or SUSPENDED (closed services are not listed).
    pub status: &'static str,
    pub status_since: NaiveDate,
    pub status_reason: Option<String>,
    pub expected_reopening: Option<NaiveDate>,
    pub network_id: String,
    pub network: String,
    pub organization: String,
    pub municipalities: Vec<OpenMunicipality>,
    pub audience: String,
    pub access: Vec<String>,
    pub referral_from: Option<String>,
    pub opening_hours: Option<String>,
    pub languages: Vec<String>,
    pub accessibility: Option<String>,
    pub address: Option<String>,
    pub switchboard: Option<String>,
    pub mailbox: Option<String>,
    pub website: Option<String>,
    /// The last date someone responsible confirmed or updated the entry.
    pub confirmed_on: NaiveDate,
}

fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn text<T: ToString>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(ToString::to_string)
}

/// The services every public network lists, open or suspended on `on`, as the read models
/// hold them now.
pub async fn services(
    read: &ReadModels,
    municipalities: &Municipalities,
    on: NaiveDate,
) -> Result<OpenData, QueryError> {
    let position = read.position().await?;
    let networks = read.networks(AsOf::Now).await?;
    let organizations = read.organizations(AsOf::Now).await?;
    let mut services = Vec::new();
    for view in read.services(AsOf::Now).await? {
        let Some(network) = networks.iter().find(|n| n.id == view.network && n.public) else {
            continue;
        };
        if !view.details.listed {
            continue;
        }
        let Some(period) = view.on(on) else { continue };
        if period.status == ServiceStatus::Closed {
            continue;
        }
        let status = period.status.wire();
        let organization = organizations
            .iter()
            .find(|o| o.id == view.organization)
            .map(|o| o.name.to_string())
            .unwrap_or_default();
        services.push(published(
            &view,
            period,
            status,
            network,
            organization,
            municipalities,
        ));
    }
    services.sort_by(|a, b| (&a.network, &a.name).cmp(&(&b.network, &b.name)));
    Ok(OpenData {
        schema: "https://governance.example.org/schemas/open-data/services.schema.json",
        licence: LICENCE,
        on,
        position,
        services,
    })
}

fn published(
    view: &ServiceView,
    period: &crate::views::ServicePeriod,
    status: &'static str,
    network: &crate::views::NetworkView,
    organization: String,
    municipalities: &Municipalities,
) -> OpenService {
    let d = &view.details;
    OpenService {
        id: view.id.global(),
        name: d.name.to_string(),
        kind: wire(&d.kind),
        status,
        status_since: period.from,
        status_reason: text(&period.reason),
        expected_reopening: period.expected_reopening,
        network_id: network.id.global(),
        network: network.name.to_string(),
        organization,
        municipalities: period
            .territory
            .iter()
            .map(|code| {
                let known = municipalities.get(code.as_str());
                OpenMunicipality {
                    istat_code: code.to_string(),
                    name: known.map(|m| m.name.clone()).unwrap_or_default(),
                    province_abbreviation: known
                        .map(|m| m.province_abbreviation.clone())
                        .unwrap_or_default(),
                }
            })
            .collect(),
        audience: d.audience.to_string(),
        access: d.access.iter().map(wire).collect(),
        referral_from: text(&d.referral_from),
        opening_hours: text(&d.opening_hours),
        languages: d.languages.iter().map(ToString::to_string).collect(),
        accessibility: text(&d.accessibility),
        address: text(&d.address),
        switchboard: text(&d.contacts.switchboard),
        mailbox: text(&d.contacts.mailbox),
        website: text(&d.contacts.website),
        confirmed_on: view.confirmed_on,
    }
}

/// The CSV columns, in order (the JSON fields, lists joined with "; ").
pub const CSV_COLUMNS: [&str; 23] = [
    "id",
    "name",
    "kind",
    "status",
    "status_since",
    "status_reason",
    "expected_reopening",
    "network_id",
    "network",
    "organization",
    "municipality_codes",
    "municipality_names",
    "audience",
    "access",
    "referral_from",
    "opening_hours",
    "languages",
    "accessibility",
    "address",
    "switchboard",
    "mailbox",
    "website",
    "confirmed_on",
];

impl OpenData {
    /// The CSV form: a header of [`CSV_COLUMNS`], one row per service.
    pub fn to_csv(&self) -> String {
        let rows: Vec<serde_json::Value> = self
            .services
            .iter()
            .map(|s| {
                let mut row = serde_json::to_value(s).expect("a published service serialises");
                let join = |items: Vec<&str>| serde_json::Value::from(items.join("; "));
                row["municipality_codes"] = join(
                    s.municipalities
                        .iter()
                        .map(|m| m.istat_code.as_str())
                        .collect(),
                );
                row["municipality_names"] =
                    join(s.municipalities.iter().map(|m| m.name.as_str()).collect());
                row["access"] = join(s.access.iter().map(String::as_str).collect());
                row["languages"] = join(s.languages.iter().map(String::as_str).collect());
                row
            })
            .collect();
        crate::reports::csv(&CSV_COLUMNS, &rows)
    }
}
