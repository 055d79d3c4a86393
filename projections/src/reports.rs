//! The reports a Region needs for its annual monitoring of a network, computed from the read
//! models: signature coverage of each protocol version, commitment fulfilment per member,
//! attendance per member, and the annual monitoring report — a JSON document with its content
//! hash (SHA-256 of its canonical form) and an Ed25519 signature, so that whoever receives it can
//! check, offline and with only the public key, that it is what the system produced.

use std::collections::{BTreeMap, HashMap};

use aggregates::commitment::CommitmentStatus;
use aggregates::ids::{CommitmentId, NetworkId, OrganizationId};
use aggregates::meeting::MeetingStatus;
use aggregates::network::MembershipStatus;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use ed25519_dalek::Verifier as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::figures::Cell;
use crate::integrity::{canonical_json, Signer};
use crate::queries::{AsOf, QueryError, ReadModels};
use crate::views::{CommitmentView, ProtocolView};

/// Who signed one version of a protocol and who has not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionCoverage {
    pub version: u32,
    pub title: String,
    /// Opened for signature on.
    pub open_since: Option<NaiveDate>,
    pub signed: Vec<Signed>,
    /// Active members of the network (and parties) that have not signed this version.
    pub not_signed: Vec<OrganizationId>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signed {
    pub organization: OrganizationId,
    pub signed_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

/// The outcome of one commitment, judged on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    FulfilledOnTime,
    FulfilledLate,
    Open,
    Overdue,
    Waived,
    Cancelled,
}

pub fn outcome(c: &CommitmentView, on: NaiveDate) -> Outcome {
    match c.status {
        CommitmentStatus::Fulfilled => match (c.closed_on, c.due_on) {
            (Some(done), Some(due)) if done > due => Outcome::FulfilledLate,
            _ => Outcome::FulfilledOnTime,
        },
        CommitmentStatus::Waived => Outcome::Waived,
        CommitmentStatus::Cancelled => Outcome::Cancelled,
        _ if c.is_overdue(on) => Outcome::Overdue,
        _ => Outcome::Open,
    }
}

/// Commitment outcomes of one member.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fulfilment {
    pub organization: Option<OrganizationId>,
    pub fulfilled_on_time: usize,
    pub fulfilled_late: usize,
    pub open: usize,
    pub overdue: usize,
    pub waived: usize,
    pub cancelled: usize,
    /// Each commitment with its outcome.
    pub commitments: Vec<(CommitmentId, Outcome)>,
}

impl ReadModels {
    /// Signature coverage of every version of a protocol.
    pub async fn signature_coverage(
        &self,
        protocol: &ProtocolView,
        as_of: AsOf,
    ) -> Result<Vec<VersionCoverage>, QueryError> {
        let signatures = self.signatures(protocol.id, as_of).await?;
        let members: Vec<OrganizationId> = self
            .memberships(protocol.network, as_of)
            .await?
            .into_iter()
            .filter(|m| m.status == MembershipStatus::Active)
            .map(|m| m.organization)
            .collect();
        let mut expected: Vec<OrganizationId> = members;
        for party in &protocol.parties {
            if !expected.contains(&party.organization) {
                expected.push(party.organization);
            }
        }
        Ok(protocol
            .versions
            .iter()
            .map(|v| {
                let signed: Vec<Signed> = signatures
                    .iter()
                    .filter(|s| s.version == v.number)
                    .map(|s| Signed {
                        organization: s.organization,
                        signed_on: s.signed_on,
                        recorded_at: s.recorded_at,
                    })
                    .collect();
                let not_signed = expected
                    .iter()
                    .filter(|o| !signed.iter().any(|s| s.organization == **o))
                    .copied()
                    .collect();
                VersionCoverage {
                    version: v.number,
                    title: v.title.as_str().to_owned(),
                    open_since: v.opened_on,
                    signed,
                    not_signed,
                }
            })
            .collect())
    }

    /// Commitment outcomes per member of a network, judged on `on`.
    pub async fn commitment_fulfilment(
        &self,
        network: NetworkId,
        on: NaiveDate,
        as_of: AsOf,
    ) -> Result<Vec<Fulfilment>, QueryError> {
        let mut per: BTreeMap<OrganizationId, Fulfilment> = BTreeMap::new();
        for c in self.commitments(network, as_of).await? {
            let f = per.entry(c.obligor).or_insert_with(|| Fulfilment {
                organization: Some(c.obligor),
                ..Default::default()
            });
            let o = outcome(&c, on);
            match o {
                Outcome::FulfilledOnTime => f.fulfilled_on_time += 1,
                Outcome::FulfilledLate => f.fulfilled_late += 1,
                Outcome::Open => f.open += 1,
                Outcome::Overdue => f.overdue += 1,
                Outcome::Waived => f.waived += 1,
                Outcome::Cancelled => f.cancelled += 1,
            }
            f.commitments.push((c.id, o));
        }
        Ok(per.into_values().collect())
    }

    /// The annual monitoring report of a network for a calendar year: the network, its
    /// protocols and their status, members and referent roles, the meetings held, and the
    /// commitments with their outcome at the end of the year. As the log knew it at `as_of`.
    pub async fn annual_report(
        &self,
        network: NetworkId,
        year: i32,
        as_of: AsOf,
    ) -> Result<Option<Value>, QueryError> {
        let Some(view) = self.network(network, as_of).await? else {
            return Ok(None);
        };
        // Callers check the year's range; an unrepresentable one has no report.
        let (Some(from), Some(until)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            year.checked_add(1)
                .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
        ) else {
            return Ok(None);
        };
        let last_day = until.pred_opt().unwrap_or(until);
        let memberships = self.memberships(network, as_of).await?;
        let protocols = self.protocols(network, as_of).await?;
        let commitments = self.commitments(network, as_of).await?;
        let services = self.services_of(network, as_of).await?;
        let mut named: Vec<OrganizationId> = memberships.iter().map(|m| m.organization).collect();
        named.extend(services.iter().map(|s| s.organization));
        named.push(view.coordinator);
        for p in &protocols {
            named.extend(p.parties.iter().map(|party| party.organization));
        }
        named.extend(commitments.iter().map(|c| c.obligor));
        let names = self.organization_names(named, as_of).await?;
        let name_of = |id: OrganizationId| names.get(&id).cloned().unwrap_or_default();
        let mut members = Vec::new();
        for m in memberships {
            if !m
                .periods
                .iter()
                .any(|p| p.from < until && p.until.is_none_or(|u| u > from))
            {
                continue;
            }
            members.push(json!({
                "organization": m.organization.global(),
                "name": name_of(m.organization),
                "status_at_year_end": if m.member_on(last_day) { "ACTIVE" } else { "NOT_ACTIVE" },
                "since": m.since,
                "referent_roles": m.referents.iter()
                    .filter(|r| r.since <= last_day && r.until.is_none_or(|u| u > from))
                    .map(|r| json!({"role": r.role, "since": r.since, "until": r.until}))
                    .collect::<Vec<_>>(),
            }));
        }
        let mut protocol_entries = Vec::new();
        for p in &protocols {
            let coverage = self.signature_coverage(p, as_of).await?;
            protocol_entries.push(json!({
                "protocol": p.id.global(),
                "kind": p.kind,
                "status": p.status,
                "version_in_force": p.in_force_version,
                "versions": coverage.iter().map(|v| json!({
                    "version": v.version,
                    "title": v.title,
                    "signed": v.signed.iter().filter(|s| s.signed_on <= last_day).map(|s| json!({"organization": s.organization.global(), "name": name_of(s.organization), "signed_on": s.signed_on})).collect::<Vec<_>>(),
                    "not_signed": v.not_signed.iter().map(|o| json!({"organization": o.global(), "name": name_of(*o)})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }));
        }
        let start = Utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).expect("midnight"));
        let end = Utc.from_utc_datetime(&until.and_hms_opt(0, 0, 0).expect("midnight"));
        let meetings: Vec<Value> = self
            .meetings(network, as_of)
            .await?
            .into_iter()
            .filter(|m| {
                m.status != MeetingStatus::Cancelled && m.starts_at >= start && m.starts_at < end
            })
            .map(|m| {
                json!({
                    "meeting": m.id.global(),
                    "kind": m.kind,
                    "title": m.title,
                    "starts_at": m.starts_at,
                    "status": m.status,
                    "decisions": m.decisions.len(),
                })
            })
            .collect();
        let attendance: Vec<Value> = self
            .attendance_rates(network, start, end, as_of)
            .await?
            .into_iter()
            .map(|r| json!({"organization": r.organization.global(), "name": name_of(r.organization), "meetings": r.meetings, "present": r.present, "excused": r.excused, "absent": r.absent}))
            .collect();
        let commitments: Vec<Value> = commitments
            .into_iter()
            .filter(|c| c.created_on < until)
            .map(|c| {
                json!({
                    "commitment": c.id.global(),
                    "obligor": c.obligor.global(),
                    "obligor_name": name_of(c.obligor),
                    "title": c.title,
                    "created_on": c.created_on,
                    "due_on": c.due_on,
                    "outcome_at_year_end": outcome(&c, last_day),
                })
            })
            .collect();
        // The services map: each service registered by the year's end, where it stood then,
        // how often it changed in the year, and when its details were last confirmed.
        let services: Vec<Value> = services
            .into_iter()
            .filter(|s| s.registered_on <= last_day)
            .map(|s| {
                let at_end = s.on(last_day);
                let in_year = |p: &crate::views::ServicePeriod| p.from >= from && p.from < until;
                json!({
                    "service": s.id.global(),
                    "name": s.details.name,
                    "kind": s.details.kind,
                    "organization": s.organization.global(),
                    "organization_name": name_of(s.organization),
                    "listed": s.details.listed,
                    "status_at_year_end": at_end.map(|p| p.status.wire()),
                    "municipalities_at_year_end": at_end.map_or(0, |p| p.territory.len()),
                    "changes_in_year": s.periods.iter().filter(|p| in_year(p)).count(),
                    "suspensions_in_year": s.periods.iter()
                        .filter(|p| in_year(p) && p.status == crate::views::ServiceStatus::Suspended)
                        .count(),
                    "confirmed_on": s.confirmed_on,
                })
            })
            .collect();
        // The shared figures: for each indicator set, the published tables of the periods
        // closed that fall in the year (suppressed as the network reads them; never a member's
        // raw count).
        let mut figures = Vec::new();
        // The report repeats cells of the tables the network reads (suppressed over every
        // closed period at once) and never tables of its own, whose suppression could differ.
        for set in self.indicator_sets(network, as_of).await? {
            let closed = set.closed();
            let year_keys: Vec<&str> = closed
                .iter()
                .filter(|p| p.from >= from && p.to < until)
                .map(|p| p.key.as_str())
                .collect();
            if year_keys.is_empty() {
                continue;
            }
            let whole_year = year_keys.len() == closed.len();
            let indicators: Vec<Value> = set
                .indicators
                .iter()
                .map(|i| {
                    let tables: Vec<Value> = set
                        .tables(&i.key)
                        .into_iter()
                        .filter(|t| match &t.period {
                            Some(key) => year_keys.contains(&key.as_str()),
                            None => whole_year,
                        })
                        .map(|t| {
                            json!({
                                "period": t.period.unwrap_or_else(|| "all".to_owned()),
                                "rows": t.rows.iter().map(|r| json!({
                                    "organization": r.organization.map(|o| o.global()),
                                    "organization_name": r.organization.map(name_of),
                                    "cells": r.cells.iter().map(|(category, cell)| json!({
                                        "category": category,
                                        "value": match cell { Cell::Shown(v) => json!(v), _ => Value::Null },
                                        "display": match cell {
                                            Cell::Shown(v) => v.to_string(),
                                            Cell::Small => format!("< {}", set.threshold),
                                            Cell::Protecting => "n.d.".to_owned(),
                                        },
                                    })).collect::<Vec<_>>(),
                                })).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    json!({"indicator": i.key, "title": i.title, "tables": tables})
                })
                .collect();
            figures.push(json!({
                "indicator_set": set.id.global(),
                "title": set.title,
                "threshold": set.threshold,
                "periods": year_keys,
                "indicators": indicators,
            }));
        }
        // The network's work: the activities (not cancelled) that took place in the year.
        let mut activities: Vec<crate::views::ActivityView> = self
            .activities(network, as_of)
            .await?
            .into_iter()
            .filter(|a| a.cancelled_on.is_none() && a.overlaps(Some(from), Some(last_day)))
            .collect();
        activities.sort_by_key(|a| (a.details.starts_on, a.id));
        let activities: Vec<Value> = activities
            .iter()
            .map(|a| {
                json!({
                    "activity": a.id.global(),
                    "kind": a.details.kind,
                    "title": a.details.title,
                    "working_group": a.working_group.map(|g| g.global()),
                    "starts_on": a.details.starts_on,
                    "ends_on": a.details.ends_on,
                    "organizations": a.details.organizations.len(),
                    "audience_total": a.audience_total(),
                    "outputs": a.details.outputs.len(),
                })
            })
            .collect();
        // The plans in force in the year: each line's targets with the value reached by the
        // year's end.
        let plans: Vec<Value> = self
            .plans(network, as_of)
            .await?
            .into_iter()
            .filter(|p| {
                p.approved_on.is_some_and(|a| a <= last_day)
                    && p.content.period.from() <= last_day
                    && p.content.period.to().is_none_or(|end| end >= from)
            })
            .map(|p| {
                let lines: Vec<Value> = p
                    .content
                    .lines
                    .iter()
                    .map(|l| {
                        let targets: Vec<Value> = l
                            .targets
                            .iter()
                            .enumerate()
                            .map(|(i, t)| {
                                let reached = p.reached(l.number, i as u16 + 1, Some(last_day));
                                json!({
                                    "description": t.description,
                                    "unit": t.unit,
                                    "value": t.value,
                                    "reached_at_year_end": reached.map(|r| r.reached),
                                    "reported_on": reached.map(|r| r.on),
                                })
                            })
                            .collect();
                        json!({
                            "line": l.number,
                            "title": l.title,
                            "responsible": l.responsible.iter().map(|o| json!({"organization": o.global(), "name": name_of(*o)})).collect::<Vec<_>>(),
                            "targets": targets,
                            "reports_in_year": p.reports.iter().filter(|r| r.line == l.number && r.on >= from && r.on <= last_day).count(),
                        })
                    })
                    .collect();
                json!({
                    "plan": p.id.global(),
                    "title": p.content.title,
                    "from": p.content.period.from(),
                    "until": p.content.period.to(),
                    "status_at_year_end": match p.closed_on {
                        Some(closed) if closed <= last_day => "CLOSED",
                        _ => "APPROVED",
                    },
                    "funding_cents": p.content.funding.iter().map(|f| f.amount_cents).sum::<u64>(),
                    "lines": lines,
                })
            })
            .collect();
        Ok(Some(json!({
            "report": "annual-monitoring/v4",
            "network": {"id": view.id.global(), "name": view.name, "kind": view.kind, "territory": view.territory,
                "coordinator": view.coordinator.global(), "coordinator_name": name_of(view.coordinator),
                "established_on": view.established_on, "closed_on": view.closed_on},
            "period": {"from": from, "until": last_day},
            "protocols": protocol_entries,
            "members": members,
            "meetings_held": meetings,
            "attendance": attendance,
            "commitments": commitments,
            "services": services,
            "figures": figures,
            "activities": activities,
            "plans": plans,
        })))
    }
}

/// A report with its content hash and signature: what a Region receives (the same shape as
/// the GraphQL `annualReport` answer, so either can be checked with `verify-report`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedReport {
    pub document: Value,
    /// SHA-256 (hex) of the document's canonical form (keys sorted, no whitespace).
    pub content_hash: String,
    /// Ed25519 signature (hex) of the content hash's hex text.
    pub signature: String,
    pub public_key: String,
    pub signed_at: DateTime<Utc>,
}

/// The content hash of a document.
pub fn content_hash(document: &Value) -> String {
    let mut text = String::new();
    canonical_json(document, &mut text);
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl SignedReport {
    pub fn sign(document: Value, signer: &Signer) -> Self {
        let content_hash = content_hash(&document);
        SignedReport {
            signature: signer.sign_hex(content_hash.as_bytes()),
            content_hash,
            document,
            public_key: signer.public_key_hex(),
            signed_at: Utc::now(),
        }
    }

    /// Checks, with only the public key, that the document is the one signed.
    pub fn verify(&self, key: &ed25519_dalek::VerifyingKey) -> Result<(), String> {
        if content_hash(&self.document) != self.content_hash {
            return Err("the document does not match its content hash: it was changed".into());
        }
        let signature = hex::decode(&self.signature)
            .ok()
            .and_then(|b| ed25519_dalek::Signature::from_slice(&b).ok())
            .ok_or("the signature is not an Ed25519 signature")?;
        key.verify(self.content_hash.as_bytes(), &signature)
            .map_err(|_| "the signature does not verify with this public key".to_owned())
    }
}

/// Rows as CSV with the given columns (RFC 4180 quoting). A text cell that a spreadsheet would
/// read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return: an
/// organization named `=HYPERLINK("http://…","Apri")`, say) is written with a leading `'`, as
/// OWASP advises against CSV injection: the reports and the open data are opened in
/// spreadsheets, and names and titles are whatever members typed. Numbers are written as they
/// are; the JSON forms are unchanged.
pub fn csv(columns: &[&str], rows: &[Value]) -> String {
    let field = |v: &Value| {
        let text = match v {
            Value::String(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    };
    let mut out = columns.join(",");
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = columns.iter().map(|c| field(&row[*c])).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The columns of each tabular report.
pub const COMMITMENT_COLUMNS: &[&str] = &[
    "commitment",
    "obligor",
    "obligor_name",
    "title",
    "created_on",
    "due_on",
    "outcome_at_year_end",
];
pub const COVERAGE_COLUMNS: &[&str] = &[
    "protocol",
    "version",
    "title",
    "organization",
    "organization_name",
    "signed",
    "signed_on",
    "recorded_at",
];
pub const FULFILMENT_COLUMNS: &[&str] = &[
    "organization",
    "organization_name",
    "commitment",
    "title",
    "due_on",
    "outcome",
];
pub const ATTENDANCE_COLUMNS: &[&str] = &[
    "organization",
    "organization_name",
    "meetings",
    "present",
    "excused",
    "absent",
    "rate",
];

/// The commitments table of an annual report as CSV (one row per commitment).
pub fn commitments_csv(document: &Value) -> String {
    let rows: Vec<Value> = document["commitments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    csv(COMMITMENT_COLUMNS, &rows)
}

impl ReadModels {
    /// Signature coverage of every protocol of a network, one row per version and organization
    /// expected to sign it.
    pub async fn coverage_rows(
        &self,
        network: NetworkId,
        as_of: AsOf,
    ) -> Result<Vec<Value>, QueryError> {
        let mut rows = Vec::new();
        for p in self.protocols(network, as_of).await? {
            for v in self.signature_coverage(&p, as_of).await? {
                for s in &v.signed {
                    rows.push(json!({"protocol": p.id.global(), "version": v.version, "title": v.title,
                        "organization": s.organization, "signed": true, "signed_on": s.signed_on, "recorded_at": s.recorded_at}));
                }
                for o in &v.not_signed {
                    rows.push(json!({"protocol": p.id.global(), "version": v.version, "title": v.title,
                        "organization": o, "signed": false, "signed_on": null, "recorded_at": null}));
                }
            }
        }
        self.named_rows(rows, as_of).await
    }

    /// Every commitment of a network with its outcome on `on`, one row each.
    pub async fn fulfilment_rows(
        &self,
        network: NetworkId,
        on: NaiveDate,
        as_of: AsOf,
    ) -> Result<Vec<Value>, QueryError> {
        let rows = self
            .commitments(network, as_of)
            .await?
            .into_iter()
            .map(|c| {
                json!({"organization": c.obligor, "commitment": c.id.global(), "title": c.title,
                    "due_on": c.due_on, "outcome": outcome(&c, on)})
            })
            .collect();
        self.named_rows(rows, as_of).await
    }

    /// Attendance per member over a calendar year's meetings, one row each.
    pub async fn attendance_rows(
        &self,
        network: NetworkId,
        year: i32,
        as_of: AsOf,
    ) -> Result<Vec<Value>, QueryError> {
        let (Some(from), Some(until)) = (
            Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single(),
            Utc.with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0).single(),
        ) else {
            return Ok(vec![]);
        };
        let rows = self
            .attendance_rates(network, from, until, as_of)
            .await?
            .into_iter()
            .map(|r| {
                json!({"organization": r.organization, "meetings": r.meetings, "present": r.present,
                    "excused": r.excused, "absent": r.absent, "rate": r.rate})
            })
            .collect();
        self.named_rows(rows, as_of).await
    }

    /// The names of these organizations (as of `as_of`), in one query.
    pub async fn organization_names(
        &self,
        mut ids: Vec<OrganizationId>,
        as_of: AsOf,
    ) -> Result<HashMap<OrganizationId, String>, QueryError> {
        ids.sort_unstable();
        ids.dedup();
        Ok(self
            .organizations_in(&ids, as_of)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name.as_str().to_owned()))
            .collect())
    }

    /// Rows whose `organization` holds an organization's bare id, with the organization's
    /// global id there instead and its name in `organization_name`.
    async fn named_rows(
        &self,
        mut rows: Vec<Value>,
        as_of: AsOf,
    ) -> Result<Vec<Value>, QueryError> {
        let id_of = |row: &Value| {
            serde_json::from_value::<OrganizationId>(row["organization"].clone()).ok()
        };
        let names = self
            .organization_names(rows.iter().filter_map(id_of).collect(), as_of)
            .await?;
        for row in &mut rows {
            if let Some(id) = id_of(row) {
                row["organization"] = Value::from(id.global());
                row["organization_name"] = Value::from(names.get(&id).cloned().unwrap_or_default());
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_text_a_spreadsheet_would_run_as_a_formula_is_written_inert() {
        let rows = [
            json!({"name": "=HYPERLINK(\"http://x.example\",\"Apri\")", "n": -3}),
            json!({"name": "+39 011", "n": 4}),
            json!({"name": "-", "n": null}),
            json!({"name": "@SUM(A1)", "n": 0}),
            json!({"name": "\tcmd", "n": 1}),
            json!({"name": "Comune di Asti, Servizi sociali", "n": 2}),
        ];
        let text = super::csv(&["name", "n"], &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "name,n",
                "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"Apri\"\")\",-3",
                "'+39 011,4",
                "'-,",
                "'@SUM(A1),0",
                "'\tcmd,1",
                "\"Comune di Asti, Servizi sociali\",2",
            ]
        );
    }
}
