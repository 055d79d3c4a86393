//! The schema contract: the SDL generated from the code equals the checked-in
//! `schemas/graphql/schema.graphql` (`UPDATE_SCHEMAS=1` rewrites it), and every type, field,
//! argument and enum value the API defines carries a description.

use std::path::PathBuf;

#[test]
fn the_checked_in_sdl_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/graphql/schema.graphql");
    let generated = graphql::sdl();
    if std::env::var("UPDATE_SCHEMAS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "schemas/graphql/schema.graphql differs from the code: run UPDATE_SCHEMAS=1 cargo test -p graphql --test sdl and review the diff"
    );
}

#[tokio::test]
async fn every_type_and_field_has_a_description() {
    let schema = graphql::build_schema_without_state();
    let query = r#"{ __schema { types { name kind description
        fields { name description args { name description } }
        inputFields { name description }
        enumValues { name description } } } }"#;
    let response = schema.execute(query).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let mut missing = Vec::new();
    let empty = |v: &serde_json::Value| {
        v["description"]
            .as_str()
            .is_none_or(|d| d.trim().is_empty())
    };
    for t in data["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        // Built-ins, and the Relay connection and edge types async-graphql generates (their
        // meaning is the standard one; their fields are described).
        if name.starts_with("__")
            || ["Boolean", "String", "Int", "Float", "ID"].contains(&name)
            || (name.ends_with("Connection") && empty(t))
        {
            continue;
        }
        if empty(t) {
            missing.push(name.to_owned());
        }
        for field in t["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(t["inputFields"].as_array().into_iter().flatten())
        {
            if empty(field) {
                missing.push(format!("{name}.{}", field["name"].as_str().unwrap()));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if empty(arg) {
                    missing.push(format!(
                        "{name}.{}({})",
                        field["name"].as_str().unwrap(),
                        arg["name"].as_str().unwrap()
                    ));
                }
            }
        }
        for value in t["enumValues"].as_array().into_iter().flatten() {
            if empty(value) {
                missing.push(format!("{name}.{}", value["name"].as_str().unwrap()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} without a description: {missing:#?}",
        missing.len()
    );
}

/// Every mutation states who may call it, and the statement is the rule enforced.
#[test]
fn every_mutation_states_its_access_rule() {
    let schema = graphql::build_schema_without_state();
    let response = futures::executor::block_on(
        schema.execute("{ __schema { mutationType { fields { name description } } } }"),
    );
    let data = response.data.into_json().unwrap();
    let fields = data["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap();
    assert!(fields.len() > 40);
    for field in fields {
        let name = field["name"].as_str().unwrap();
        let rule = graphql::root::rule_of(name)
            .unwrap_or_else(|| panic!("mutation {name} has no access rule"));
        let description = field["description"].as_str().unwrap();
        assert!(
            description.ends_with(&format!("Who may call it: {}", rule.who())),
            "{name}: {description:?} does not state {:?}",
            rule.who()
        );
    }
}

#[tokio::test]
async fn every_custom_scalar_states_its_format() {
    // Schema-driven tools (code generators, fuzzers) learn a scalar's format from its
    // `specifiedByURL`; its description says the same in words.
    let schema = graphql::build_schema_without_state();
    let response = schema
        .execute("{ __schema { types { name kind description specifiedByURL } } }")
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let scalars: Vec<_> = data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "SCALAR" && !builtin.contains(&t["name"].as_str().unwrap()))
        .collect();
    assert!(scalars.len() >= 3, "{scalars:?}");
    for scalar in scalars {
        let url = scalar["specifiedByURL"].as_str().unwrap_or_default();
        assert!(url.starts_with("https://"), "{scalar}");
        let description = scalar["description"].as_str().unwrap_or_default();
        assert!(
            description.contains("RFC"),
            "{} does not state its format: {description}",
            scalar["name"]
        );
    }
    assert!(
        graphql::sdl().contains("scalar NaiveDate @specifiedBy(url: "),
        "the SDL states it too"
    );
}
