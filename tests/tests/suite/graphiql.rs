//! GraphiQL as a browser sees it, offline: headless Chromium (driven by playwright-core from
//! `tests/js/graphiql.mjs`) opens the page the server serves, finds Query in the documentation
//! explorer, runs a query, and receives a subscription's event; no request leaves the server.
//! The page's files are served from the binary, gzip-encoded, and not at all when GraphiQL is
//! switched off.

use projections::store::Store;
use tests::spawn_server;

async fn graphiql_runs_offline_in_a_browser(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let base = server.url.trim_end_matches("/graphql").to_owned();
    let said = tests::js::run(
        "graphiql.mjs",
        &[&base, &tests::admin()],
        "GraphiQL in headless Chromium (install Debian's chromium: .ci/run does)",
    )
    .await;
    assert!(said.contains("graphiql works"), "{said}");
}

tests::on_both_backends!(graphiql_runs_offline_in_a_browser);

#[tokio::test]
async fn the_page_and_its_files_come_from_the_server_or_not_at_all() {
    let (_dir, store) = tests::sqlite_store().await;
    let on = spawn_server(store, Default::default()).await;
    let base = on.url.trim_end_matches("/graphql").to_owned();
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let page = client.get(&on.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/graphiql/graphiql.min.js"), "{html}");
    assert!(
        !html.contains("https://"),
        "the page loads nothing from elsewhere: {html}"
    );

    let bundle = client
        .get(format!("{base}/graphiql/graphiql.min.js"))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
    assert_eq!(bundle.headers()["content-encoding"], "gzip");
    assert!(bundle.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let plain = client
        .get(format!("{base}/graphiql/graphiql.min.js"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 406);
    let missing = client
        .get(format!("{base}/graphiql/%2e%2e%2fCargo.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let start = client
        .get(format!("{base}/graphiql/start.js"))
        .send()
        .await
        .unwrap();
    assert!(start
        .text()
        .await
        .unwrap()
        .contains("graphqlWs.createClient"));

    let (_dir2, store) = tests::sqlite_store().await;
    let off = spawn_server(
        store,
        graphql::ApiConfig {
            graphiql: false,
            ..Default::default()
        },
    )
    .await;
    let base = off.url.trim_end_matches("/graphql").to_owned();
    let page = client.get(&off.url).send().await.unwrap();
    assert_eq!(page.status(), 405);
    let bundle = client
        .get(format!("{base}/graphiql/graphiql.min.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 404);
}
