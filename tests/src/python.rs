//! The Python tools the suite runs against the API: schemathesis, the schema-driven fuzzer,
//! installed into `tests/python/.venv` from the pinned `tests/python/requirements.txt` (once:
//! a copy of the requirements it was installed from stays beside it).

use std::path::PathBuf;

/// `tests/python`: the requirements and the fuzzer's hooks (`schema_fuzz.py`).
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python")
}

/// Makes sure the virtual environment holds the pinned requirements; answers its `bin`
/// directory. Test processes running at once take turns (a lock file), so that one
/// installs and the others find it installed.
pub fn tools() -> PathBuf {
    let dir = dir();
    let venv = dir.join(".venv");
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let requirements =
            std::fs::read(dir.join("requirements.txt")).expect("tests/python/requirements.txt");
        let lock = std::fs::File::create(dir.join(".venv.lock")).expect("the install lock");
        lock.lock().expect("take the install lock");
        let stamp = venv.join("installed-requirements.txt");
        if std::fs::read(&stamp).ok().as_deref() == Some(&requirements[..]) {
            return;
        }
        let run = |program: &std::path::Path, args: &[&str], what: &str| {
            let output = std::process::Command::new(program)
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap_or_else(|e| {
                    panic!("{what}: cannot run {} ({e}): install Python 3 with its venv module (Debian: python3-venv)", program.display())
                });
            assert!(
                output.status.success(),
                "{what} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        };
        run(
            std::path::Path::new("python3"),
            &["-m", "venv", "--clear", ".venv"],
            "creating tests/python/.venv",
        );
        run(
            &venv.join("bin").join("pip"),
            &[
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "-r",
                "requirements.txt",
            ],
            "installing tests/python/requirements.txt",
        );
        std::fs::write(&stamp, &requirements).expect("note what was installed");
    });
    venv.join("bin")
}
