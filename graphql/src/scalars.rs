//! The schema's own scalars, each stating its format in its description and by
//! `@specifiedBy`, so that code generators and schema-driven fuzzers can produce valid values.
//! (`DateTime` is async-graphql's, which already points at RFC 3339.)

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date on the wire: the `NaiveDate` scalar.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

/// A calendar date with no time and no zone: `YYYY-MM-DD` (RFC 3339's `full-date`), for
/// example `2024-12-13`. A date in another form (`13/12/2024`, a date with a time) is refused.
#[Scalar(
    name = "NaiveDate",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|_| s.len() == 10)
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom(format!("`{s}` is not a date of the form YYYY-MM-DD"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(day: NaiveDate) -> Self {
        Date(day)
    }
}

impl From<Date> for NaiveDate {
    fn from(day: Date) -> Self {
        day.0
    }
}

/// A JSON value on the wire: the `JSON` scalar.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Json(pub serde_json::Value);

/// Any JSON value (RFC 8259), as stored: an object, an array, a string, a number, a boolean
/// or null.
#[Scalar(
    name = "JSON",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259"
)]
impl ScalarType for Json {
    fn parse(value: Value) -> InputValueResult<Self> {
        value
            .into_json()
            .map(Json)
            .map_err(|e| InputValueError::custom(e.to_string()))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}

/// A position of the global log on the wire: the `Position` scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(pub i64);

/// A position in the global log of events: a whole number from 0, as a JSON number (RFC 8259,
/// section 6). Not an `Int`, which GraphQL bounds to 32 bits: on PostgreSQL positions pass
/// 2^31 after the first two thousand transactions. They stay below 2^53 (until the cluster
/// has run eight billion transactions), so a JSON number holds them exactly in every client;
/// a typed client reads them as 64-bit integers (Kotlin's `Long`, Swift's `Int64`). A
/// history's cursors are these positions, as strings.
#[Scalar(
    name = "Position",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259#section-6"
)]
impl ScalarType for Position {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n
                .as_i64()
                .filter(|n| *n >= 0)
                .map(Position)
                .ok_or_else(|| InputValueError::custom("a position is a whole number from 0")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::Number(n) if n.as_i64().is_some_and(|n| n >= 0))
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

impl From<i64> for Position {
    fn from(position: i64) -> Self {
        Position(position)
    }
}
