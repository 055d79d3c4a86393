//! Value types: parsed once at the edge, impossible to hold in an invalid state.
//!
//! Every type here deserialises through its parser (`serde(try_from)`), so an event or command
//! read from JSON can never smuggle in a value the parser would refuse.

use std::fmt;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject, StringValidation};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why a value was refused. Every parser in this module answers with one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters long (got {got})")]
    TooLong { max: usize, got: usize },
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("a tax code has 16 characters (codice fiscale) or 11 digits (partita IVA / codice fiscale numerico); got {0} characters")]
    TaxCodeLength(usize),
    #[error("the tax code is not well formed: {0}")]
    TaxCodeShape(&'static str),
    #[error("the tax code's check character is wrong: expected {expected}, found {found}")]
    TaxCodeCheck { expected: char, found: char },
    #[error("a SHA-256 document hash is 64 hexadecimal characters")]
    DocumentHash,
    #[error("not a valid e-mail address")]
    Email,
    #[error("not a valid https link")]
    Link,
    #[error("the end date {end} must be after the start date {start}")]
    EndNotAfterStart { start: NaiveDate, end: NaiveDate },
    #[error("must not contain invisible or direction-changing characters (found U+{:04X})", *.0 as u32)]
    InvisibleCharacter(char),
    #[error("free text must not contain personal data: it looks like it contains {0}")]
    PersonalData(PersonalDataKind),
    #[error("unknown value {0:?}")]
    UnknownVariant(String),
    #[error("sealed data is base64 of at most 4096 characters")]
    Sealed,
    #[error("an ISTAT municipality code is 6 digits (e.g. 018177)")]
    MunicipalityCode,
    #[error("not a valid phone number: digits with optional +, spaces, dots, dashes, slashes or brackets, 6 to 15 digits")]
    Phone,
    #[error("not a recurrence rule: {0}")]
    Recurrence(String),
    #[error("a key is 1 to 40 lower-case letters, digits or underscores, starting with a letter (e.g. requests_by_channel)")]
    Key,
}

/// What the free-text screening found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalDataKind {
    TaxCode,
    Email,
    Phone,
}

impl fmt::Display for PersonalDataKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TaxCode => "an Italian tax code (codice fiscale)",
            Self::Email => "an e-mail address",
            Self::Phone => "a phone number",
        })
    }
}

fn string_schema(
    gen: &mut SchemaGenerator,
    min: u32,
    max: Option<u32>,
    pattern: Option<&str>,
    description: &str,
) -> Schema {
    let _ = gen;
    let mut obj = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        string: Some(Box::new(StringValidation {
            min_length: Some(min),
            max_length: max,
            pattern: pattern.map(str::to_owned),
        })),
        ..Default::default()
    };
    obj.metadata().description = Some(description.to_owned());
    Schema::Object(obj)
}

/// Declares a string newtype that serialises as a string and deserialises through `parse`.
macro_rules! string_value {
    ($(#[$m:meta])* $name:ident, min = $min:expr, max = $max:expr, pattern = $pat:expr, $desc:expr) => {
        string_value!($(#[$m])* $name, min = $min, max = $max, pattern = $pat, $desc, loads_with = parse);
    };
    // `loads_with`: how a stored value is read back (events must load forever, so a value
    // stored before a rule was tightened is read with the rules it was written under).
    ($(#[$m:meta])* $name:ident, min = $min:expr, max = $max:expr, pattern = $pat:expr, $desc:expr, loads_with = $loader:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, ValueError> {
                Self::$loader(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }
            fn json_schema(gen: &mut SchemaGenerator) -> Schema {
                string_schema(gen, $min, $max, $pat, $desc)
            }
        }
    };
}

fn trimmed_bounded(input: &str, max: usize) -> Result<String, ValueError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ValueError::Empty);
    }
    let got = trimmed.chars().count();
    if got > max {
        return Err(ValueError::TooLong { max, got });
    }
    Ok(trimmed.to_owned())
}

pub const NAME_MAX: usize = 200;
pub const FREE_TEXT_MAX: usize = 10_000;

/// A character that changes how text reads without being seen: a format character (bidi
/// controls such as U+202E and U+2066, zero-width spaces and joiners, the BOM, the soft hyphen,
/// tags) or another default-ignorable one (variation selectors, Hangul fillers), per Unicode's
/// guidance on bidi controls (UTS #55) and invisible characters (UTS #39).
pub fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.general_category() == GeneralCategory::Format
        || matches!(c,
            '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
            | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FFA0}' | '\u{E0100}'..='\u{E01EF}')
}

/// The screening of what a user types, beyond a value's shape: no invisible or
/// direction-changing character, and (`personal`) nothing shaped like personal data.
fn screened(value: String, personal: bool) -> Result<String, ValueError> {
    if let Some(c) = value.chars().find(|c| is_invisible(*c)) {
        return Err(ValueError::InvisibleCharacter(c));
    }
    if personal {
        if let Some(kind) = screen_personal_data(&value) {
            return Err(ValueError::PersonalData(kind));
        }
    }
    Ok(value)
}

string_value!(
    /// A name or title: trimmed, not empty, at most 200 characters, one line, with no
    /// invisible or direction-changing character and nothing shaped like personal data.
    Name, min = 1, max = Some(NAME_MAX as u32), pattern = None,
    "A trimmed, non-empty name of at most 200 characters on one line, with no invisible or direction-changing character and no tax code, e-mail address or phone number in it",
    loads_with = stored
);

impl Name {
    /// A name as a user gives it: every rule.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        Ok(Self(screened(Self::stored(input)?.0, true)?))
    }
    /// A name as stored: the rules every stored name was written under (the screening came
    /// later: a name stored before it loads as it was).
    pub fn stored(input: &str) -> Result<Self, ValueError> {
        let value = trimmed_bounded(input, NAME_MAX)?;
        if value.chars().any(char::is_control) {
            return Err(ValueError::ControlCharacter);
        }
        Ok(Self(value))
    }
}

string_value!(
    /// Free text (agendas, decisions, notes, evidence, reasons), screened for personal data and
    /// for invisible or direction-changing characters.
    FreeText, min = 1, max = Some(FREE_TEXT_MAX as u32), pattern = None,
    "Trimmed, non-empty free text of at most 10,000 characters, with no invisible or direction-changing character and no tax code, e-mail address or phone number in it",
    loads_with = stored
);

impl FreeText {
    /// Free text as a user gives it: every rule.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        Ok(Self(screened(Self::stored(input)?.0, false)?))
    }
    /// Free text as stored: the rules every stored text was written under (the screening of
    /// invisible characters came later).
    pub fn stored(input: &str) -> Result<Self, ValueError> {
        let value = trimmed_bounded(input, FREE_TEXT_MAX)?;
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(ValueError::ControlCharacter);
        }
        if let Some(kind) = screen_personal_data(&value) {
            return Err(ValueError::PersonalData(kind));
        }
        Ok(Self(value))
    }
}

static TAX_CODE_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b")
        .expect("static regex")
});
static EMAIL_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("static regex")
});
static PHONE_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\+|\b00)?\d[\d .\-/]{7,}\d").expect("static regex"));

/// Looks for something shaped like personal data in free text: an Italian personal tax code,
/// an e-mail address or a phone number (nine or more digits, optionally with `+`/`00` and
/// separators). Dates (at most eight digits) and years do not match.
pub fn screen_personal_data(text: &str) -> Option<PersonalDataKind> {
    if TAX_CODE_SHAPE.is_match(text) {
        return Some(PersonalDataKind::TaxCode);
    }
    if EMAIL_SHAPE.is_match(text) {
        return Some(PersonalDataKind::Email);
    }
    for candidate in PHONE_SHAPE.find_iter(text) {
        let digits = candidate
            .as_str()
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        if digits >= 9 {
            return Some(PersonalDataKind::Phone);
        }
    }
    None
}

string_value!(
    /// An Italian tax code: a 16-character codice fiscale (persons) or an 11-digit partita IVA /
    /// codice fiscale numerico (organizations), check character verified. Stored upper case.
    TaxCode, min = 11, max = Some(16), pattern = Some(r"^([0-9]{11}|[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z])$"),
    "An Italian tax code with a verified check character: 11 digits or 16 characters"
);

const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
const OMOCODIA: &str = "LMNPQRSTUV";
const MONTHS: &str = "ABCDEHLMPRST";

impl TaxCode {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let code: String = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(ValueError::Empty);
        }
        if !code.is_ascii() {
            return Err(ValueError::TaxCodeShape(
                "only letters and digits are allowed",
            ));
        }
        match code.len() {
            11 => Self::parse_numeric(code),
            16 => Self::parse_personal(code),
            other => Err(ValueError::TaxCodeLength(other)),
        }
    }

    /// True for the 11-digit form used by organizations.
    pub fn is_numeric(&self) -> bool {
        self.0.len() == 11
    }

    fn parse_numeric(code: String) -> Result<Self, ValueError> {
        let digits: Vec<u32> = code
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(ValueError::TaxCodeShape(
                "an 11-character tax code has digits only",
            ))?;
        let mut sum = 0;
        for (i, d) in digits[..10].iter().enumerate() {
            if i % 2 == 0 {
                sum += d;
            } else {
                let doubled = d * 2;
                sum += if doubled > 9 { doubled - 9 } else { doubled };
            }
        }
        let expected = (10 - sum % 10) % 10;
        if expected != digits[10] {
            return Err(ValueError::TaxCodeCheck {
                expected: char::from_digit(expected, 10).unwrap_or('?'),
                found: char::from_digit(digits[10], 10).unwrap_or('?'),
            });
        }
        Ok(Self(code))
    }

    fn parse_personal(code: String) -> Result<Self, ValueError> {
        let chars: Vec<char> = code.chars().collect();
        let letter = |i: usize| chars[i].is_ascii_uppercase();
        let numeric = |i: usize| chars[i].is_ascii_digit() || OMOCODIA.contains(chars[i]);
        if !(0..6).all(letter) {
            return Err(ValueError::TaxCodeShape(
                "the first six characters must be letters",
            ));
        }
        if !(numeric(6) && numeric(7)) {
            return Err(ValueError::TaxCodeShape("characters 7-8 must be the year"));
        }
        if !MONTHS.contains(chars[8]) {
            return Err(ValueError::TaxCodeShape(
                "character 9 must be a month letter",
            ));
        }
        if !(numeric(9) && numeric(10)) {
            return Err(ValueError::TaxCodeShape("characters 10-11 must be the day"));
        }
        if !(letter(11) && (12..15).all(numeric)) {
            return Err(ValueError::TaxCodeShape(
                "characters 12-15 must be a place code (a letter and three digits)",
            ));
        }
        if !letter(15) {
            return Err(ValueError::TaxCodeShape(
                "the last character must be a letter",
            ));
        }
        let value = |c: char| -> u32 {
            if c.is_ascii_digit() {
                c as u32 - '0' as u32
            } else {
                c as u32 - 'A' as u32
            }
        };
        let mut sum = 0;
        for (i, &c) in chars[..15].iter().enumerate() {
            let v = value(c);
            // Positions are counted from 1: odd positions use the conversion table.
            sum += if i % 2 == 0 { CF_ODD[v as usize] } else { v };
        }
        let expected = char::from(b'A' + (sum % 26) as u8);
        if expected != chars[15] {
            return Err(ValueError::TaxCodeCheck {
                expected,
                found: chars[15],
            });
        }
        Ok(Self(code))
    }
}

string_value!(
    /// The SHA-256 of a document, as 64 lower-case hexadecimal characters.
    DocumentHash, min = 64, max = Some(64), pattern = Some("^[0-9a-f]{64}$"),
    "SHA-256 of a document: 64 lower-case hexadecimal characters"
);

impl DocumentHash {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim().to_ascii_lowercase();
        if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ValueError::DocumentHash);
        }
        Ok(Self(value))
    }
}

string_value!(
    /// Personal data sealed with its person's key outside the domain (AES-256-GCM; base64 of
    /// nonce and ciphertext). The domain never sees the clear text.
    Sealed, min = 16, max = Some(4096), pattern = Some("^[A-Za-z0-9+/]+={0,2}$"),
    "Personal data sealed with the person's key (base64)"
);

impl Sealed {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim();
        let base64 = value
            .trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        if !(16..=4096).contains(&value.len()) || !base64 || !value.len().is_multiple_of(4) {
            return Err(ValueError::Sealed);
        }
        Ok(Self(value.to_owned()))
    }
}

string_value!(
    /// An e-mail address (kept for contact details, which never go into events in clear).
    Email, min = 3, max = Some(254), pattern = None,
    "An e-mail address"
);

static EMAIL_FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
        .expect("static regex")
});

impl Email {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        if value.len() > 254 {
            return Err(ValueError::TooLong {
                max: 254,
                got: value.len(),
            });
        }
        let (local, _) = value.split_once('@').ok_or(ValueError::Email)?;
        if local.len() > 64 || !EMAIL_FULL.is_match(value) {
            return Err(ValueError::Email);
        }
        Ok(Self(value.to_owned()))
    }
}

string_value!(
    /// An https link (online meetings).
    Link, min = 9, max = Some(2000), pattern = Some("^https://"),
    "An https link"
);

impl Link {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim();
        let rest = value.strip_prefix("https://").ok_or(ValueError::Link)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty()
            || !host.contains('.')
            || value.len() > 2000
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ValueError::Link);
        }
        Ok(Self(value.to_owned()))
    }
}

string_value!(
    /// The ISTAT code of an Italian municipality (codice ISTAT del comune): six digits.
    MunicipalityCode, min = 6, max = Some(6), pattern = Some("^[0-9]{6}$"),
    "The six-digit ISTAT code of an Italian municipality"
);

impl MunicipalityCode {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim();
        if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::MunicipalityCode);
        }
        Ok(Self(value.to_owned()))
    }
    /// The ISTAT code of its province (the first three digits).
    pub fn province(&self) -> &str {
        &self.0[..3]
    }
}

string_value!(
    /// A machine key (an indicator's, a category's): lower-case letters, digits and
    /// underscores, starting with a letter. Nothing else fits in it.
    Key, min = 1, max = Some(40), pattern = Some("^[a-z][a-z0-9_]{0,39}$"),
    "A key: 1 to 40 lower-case letters, digits or underscores, starting with a letter"
);

impl Key {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim();
        let mut bytes = value.bytes();
        let first_ok = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
        if !first_ok
            || value.len() > 40
            || !bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(ValueError::Key);
        }
        Ok(Self(value.to_owned()))
    }
}

string_value!(
    /// An institutional phone number (a switchboard, a helpline): never a person's own.
    PhoneNumber, min = 6, max = Some(30), pattern = Some("^\\+?[0-9 ./()-]+$"),
    "A phone number: digits with an optional leading +, spaces, dots, dashes, slashes or brackets; 6 to 15 digits"
);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim();
        let body = value.strip_prefix('+').unwrap_or(value);
        let digits = body.bytes().filter(u8::is_ascii_digit).count();
        if value.len() > 30
            || !(6..=15).contains(&digits)
            || !body
                .bytes()
                .all(|b| b.is_ascii_digit() || b" ./()-".contains(&b))
        {
            return Err(ValueError::Phone);
        }
        Ok(Self(value.to_owned()))
    }
    /// Its digits, without the Italian prefix (+39, 0039): two ways of writing one number
    /// compare equal.
    pub fn digits(&self) -> String {
        normalized_phone(&self.0)
    }
}

/// The digits of a phone number as written anywhere, without the Italian prefix (+39, 0039).
pub fn normalized_phone(text: &str) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let international = text.trim_start().starts_with('+');
    match digits.strip_prefix(if international { "39" } else { "0039" }) {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => digits,
    }
}

/// A period of validity: from a start date, optionally to an end date strictly after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawDateRange")]
pub struct DateRange {
    from: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct RawDateRange {
    from: NaiveDate,
    to: Option<NaiveDate>,
}

impl TryFrom<RawDateRange> for DateRange {
    type Error = ValueError;
    fn try_from(raw: RawDateRange) -> Result<Self, ValueError> {
        Self::new(raw.from, raw.to)
    }
}

impl DateRange {
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Self, ValueError> {
        if let Some(end) = to {
            if end <= from {
                return Err(ValueError::EndNotAfterStart { start: from, end });
            }
        }
        Ok(Self { from, to })
    }
    pub fn from(&self) -> NaiveDate {
        self.from
    }
    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }
    /// True when `day` falls inside the range (the end date included).
    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.from && self.to.is_none_or(|end| day <= end)
    }
    /// The same start with another end.
    pub fn with_end(&self, to: NaiveDate) -> Result<Self, ValueError> {
        Self::new(self.from, Some(to))
    }
}

/// Declares a SCREAMING_CASE enum that parses from its wire name.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Parses the wire name (SCREAMING_SNAKE_CASE, case-insensitive).
            pub fn parse(input: &str) -> Result<Self, $crate::values::ValueError> {
                serde_json::from_value(serde_json::Value::String(input.trim().to_ascii_uppercase()))
                    .map_err(|_| $crate::values::ValueError::UnknownVariant(input.to_owned()))
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum!(
    /// The kinds of organization seen in the sources.
    OrganizationCategory {
        Comune,
        CittaMetropolitana,
        Provincia,
        Regione,
        Prefettura,
        Questura,
        Carabinieri,
        PoliziaLocale,
        Procura,
        Tribunale,
        AziendaSanitaria,
        EnteGestoreServiziSociali,
        CentroAntiviolenza,
        CasaRifugio,
        CentroUominiAutoriViolenza,
        Consultorio,
        Uepe,
        GaranteDetenuti,
        GaranteInfanzia,
        OrdineProfessionale,
        OrganismoDiParita,
        Universita,
        UfficioScolastico,
        Scuola,
        AssociazioneEts,
        CentroAccoglienza,
        Altro,
    }
);
