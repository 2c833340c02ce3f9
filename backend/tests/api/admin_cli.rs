//! The `reel admin` commands, run as the binary operators use.

use std::io::Write;
use std::process::{Command, Stdio};

fn reel(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(args)
        .env("REEL_DATA_DIR", data_dir)
        .env_remove("REEL_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reel runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    child.wait_with_output().expect("exits")
}

#[test]
fn create_instructor_and_create_course_print_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = reel(
        dir.path(),
        &[
            "admin",
            "create-instructor",
            "--email",
            "Ada@Example.com",
            "--name",
            "Ada",
        ],
        "s3cret-password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let who: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(who["email"], "ada@example.com");
    assert!(who["id"].is_string());
    assert!(who.get("password_hash").is_none());

    let out = reel(
        dir.path(),
        &[
            "admin",
            "create-course",
            "--owner",
            "ada@example.com",
            "--title",
            "Rust",
            "--chapter",
            "One",
            "--chapter",
            "Two",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let course: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(course["course_id"].is_string());
    let chapters = course["chapters"].as_array().expect("chapters");
    assert_eq!(chapters.len(), 2);
    assert_eq!(chapters[1]["title"], "Two");
    assert!(chapters[0]["id"].is_string());
}

#[test]
fn bad_admin_input_fails_with_a_message_and_exit_code_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let short = reel(
        dir.path(),
        &[
            "admin",
            "create-instructor",
            "--email",
            "a@b.c",
            "--name",
            "A",
        ],
        "short\n",
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8"));

    let orphan = reel(
        dir.path(),
        &[
            "admin",
            "create-course",
            "--owner",
            "nobody@b.c",
            "--title",
            "T",
        ],
        "",
    );
    assert_eq!(orphan.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&orphan.stderr).contains("no instructor"));

    reel(
        dir.path(),
        &[
            "admin",
            "create-instructor",
            "--email",
            "a@b.c",
            "--name",
            "A",
        ],
        "long-enough-1\n",
    );
    let twice = reel(
        dir.path(),
        &[
            "admin",
            "create-instructor",
            "--email",
            "A@b.c",
            "--name",
            "A",
        ],
        "long-enough-2\n",
    );
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));
}

#[actix_web::test]
async fn the_demo_seed_runs_only_on_an_empty_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pool = reel::db::connect(&dir.path().join("reel.db").to_string_lossy()).expect("db");
    let first = reel::admin::seed_demo(&pool, None).await.expect("seeded");
    assert!(first.is_some_and(|p| p.len() >= 12));
    let second = reel::admin::seed_demo(&pool, None).await.expect("checked");
    assert!(second.is_none());
}

#[test]
fn serve_shuts_down_cleanly_on_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
        .arg("serve")
        .env("REEL_DATA_DIR", dir.path())
        .env("REEL_BIND", "127.0.0.1:0")
        .env("REEL_WEB_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("reel runs");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    assert!(
        line.starts_with("Reel is listening on http://127.0.0.1:"),
        "{line}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());

    let started = std::time::Instant::now();
    loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            assert!(exit.success(), "exited with {exit}");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "did not stop after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn set_password_prints_json_and_refuses_unknown_accounts_and_short_passwords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = reel(
        dir.path(),
        &[
            "admin",
            "create-instructor",
            "--email",
            "ada@example.com",
            "--name",
            "Ada",
        ],
        "s3cret-password\n",
    );
    assert!(created.status.success());

    let out = reel(
        dir.path(),
        &["admin", "set-password", "--email", "ADA@example.com"],
        "another-passphrase\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let changed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(changed["sessions_ended"], 0);

    let unknown = reel(
        dir.path(),
        &["admin", "set-password", "--email", "nobody@example.com"],
        "another-passphrase\n",
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no instructor has email"));
    let short = reel(
        dir.path(),
        &["admin", "set-password", "--email", "ada@example.com"],
        "short\n",
    );
    assert!(!short.status.success());
}

#[test]
fn lti_platforms_are_added_listed_and_removed_and_bad_input_is_said() {
    let dir = tempfile::tempdir().expect("tempdir");
    let add = [
        "admin",
        "add-lti-platform",
        "--issuer",
        "https://canvas.example.edu",
        "--client-id",
        "10000000000001",
        "--deployment-id",
        "1:abc",
        "--deployment-id",
        "2:def",
        "--auth-url",
        "https://canvas.example.edu/api/lti/authorize_redirect",
        "--jwks-url",
        "https://canvas.example.edu/api/lti/security/jwks",
        "--frame-origin",
        "https://Canvas.Example.edu",
    ];
    let out = reel(dir.path(), &add, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(added["login_url"], "/lti/login");
    assert_eq!(added["launch_url"], "/lti/launch");
    assert_eq!(added["jwks_url"], "/lti/jwks");
    assert_eq!(added["deep_link_url"], "/lti/launch");
    assert_eq!(added["frame_origins"][0], "https://canvas.example.edu");
    assert_eq!(added["deployment_ids"].as_array().expect("ids").len(), 2);

    // Absolute URLs when the public URL is known.
    let listed = Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(["admin", "list-lti-platforms"])
        .env("REEL_DATA_DIR", dir.path())
        .env("REEL_PUBLIC_URL", "https://reel.example.edu")
        .env_remove("REEL_DATABASE_URL")
        .output()
        .expect("runs");
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(listed[0]["login_url"], "https://reel.example.edu/lti/login");
    assert_eq!(listed[0]["client_id"], "10000000000001");

    // The same issuer and client twice, a bad URL, a path in a frame origin: said, not stored.
    let again = reel(dir.path(), &add, "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("registered already"));
    let mut bad = add.to_vec();
    bad[11] = "ftp://nope";
    bad[5] = "other-client";
    let out = reel(dir.path(), &bad, "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--auth-url must be an http"));
    let mut bad = add.to_vec();
    bad[15] = "https://lms.example.edu/course/1";
    bad[5] = "other-client";
    let out = reel(dir.path(), &bad, "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--frame-origin must be an origin"));

    let rotate = reel(dir.path(), &["admin", "rotate-lti-key"], "");
    assert!(rotate.status.success());
    let remove = [
        "admin",
        "remove-lti-platform",
        "--issuer",
        "https://canvas.example.edu",
        "--client-id",
        "10000000000001",
    ];
    assert!(reel(dir.path(), &remove, "").status.success());
    let out = reel(dir.path(), &remove, "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no platform"));
    let listed = reel(dir.path(), &["admin", "list-lti-platforms"], "");
    assert_eq!(String::from_utf8_lossy(&listed.stdout).trim(), "[]");
}
