//! The literals tests build their commands from: dates and valid value types.

use aggregates::values::{FreeText, Name};
use chrono::NaiveDate;

/// A date that exists.
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A valid name.
pub fn name(s: &str) -> Name {
    Name::parse(s).expect("a valid name")
}

/// Valid free text.
pub fn text(s: &str) -> FreeText {
    FreeText::parse(s).expect("valid free text")
}

/// A document hash made of one repeated hex digit.
pub fn hash(c: char) -> aggregates::values::DocumentHash {
    aggregates::values::DocumentHash::parse(&c.to_string().repeat(64)).expect("64 hex digits")
}
