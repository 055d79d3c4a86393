//! Value parsers: examples and properties (proptest). No parser panics on any input.

use aggregates::values::*;
use chrono::NaiveDate;
use proptest::prelude::*;

#[test]
fn real_organization_tax_codes_pass() {
    // Città Metropolitana di Torino and Comune di Milano (published codici fiscali).
    for code in ["01907990012", "01199250158"] {
        let parsed = TaxCode::parse(code).expect(code);
        assert!(parsed.is_numeric());
    }
}

#[test]
fn a_personal_tax_code_with_the_right_check_letter_passes() {
    // The textbook example "RSSMRA85T10A562S" (Mario Rossi, fictitious).
    let code = TaxCode::parse(" rssmra85t10a562s ").unwrap();
    assert_eq!(code.as_str(), "RSSMRA85T10A562S");
    assert!(!code.is_numeric());
}

#[test]
fn tax_code_errors_are_specific() {
    assert_eq!(
        TaxCode::parse("01907990013"),
        Err(ValueError::TaxCodeCheck {
            expected: '2',
            found: '3'
        })
    );
    assert_eq!(
        TaxCode::parse("RSSMRA85T10A562A"),
        Err(ValueError::TaxCodeCheck {
            expected: 'S',
            found: 'A'
        })
    );
    assert_eq!(
        TaxCode::parse("0190799001"),
        Err(ValueError::TaxCodeLength(10))
    );
    assert_eq!(TaxCode::parse(""), Err(ValueError::Empty));
    assert!(matches!(
        TaxCode::parse("0190799001X"),
        Err(ValueError::TaxCodeShape(_))
    ));
    assert!(matches!(
        TaxCode::parse("RSSMRA85Z10A562S"),
        Err(ValueError::TaxCodeShape(_))
    ));
    assert!(matches!(
        TaxCode::parse("RSSMR185T10A562S"),
        Err(ValueError::TaxCodeShape(_))
    ));
}

#[test]
fn names_are_trimmed_and_bounded() {
    assert_eq!(Name::parse("  Tavolo  ").unwrap().as_str(), "Tavolo");
    assert_eq!(Name::parse("   "), Err(ValueError::Empty));
    assert_eq!(
        Name::parse(&"x".repeat(201)),
        Err(ValueError::TooLong { max: 200, got: 201 })
    );
    assert_eq!(Name::parse("a\nb"), Err(ValueError::ControlCharacter));
}

#[test]
fn free_text_refuses_personal_data() {
    assert_eq!(
        FreeText::parse("Presente la sig.ra RSSMRA85T10A562S"),
        Err(ValueError::PersonalData(PersonalDataKind::TaxCode))
    );
    assert_eq!(
        FreeText::parse("scrivere a mario.rossi@example.org"),
        Err(ValueError::PersonalData(PersonalDataKind::Email))
    );
    assert_eq!(
        FreeText::parse("chiamare il 011 861 6387"),
        Err(ValueError::PersonalData(PersonalDataKind::Phone))
    );
    assert_eq!(
        FreeText::parse("tel. +39 333 1234567"),
        Err(ValueError::PersonalData(PersonalDataKind::Phone))
    );
    // Dates, years and numbered references are not personal data.
    for ok in [
        "Convegno online del 22/06/2020",
        "Riunione 2024-12-13, ore 10.30",
        "Legge 119/2013, art. 5",
        "Delibera n. 12345 del 2019",
    ] {
        assert!(FreeText::parse(ok).is_ok(), "{ok}");
    }
    let message = FreeText::parse("a@b.it").unwrap_err().to_string();
    assert!(message.contains("e-mail"), "{message}");
}

#[test]
fn hashes_emails_links_and_ranges() {
    let h = "A".repeat(64);
    assert_eq!(DocumentHash::parse(&h).unwrap().as_str(), "a".repeat(64));
    assert_eq!(DocumentHash::parse("abc"), Err(ValueError::DocumentHash));
    assert_eq!(
        DocumentHash::parse(&"g".repeat(64)),
        Err(ValueError::DocumentHash)
    );
    assert!(Email::parse("paritadiritti@cittametropolitana.torino.it").is_ok());
    for bad in ["", "no-at", "a@b", "a b@c.it", "@c.it"] {
        assert!(Email::parse(bad).is_err(), "{bad}");
    }
    assert!(Link::parse("https://meet.example.org/x").is_ok());
    for bad in [
        "http://x.org",
        "https://",
        "https://nohost",
        "https://a.org/ x",
    ] {
        assert_eq!(Link::parse(bad), Err(ValueError::Link), "{bad}");
    }
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert!(DateRange::new(d(2019, 1, 1), Some(d(2021, 12, 31))).is_ok());
    assert_eq!(
        DateRange::new(d(2019, 1, 1), Some(d(2019, 1, 1))),
        Err(ValueError::EndNotAfterStart {
            start: d(2019, 1, 1),
            end: d(2019, 1, 1)
        })
    );
    let err: Result<DateRange, _> =
        serde_json::from_str(r#"{"from":"2020-01-01","to":"2019-01-01"}"#);
    assert!(
        err.is_err(),
        "a reversed range cannot be deserialised either"
    );
    let err: Result<Name, _> = serde_json::from_str(r#""   ""#);
    assert!(err.is_err(), "an empty name cannot be deserialised");
}

#[test]
fn category_parses_wire_names() {
    assert_eq!(
        OrganizationCategory::parse("centro_antiviolenza"),
        Ok(OrganizationCategory::CentroAntiviolenza)
    );
    assert!(matches!(
        OrganizationCategory::parse("Bar"),
        Err(ValueError::UnknownVariant(_))
    ));
}

/// Computes the check character of an 11-digit code, for generating valid ones.
fn numeric_check(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                *d
            } else {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_parser_panics(input in "\\PC{0,80}") {
        let _ = Name::parse(&input);
        let _ = FreeText::parse(&input);
        let _ = TaxCode::parse(&input);
        let _ = DocumentHash::parse(&input);
        let _ = Email::parse(&input);
        let _ = Link::parse(&input);
        let _ = OrganizationCategory::parse(&input);
        let _ = screen_personal_data(&input);
    }

    #[test]
    fn no_tax_code_parser_panics_on_code_shaped_input(input in "[A-Z0-9]{11}|[A-Z0-9]{16}") {
        let _ = TaxCode::parse(&input);
    }

    #[test]
    fn every_valid_numeric_code_passes_and_every_wrong_check_digit_fails(
        digits in proptest::collection::vec(0u32..10, 10),
        wrong in 1u32..10,
    ) {
        let check = numeric_check(&digits);
        let body: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
        let good = format!("{body}{check}");
        prop_assert!(TaxCode::parse(&good).is_ok());
        let bad = format!("{body}{}", (check + wrong) % 10);
        let is_check_error = matches!(TaxCode::parse(&bad), Err(ValueError::TaxCodeCheck { .. }));
        prop_assert!(is_check_error);
    }

    #[test]
    fn every_wrong_check_letter_of_a_personal_code_fails(
        surname in "[A-Z]{6}", year in 0u32..100, month in 0usize..12, day in 1u32..72,
        place in "[A-Z][0-9]{3}", wrong in 1u8..26,
    ) {
        let months = b"ABCDEHLMPRST";
        let body = format!("{surname}{year:02}{}{day:02}{place}", months[month] as char);
        // Find the right letter by trying all 26: exactly one must pass.
        let passing: Vec<char> = (b'A'..=b'Z')
            .map(char::from)
            .filter(|c| TaxCode::parse(&format!("{body}{c}")).is_ok())
            .collect();
        prop_assert_eq!(passing.len(), 1);
        let right = passing[0];
        let other = char::from(b'A' + ((right as u8 - b'A' + wrong) % 26));
        let is_check_error = matches!(
            TaxCode::parse(&format!("{body}{other}")),
            Err(ValueError::TaxCodeCheck { .. })
        );
        prop_assert!(is_check_error);
        // Every valid personal code is caught by the free-text screening.
        let screened = FreeText::parse(&format!("presente {body}{right} oggi"));
        prop_assert_eq!(screened, Err(ValueError::PersonalData(PersonalDataKind::TaxCode)));
    }

    #[test]
    fn names_round_trip(input in "[^\\p{C}]{1,200}") {
        prop_assume!(!input.trim().is_empty());
        prop_assume!(!input.chars().any(is_invisible));
        prop_assume!(screen_personal_data(&input).is_none());
        let name = Name::parse(&input).unwrap();
        prop_assert_eq!(name.as_str(), input.trim());
        let json = serde_json::to_string(&name).unwrap();
        let back: Name = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, name);
    }

    #[test]
    fn hashes_round_trip(bytes in proptest::array::uniform32(any::<u8>())) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let hash = DocumentHash::parse(&hex).unwrap();
        prop_assert_eq!(hash.as_str(), hex.as_str());
    }

    #[test]
    fn ranges_accept_exactly_end_after_start(a in 0i64..20000, b in 0i64..20000) {
        let base = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        let start = base + chrono::Duration::days(a);
        let end = base + chrono::Duration::days(b);
        prop_assert_eq!(DateRange::new(start, Some(end)).is_ok(), end > start);
    }

    #[test]
    fn emails_and_phones_in_text_are_screened(
        user in "[a-z]{1,10}(\\.[a-z]{1,8})?", domain in "[a-z]{2,12}", tld in "(it|org|com|eu)",
        phone in "(\\+39 )?3[0-9]{2}[ .]?[0-9]{3}[ .]?[0-9]{4}",
    ) {
        prop_assert_eq!(
            screen_personal_data(&format!("contatto {user}@{domain}.{tld} grazie")),
            Some(PersonalDataKind::Email)
        );
        prop_assert_eq!(
            screen_personal_data(&format!("telefono {phone}")),
            Some(PersonalDataKind::Phone)
        );
    }

    #[test]
    fn valid_emails_parse(user in "[a-z0-9]{1,20}", domain in "[a-z]{2,20}", tld in "[a-z]{2,6}") {
        let address = format!("{user}@{domain}.{tld}");
        prop_assert!(Email::parse(&address).is_ok());
    }

    /// Every format character (bidi controls, zero-width spaces and joiners, the BOM, the soft
    /// hyphen, tags) is refused wherever it stands in a name or a text a user types.
    #[test]
    fn invisible_and_bidi_characters_are_refused(
        before in "[A-Za-zàèìòù' ]{0,30}", after in "[A-Za-zàèìòù' ]{0,30}", c in "\\p{Cf}",
    ) {
        let c = c.chars().next().unwrap();
        let input = format!("{before}Rete{c}Torino{after}");
        prop_assert_eq!(Name::parse(&input), Err(ValueError::InvisibleCharacter(c)));
        prop_assert_eq!(FreeText::parse(&input), Err(ValueError::InvisibleCharacter(c)));
        // What was stored before the rule loads as it was: history is never rewritten.
        let stored: Name = serde_json::from_value(serde_json::json!(input)).unwrap();
        prop_assert_eq!(stored.as_str(), input.trim());
        let stored: FreeText = serde_json::from_value(serde_json::json!(input)).unwrap();
        prop_assert_eq!(stored.as_str(), input.trim());
    }

    /// A name or title is screened for personal data as free text is: a tax code, an e-mail
    /// address or a phone number in an organization's name, a territory or a meeting title is
    /// refused (and loads as it was when stored before the rule).
    #[test]
    fn personal_data_in_names_is_refused(
        user in "[a-z]{1,10}", domain in "[a-z]{2,12}",
        phone in "(\\+39 )?3[0-9]{2}[ .]?[0-9]{3}[ .]?[0-9]{4}",
        which in 0usize..3,
    ) {
        let (inside, kind) = [
            ("RSSMRA85T10A562S".to_owned(), PersonalDataKind::TaxCode),
            (format!("{user}@{domain}.it"), PersonalDataKind::Email),
            (phone, PersonalDataKind::Phone),
        ][which].clone();
        let input = format!("Sportello {inside}");
        prop_assert_eq!(Name::parse(&input), Err(ValueError::PersonalData(kind)));
        let stored: Name = serde_json::from_value(serde_json::json!(input)).unwrap();
        prop_assert_eq!(stored.as_str(), input.as_str());
    }
}
