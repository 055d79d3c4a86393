//! A throw-away PostgreSQL cluster for the tests of one process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::Connection;

const INSTALL_HINT: &str = "PostgreSQL server binaries were not found under \
/usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: `apt-get install -y postgresql`) or set \
DATABASE_URL to a server where the tests may create databases.";

struct Cluster {
    /// A URL without database name; the socket directory is in `host`.
    base_url: String,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

fn server_bin_dir() -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok())
                .map(|d| d.path().join("bin"))
                .filter(|bin| bin.join("initdb").exists() && bin.join("postgres").exists())
                .collect()
        })
        .unwrap_or_default();
    candidates.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    candidates.pop().unwrap_or_else(|| panic!("{INSTALL_HINT}"))
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// Runs `program` as the `postgres` user when we are root (PostgreSQL refuses root), asking
/// the kernel to stop it when the thread that started it ends.
fn server_command(program: &Path, die_with_parent: bool) -> Command {
    let mut command = Command::new("setpriv");
    if running_as_root() {
        command.args(["--reuid=postgres", "--regid=postgres", "--init-groups"]);
    }
    if die_with_parent {
        command.arg("--pdeathsig=INT");
    }
    command.arg("--").arg(program);
    // The checkout may be in a directory the `postgres` user cannot enter (initdb changes
    // back to its working directory): run from one everybody can.
    command.current_dir("/");
    command
}

/// Where the clusters live: a short directory the `postgres` user can reach, whatever the
/// checkout's path (Unix socket paths are limited to 107 bytes, and a checkout under root's
/// home is closed to other users).
fn clusters_root(name: &str) -> PathBuf {
    let root = Path::new("/tmp").join(name);
    std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("create {}: {e}", root.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755));
    }
    root
}

fn remove_stale_clusters(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let alive = entry
            .file_name()
            .to_str()
            .and_then(|name| name.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
            .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Gives `dir` to the `postgres` user when we are root, then creates a cluster in `data`.
fn init_cluster(bin: &Path, dir: &Path, data: &Path) {
    if running_as_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status()
            .expect("chown the cluster directory");
        assert!(status.success(), "chown of {} failed", dir.display());
    }
    let output = server_command(&bin.join("initdb"), false)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ])
        .arg("-D")
        .arg(data)
        .output()
        .unwrap_or_else(|e| panic!("cannot run initdb ({e}). {INSTALL_HINT}"));
    assert!(
        output.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Durability off for speed, in the configuration file rather than on the command line:
    // a setting given on the command line outranks `ALTER SYSTEM`, so a measure that turns
    // durability on (the benchmark's) could not.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .and_then(|mut conf| {
            conf.write_all(b"fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        })
        .expect("configure the cluster");
}

fn start_cluster() -> Cluster {
    let bin = server_bin_dir();
    let root = clusters_root("governance-pg");
    remove_stale_clusters(&root);
    let dir = root.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    let socket = dir.join("socket");
    std::fs::create_dir_all(&socket).expect("create the cluster directory");
    let dir = dir.canonicalize().expect("cluster directory");
    let socket = socket.canonicalize().expect("socket directory");
    init_cluster(&bin, &dir, &data);

    // The server is started from a thread that lives as long as the process, so that the
    // parent-death signal stops it when the test process ends, not when one test does.
    let mut server = server_command(&bin.join("postgres"), true);
    server
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(&socket)
        .args([
            "-p",
            "5432",
            "-c",
            "listen_addresses=",
            "-c",
            "max_connections=300",
            "-c",
            "shared_buffers=64MB",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("server.log")).expect("server log"),
        ));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("test-postgres".to_owned())
        .spawn(move || match server.spawn() {
            Ok(mut child) => {
                let _ = sender.send(Ok(()));
                let _ = child.wait();
            }
            Err(e) => {
                let _ = sender.send(Err(e.to_string()));
            }
        })
        .expect("spawn the server thread");
    receiver
        .recv()
        .expect("server thread")
        .unwrap_or_else(|e| panic!("cannot start postgres: {e}. {INSTALL_HINT}"));

    let base_url = format!(
        "postgres://postgres@localhost:5432?host={}",
        socket.display()
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .arg("-h")
            .arg(&socket)
            .args(["-p", "5432", "-q"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ready {
            break;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            panic!("the test PostgreSQL did not become ready in 60 s:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Cluster { base_url }
}

fn with_database(base_url: &str, database: &str) -> String {
    match base_url.split_once('?') {
        Some((head, query)) => format!("{}/{database}?{query}", head.trim_end_matches('/')),
        None => format!("{}/{database}", base_url.trim_end_matches('/')),
    }
}

/// The URL of a new, empty database for one test.
pub async fn fresh_database() -> String {
    let admin_url = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            let cluster = CLUSTER.get_or_init(start_cluster);
            with_database(&cluster.base_url, "postgres")
        }
    };
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    let _ = admin.close().await;
    let base = match admin_url.split_once('?') {
        Some((head, query)) => {
            let head = head.rsplit_once('/').map_or(head, |(h, _)| h);
            format!("{head}?{query}")
        }
        None => admin_url
            .rsplit_once('/')
            .map_or(admin_url.clone(), |(h, _)| h.to_owned()),
    };
    with_database(&base, &name)
}

/// A plain-SQL dump of a database, made by the `pg_dump` of the installed server binaries.
pub fn dump(url: &str) -> Vec<u8> {
    let output = Command::new(server_bin_dir().join("pg_dump"))
        .arg("--dbname")
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pg_dump ({e}). {INSTALL_HINT}"));
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Runs one SQL statement with the installed `psql` (for tests whose callbacks are not async).
pub fn run_sql(url: &str, sql: &str) {
    let output = Command::new(server_bin_dir().join("psql"))
        .arg("--dbname")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql ({e}). {INSTALL_HINT}"));
    assert!(
        output.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A PostgreSQL cluster of its own, for tests that stop and start the database under a
/// running server (the shared cluster must stay up for the other tests). Stopped on drop.
pub struct PrivateCluster {
    bin: PathBuf,
    dir: PathBuf,
    socket: PathBuf,
}

impl PrivateCluster {
    pub fn start() -> Self {
        let bin = server_bin_dir();
        // Apart from the shared cluster's directory, which its start-up cleans.
        let root = clusters_root("governance-pg-private");
        remove_stale_clusters(&root);
        let dir = root.join(format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ));
        let socket = dir.join("socket");
        std::fs::create_dir_all(&socket).expect("create the cluster directory");
        let dir = dir.canonicalize().expect("cluster directory");
        let socket = socket.canonicalize().expect("socket directory");
        init_cluster(&bin, &dir, &dir.join("data"));
        let cluster = PrivateCluster { bin, dir, socket };
        cluster.up();
        cluster
    }

    fn pg_ctl(&self, args: &[&str]) {
        let output = server_command(&self.bin.join("pg_ctl"), false)
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(args)
            .output()
            .expect("pg_ctl runs");
        assert!(
            output.status.success(),
            "pg_ctl {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the server and waits until it accepts connections.
    pub fn up(&self) {
        let options = format!("-k {} -p 5432 -c listen_addresses=", self.socket.display());
        let log = self.dir.join("server.log");
        self.pg_ctl(&[
            "-w",
            "-t",
            "60",
            "-o",
            &options,
            "-l",
            log.to_str().unwrap(),
            "start",
        ]);
    }

    /// Stops the server (fast shutdown: connections are cut, like a database restart).
    pub fn down(&self) {
        self.pg_ctl(&["-w", "-t", "60", "-m", "fast", "stop"]);
    }

    /// The cluster's data directory (heap files, `pg_wal`, …).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The URL of the `postgres` database of this cluster.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@localhost:5432/postgres?host={}",
            self.socket.display()
        )
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = server_command(&self.bin.join("pg_ctl"), false)
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-w", "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
