//! The tools a frontend team reaches for, against the real server: the reference `graphql`
//! package loads the schema by standard introspection (what GraphiQL, codegen tools and most
//! clients send), and the limits that bound ordinary queries still hold.

use projections::store::Store;
use serde_json::json;
use tests::{spawn_server, TestServer};

async fn server(store: Store) -> TestServer {
    spawn_server(store, Default::default()).await
}

/// `getIntrospectionQuery()` answers under the limits, and `buildClientSchema` on the answer is
/// the checked-in SDL.
async fn the_reference_graphql_package_loads_the_schema(store: Store) {
    let server = server(store).await;
    let dir = tests::js::clients();
    let sdl =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/graphql/schema.graphql");
    let output = tokio::process::Command::new("node")
        .arg(dir.join("introspect.mjs"))
        .arg(&server.url)
        .arg(&sdl)
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "the reference package could not load the schema: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "same");
}

/// Introspection has its own bound; everything else keeps the deployment's.
async fn ordinary_queries_and_runaway_introspection_stay_bounded(store: Store) {
    let server = server(store).await;
    // An ordinary query nested past the depth limit (12) is refused.
    let deep = format!(
        "{{ networks {{ nodes {{ {} id {} }} }} }}",
        "coordinator { memberships { network { ".repeat(4),
        "} } } ".repeat(4)
    );
    let answer = server.gql(None, &deep, json!({})).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{answer}");
    // Introspection nested far past any standard query is refused too.
    let runaway = format!(
        "{{ __schema {{ types {{ {} name {} }} }} }}",
        "fields { type { ofType { ".repeat(6),
        "} } } ".repeat(6)
    );
    let answer = server.gql(None, &runaway, json!({})).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{answer}");
    // An ordinary field beside a meta-field is an ordinary query, with the ordinary limits.
    let mixed = format!(
        "{{ __typename networks {{ nodes {{ {} id {} }} }} }}",
        "coordinator { memberships { network { ".repeat(4),
        "} } } ".repeat(4)
    );
    let answer = server.gql(None, &mixed, json!({})).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{answer}");
}

/// With introspection switched off, the standard query is refused, not answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn introspection_switched_off_answers_nothing() {
    let (_dir, store) = tests::sqlite_store().await;
    let config = graphql::ApiConfig {
        introspection: false,
        ..Default::default()
    };
    let server = spawn_server(store, config).await;
    let answer = server
        .gql(None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(answer["data"]["__schema"], serde_json::Value::Null, "{answer}");
}

tests::on_both_backends!(
    the_reference_graphql_package_loads_the_schema,
    ordinary_queries_and_runaway_introspection_stay_bounded,
);
