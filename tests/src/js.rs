//! The JavaScript clients the API must work with (`tests/js`: the reference `graphql` package,
//! `graphql-ws`, Apollo Client, `graphql-http`'s audit of GraphQL over HTTP) and the contract's tools
//! (`graphql-inspector`), installed once per test process with `npm ci` from the committed
//! lockfile.

/// Makes sure the JavaScript clients are installed (`npm ci` from the committed lockfile).
pub fn clients() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js");
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let installed = [
            "@apollo/client",
            "graphql-ws",
            "graphql-http",
            "@graphql-inspector/cli",
            "playwright-core",
        ]
            .iter()
            .all(|package| dir.join("node_modules").join(package).exists());
        if !installed {
            let status = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .unwrap_or_else(|e| panic!("npm is needed for the graphql-ws client test ({e}): install Node.js and npm"));
            assert!(status.success(), "npm ci in tests/js failed");
        }
    });
    dir
}

/// Runs one of the scripts in `tests/js` with node; answers what it printed, failing the test
/// (with what it said on standard error) when it does not succeed.
pub async fn run(script: &str, args: &[&str], what: &str) -> String {
    let dir = clients();
    let output = tokio::process::Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
