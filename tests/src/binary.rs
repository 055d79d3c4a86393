//! Driving the built `governance` binary as an operator would: each call runs it in a working
//! directory of the test's own, with the embedded default database (`DATABASE_URL` removed).
//! `cmd/tests` passes `env!("CARGO_BIN_EXE_governance")`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// The binary, run in one directory.
pub struct Governance {
    pub exe: PathBuf,
    pub dir: PathBuf,
}

impl Governance {
    pub fn new(exe: impl Into<PathBuf>, dir: &Path) -> Self {
        Governance {
            exe: exe.into(),
            dir: dir.to_path_buf(),
        }
    }

    /// The command, ready to run in the directory.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.exe);
        command
            .args(args)
            .current_dir(&self.dir)
            .env_remove("DATABASE_URL");
        command
    }

    /// Runs it to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the binary runs")
    }

    /// `serve` on a port, with more arguments, its output discarded.
    pub fn serve(&self, port: u16, more: &[&str]) -> Child {
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec!["serve", "--listen", &listen];
        args.extend_from_slice(more);
        self.command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts")
    }

    /// Issues an API token with the command line, as an operator would.
    pub fn issue_token(&self, subject: &str, grant: &str) -> String {
        let output = self.run(&["token", "issue", "--subject", subject, "--grant", grant]);
        assert!(output.status.success(), "{output:?}");
        let token = String::from_utf8(output.stdout)
            .expect("UTF-8")
            .trim()
            .to_owned();
        assert!(token.starts_with("gov_"), "{token}");
        token
    }
}

/// One GraphQL operation over HTTP; `Null` when the server does not answer.
pub async fn post(port: u16, token: Option<&str>, query: &str) -> serde_json::Value {
    post_with(port, token, query, serde_json::json!({})).await
}

/// One GraphQL operation with variables over HTTP; `Null` when the server does not answer.
pub async fn post_with(
    port: u16,
    token: Option<&str>,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    let mut request = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .json(&serde_json::json!({"query": query, "variables": variables}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => response.json().await.unwrap_or(serde_json::Value::Null),
        Err(_) => serde_json::Value::Null,
    }
}

/// Waits (up to a minute) until the server answers.
pub async fn wait_until_up(port: u16, token: Option<&str>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while post(port, token, "{ __typename }").await.is_null() {
        assert!(Instant::now() < deadline, "the server answers");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
