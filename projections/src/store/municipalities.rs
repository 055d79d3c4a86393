//! Reference data: the ISTAT list of Italian municipalities. The project ships one edition
//! (`schemas/reference/municipalities.csv`: sources, licences and how to rebuild it in
//! `schemas/reference/README.md`); `migrate` loads it into the `municipalities` table unless an
//! operator loaded another file ([`Store::load_municipalities`]); each process reads the table
//! once, on first use, and answers from memory.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Backend, Store, StoreError};
use crate::sql::{dialect, on_pool};

/// The edition shipped with this release.
pub const SHIPPED: &str = include_str!("../../../schemas/reference/municipalities.csv");

/// One municipality, as the CSV and the table hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Municipality {
    pub istat_code: String,
    pub name: String,
    pub province_code: String,
    pub province_abbreviation: String,
    pub province: String,
    pub region_code: String,
    pub region: String,
    pub cadastral_code: String,
    /// The day the municipality's current record begins (a change of province starts one).
    pub established_on: Option<NaiveDate>,
    /// The first day it no longer exists.
    pub suppressed_on: Option<NaiveDate>,
}

impl Municipality {
    /// Whether it exists on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.facts().in_force_on(day)
    }

    pub fn facts(&self) -> aggregates::directory::MunicipalityFacts {
        aggregates::directory::MunicipalityFacts {
            established_on: self.established_on,
            suppressed_on: self.suppressed_on,
        }
    }
}

/// The reference list in memory, by code, by province and by name.
#[derive(Debug, Default)]
pub struct Municipalities {
    /// In ISTAT code order.
    all: Vec<Municipality>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

/// A name folded for matching: lower case, accents and apostrophes' variants unified, spaces
/// collapsed ("Cantù" matches "cantu'" and "CANTU").
pub fn fold_name(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            '’' | '`' | '´' => '\'',
            c if c.is_whitespace() || c == '-' => ' ',
            c => c,
        };
        if plain == ' ' && folded.ends_with(' ') {
            continue;
        }
        folded.push(plain);
    }
    folded.trim_end_matches('\'').trim().to_owned()
}

impl Municipalities {
    /// The list from rows in any order (codes must be unique).
    pub fn new(mut rows: Vec<Municipality>) -> Result<Self, String> {
        rows.sort_by(|a, b| a.istat_code.cmp(&b.istat_code));
        let mut by_code = HashMap::with_capacity(rows.len());
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in rows.iter().enumerate() {
            aggregates::values::MunicipalityCode::parse(&m.istat_code)
                .map_err(|e| format!("line for {:?}: {e}", m.istat_code))?;
            if by_code.insert(m.istat_code.clone(), i).is_some() {
                return Err(format!("the code {} appears twice", m.istat_code));
            }
            by_name.entry(fold_name(&m.name)).or_default().push(i);
        }
        Ok(Self {
            all: rows,
            by_code,
            by_name,
        })
    }

    /// Parses the CSV form (the header of the shipped file, in any column order).
    pub fn parse_csv(text: &str) -> Result<Self, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows = reader
            .deserialize()
            .enumerate()
            .map(|(i, row)| row.map_err(|e| format!("row {}: {e}", i + 2)))
            .collect::<Result<Vec<Municipality>, String>>()?;
        if rows.is_empty() {
            return Err("the file lists no municipality".into());
        }
        Self::new(rows)
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    pub fn all(&self) -> &[Municipality] {
        &self.all
    }

    pub fn get(&self, code: &str) -> Option<&Municipality> {
        self.by_code.get(code.trim()).map(|&i| &self.all[i])
    }

    /// The municipalities with this name (folded; a name may be shared across provinces).
    pub fn named(&self, name: &str) -> Vec<&Municipality> {
        self.by_name
            .get(&fold_name(name))
            .map(|found| found.iter().map(|&i| &self.all[i]).collect())
            .unwrap_or_default()
    }

    /// The municipalities of a province (by its three-digit code or its abbreviation) that
    /// exist on `day`.
    pub fn of_province(&self, province: &str, day: NaiveDate) -> Vec<&Municipality> {
        let province = province.trim();
        self.all
            .iter()
            .filter(|m| {
                m.province_code == province
                    || m.province_abbreviation.eq_ignore_ascii_case(province)
            })
            .filter(|m| m.in_force_on(day))
            .collect()
    }
}

fn edition_of(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

impl Store {
    /// Loads the shipped edition if the table holds none, or holds an older shipped one; an
    /// edition an operator loaded from a file is left in place.
    pub(crate) async fn seed_municipalities(&self) -> Result<(), StoreError> {
        let backend = self.backend();
        let sql = "SELECT edition, source FROM reference_editions WHERE name = 'municipalities'";
        let loaded: Option<(String, String)> =
            on_pool!(backend, pool => sqlx::query_as(sql).fetch_optional(pool).await?);
        let edition = edition_of(SHIPPED);
        match loaded {
            Some((_, source)) if source == "file" => Ok(()),
            Some((loaded, _)) if loaded == edition => Ok(()),
            _ => {
                let list = Municipalities::parse_csv(SHIPPED).map_err(StoreError::Corrupt)?;
                write(backend, &list, &edition, "shipped").await
            }
        }
    }

    /// Replaces the reference list with the municipalities of a CSV file (the shipped file's
    /// columns); answers how many. Later releases keep it instead of their shipped edition.
    /// Servers already running read it at their next start.
    pub async fn load_municipalities(&self, csv_text: &str) -> Result<usize, StoreError> {
        let list = Municipalities::parse_csv(csv_text).map_err(StoreError::InvalidInput)?;
        write(self.backend(), &list, &edition_of(csv_text), "file").await?;
        Ok(list.len())
    }

    /// The reference list, read from the database once per process.
    pub async fn municipalities(&self) -> Result<Arc<Municipalities>, StoreError> {
        self.reference
            .get_or_try_init(|| read(self.backend()))
            .await
            .cloned()
    }
}

pub(super) async fn read(backend: &Backend) -> Result<Arc<Municipalities>, StoreError> {
    let sql = "SELECT istat_code, name, province_code, province_abbreviation, province,
                      region_code, region, cadastral_code, established_on, suppressed_on
                 FROM municipalities";
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = on_pool!(backend, pool => sqlx::query_as(sql).fetch_all(pool).await?);
    let date = |text: Option<String>| -> Result<Option<NaiveDate>, StoreError> {
        text.map(|t| {
            t.parse().map_err(|_| {
                StoreError::Corrupt(format!("a municipality date {t:?} does not parse"))
            })
        })
        .transpose()
    };
    let mut list = Vec::with_capacity(rows.len());
    for (code, name, pc, pa, p, rc, r, cc, from, until) in rows {
        list.push(Municipality {
            istat_code: code,
            name,
            province_code: pc,
            province_abbreviation: pa,
            province: p,
            region_code: rc,
            region: r,
            cadastral_code: cc,
            established_on: date(from)?,
            suppressed_on: date(until)?,
        });
    }
    Municipalities::new(list)
        .map(Arc::new)
        .map_err(StoreError::Corrupt)
}

async fn write(
    backend: &Backend,
    list: &Municipalities,
    edition: &str,
    source: &str,
) -> Result<(), StoreError> {
    let now = chrono::Utc::now().to_rfc3339();
    let insert_edition = dialect(
        backend,
        "INSERT INTO reference_editions (name, edition, source, loaded_at)
         VALUES ('municipalities', $1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET edition = $1, source = $2, loaded_at = $3",
    );
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    on_pool!(backend, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM municipalities").execute(&mut *tx).await?;
        // Multi-row inserts: 10 columns, 500 rows a statement (under both backends' limits).
        for chunk in list.all().chunks(500) {
            let mut sql = String::from(
                "INSERT INTO municipalities (istat_code, name, province_code, province_abbreviation,
                 province, region_code, region, cadastral_code, established_on, suppressed_on) VALUES ",
            );
            for (i, _) in chunk.iter().enumerate() {
                let b = i * 10;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${},${},${},${},${},${},${},${},${},${})",
                    b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10
                ));
            }
            // Two processes starting together on a new database both load the list: the
            // later one's rows replace the earlier one's instead of failing on their keys.
            sql.push_str(
                " ON CONFLICT (istat_code) DO UPDATE SET name = excluded.name,
                 province_code = excluded.province_code,
                 province_abbreviation = excluded.province_abbreviation,
                 province = excluded.province, region_code = excluded.region_code,
                 region = excluded.region, cadastral_code = excluded.cadastral_code,
                 established_on = excluded.established_on, suppressed_on = excluded.suppressed_on",
            );
            let sql = dialect(backend, &sql);
            let mut query = sqlx::query(&sql);
            for m in chunk {
                query = query
                    .bind(&m.istat_code)
                    .bind(&m.name)
                    .bind(&m.province_code)
                    .bind(&m.province_abbreviation)
                    .bind(&m.province)
                    .bind(&m.region_code)
                    .bind(&m.region)
                    .bind(&m.cadastral_code)
                    .bind(date(m.established_on))
                    .bind(date(m.suppressed_on));
            }
            query.execute(&mut *tx).await?;
        }
        sqlx::query(&insert_edition)
            .bind(edition)
            .bind(source)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_edition_parses_and_answers_by_code_name_and_province() {
        let list = Municipalities::parse_csv(SHIPPED).unwrap();
        assert!(list.len() > 7_800, "{}", list.len());
        let vigevano = list.get("018177").unwrap();
        assert_eq!(vigevano.name, "Vigevano");
        assert_eq!(vigevano.province_abbreviation, "PV");
        assert_eq!(list.named("vigevano"), vec![vigevano]);
        assert_eq!(list.named("Cantu'").len(), 1);
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let pavia = list.of_province("PV", day);
        assert!(pavia.iter().any(|m| m.istat_code == "018177"));
        // Albaredo Arnaboldi was suppressed on 18 November 2023.
        assert!(!pavia.iter().any(|m| m.istat_code == "018002"));
        assert_eq!(list.of_province("018", day).len(), pavia.len());
    }

    #[test]
    fn a_malformed_file_is_refused_with_its_row() {
        let header = SHIPPED.lines().next().unwrap();
        let bad = format!("{header}\n01817,X,018,PV,Pavia,03,Lombardia,L872,,\n");
        assert!(Municipalities::parse_csv(&bad)
            .unwrap_err()
            .contains("01817"));
        let twice = format!(
            "{header}\n018177,Vigevano,018,PV,Pavia,03,Lombardia,L872,,\n018177,Vigevano,018,PV,Pavia,03,Lombardia,L872,,\n"
        );
        assert!(Municipalities::parse_csv(&twice)
            .unwrap_err()
            .contains("twice"));
        assert!(Municipalities::parse_csv(header).is_err());
    }
}
