//! Configuration: defaults, then `REEL_*` environment variables (DESIGN.md lists them).
//! Secrets live in [`SecretKey`], which never prints.

use anyhow::{bail, Context};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// S3's smallest part of a multipart upload but the last: 5 MiB.
pub const S3_MIN_PART_BYTES: u64 = 5 * 1024 * 1024;

/// Which storage provider holds the video bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageKind {
    /// Files under the data directory.
    Local,
    /// An S3-compatible bucket.
    S3,
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one.
    pub bind: String,
    /// Where the SQLite database, the secret key and local video files live.
    pub data_dir: PathBuf,
    /// Database URL; `None` means `reel.db` in the data directory.
    pub database_url: Option<String>,
    /// Storage provider.
    pub storage: StorageKind,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// How long an unfinished upload may sit before it expires.
    pub upload_expiry_secs: u64,
    /// How long a deleted video can be restored.
    pub delete_grace_secs: u64,
    /// How long an access token lasts (`POST /api/auth/refresh`, for browsers inside an LMS
    /// that keep no cookie).
    pub access_token_secs: u64,
    /// The ffmpeg that makes posters (`REEL_FFMPEG`, looked up on the PATH); posters are off
    /// when it does not run.
    pub ffmpeg: String,
    /// Key for session and URL signing; `None` means load or generate it in the data directory.
    pub secret_key: Option<SecretKey>,
    /// The built browser app (Trunk's `dist`).
    pub web_dir: PathBuf,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// Other origins (LMS pages embedding the widget) allowed to call the API with CORS.
    pub allowed_origins: Vec<String>,
    /// The origin people reach Reel at (`REEL_PUBLIC_URL`, e.g. `https://reel.example.edu`):
    /// the app's own origin for CORS and for the cross-site check of state-changing
    /// requests. `None` (a development box) takes it from each request's `Host`.
    pub public_origin: Option<String>,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` is believed (`REEL_TRUSTED_PROXIES`,
    /// addresses or CIDRs); from anyone else those headers are the client's to invent.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How often the janitor runs.
    pub janitor_interval_secs: u64,
    /// Unfinished uploads one instructor may have at once.
    pub max_active_uploads: u64,
    /// Bytes one instructor's unfinished uploads may declare in all.
    pub max_active_upload_bytes: u64,
    /// Space local storage keeps free: an upload that would eat into it is refused at creation.
    pub min_free_bytes: u64,
    /// A PATCH body that sends nothing for this long is ended (its bytes so far kept).
    pub upload_idle_secs: u64,
    /// How long a PATCH holds its upload's lease without renewing it (renewed every fifth of
    /// it); a dead instance's upload can be resumed elsewhere after this.
    pub upload_lease_ms: u64,
    /// S3: the bucket (required with `REEL_STORAGE=s3`).
    pub s3_bucket: Option<String>,
    /// S3: the region.
    pub s3_region: String,
    /// S3: the URL of an S3-compatible server; `None` means AWS.
    pub s3_endpoint: Option<String>,
    /// S3: put before every key (`""` or ending in `/`).
    pub s3_prefix: String,
    /// S3: the smallest part; only a server that allows smaller parts than S3's 5 MiB (a
    /// test server) makes lowering it useful.
    pub s3_min_part_bytes: u64,
    /// S3: each call's timeout before it is retried.
    pub s3_timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            storage: StorageKind::Local,
            max_upload_bytes: 10 * 1024 * 1024 * 1024,
            upload_expiry_secs: 86_400,
            delete_grace_secs: 30,
            access_token_secs: 600,
            ffmpeg: "ffmpeg".into(),
            secret_key: None,
            web_dir: PathBuf::from("./dist"),
            cookie_secure: false,
            allowed_origins: Vec::new(),
            public_origin: None,
            trusted_proxies: Vec::new(),
            janitor_interval_secs: 60,
            max_active_uploads: 20,
            max_active_upload_bytes: 50 * 1024 * 1024 * 1024,
            min_free_bytes: 256 * 1024 * 1024,
            upload_idle_secs: 60,
            upload_lease_ms: 10_000,
            s3_bucket: None,
            s3_region: "us-east-1".into(),
            s3_endpoint: None,
            s3_prefix: String::new(),
            s3_min_part_bytes: S3_MIN_PART_BYTES,
            s3_timeout_secs: 30,
        }
    }
}

impl Config {
    /// Reads the `REEL_*` variables over the defaults.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Same as [`Config::from_env`] with any variable source (tests pass a map).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut config = Self::default();
        if let Some(v) = get("REEL_BIND") {
            config.bind = v;
        }
        if let Some(v) = get("REEL_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        config.database_url = get("REEL_DATABASE_URL").filter(|v| !v.is_empty());
        if let Some(v) = get("REEL_STORAGE") {
            config.storage = match v.as_str() {
                "local" => StorageKind::Local,
                "s3" => StorageKind::S3,
                other => bail!("REEL_STORAGE must be `local` or `s3`, not `{other}`"),
            };
        }
        if let Some(v) = get("REEL_MAX_UPLOAD_BYTES") {
            config.max_upload_bytes = parse_number("REEL_MAX_UPLOAD_BYTES", &v)?;
        }
        if let Some(v) = get("REEL_UPLOAD_EXPIRY_SECS") {
            config.upload_expiry_secs = parse_number("REEL_UPLOAD_EXPIRY_SECS", &v)?;
        }
        if let Some(v) = get("REEL_ACCESS_TOKEN_SECS") {
            config.access_token_secs = parse_number("REEL_ACCESS_TOKEN_SECS", &v)?.max(1);
        }
        if let Some(v) = get("REEL_DELETE_GRACE_SECS") {
            config.delete_grace_secs = parse_number("REEL_DELETE_GRACE_SECS", &v)?;
        }
        if let Some(v) = get("REEL_FFMPEG").filter(|v| !v.is_empty()) {
            config.ffmpeg = v;
        }
        if let Some(v) = get("REEL_SECRET_KEY").filter(|v| !v.is_empty()) {
            config.secret_key = Some(SecretKey::from_text(&v)?);
        }
        if let Some(v) = get("REEL_WEB_DIR") {
            config.web_dir = PathBuf::from(v);
        }
        if let Some(v) = get("REEL_ALLOWED_ORIGINS") {
            config.allowed_origins = v
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect();
        }
        if let Some(v) = get("REEL_PUBLIC_URL").filter(|v| !v.trim().is_empty()) {
            config.public_origin = Some(origin_of(v.trim())?);
        }
        if let Some(v) = get("REEL_TRUSTED_PROXIES") {
            config.trusted_proxies = parse_networks(&v)?;
        }
        if let Some(v) = get("REEL_JANITOR_INTERVAL_SECS") {
            config.janitor_interval_secs = parse_number("REEL_JANITOR_INTERVAL_SECS", &v)?.max(1);
        }
        if let Some(v) = get("REEL_MAX_ACTIVE_UPLOADS") {
            config.max_active_uploads = parse_number("REEL_MAX_ACTIVE_UPLOADS", &v)?;
        }
        if let Some(v) = get("REEL_MAX_ACTIVE_UPLOAD_BYTES") {
            config.max_active_upload_bytes = parse_number("REEL_MAX_ACTIVE_UPLOAD_BYTES", &v)?;
        }
        if let Some(v) = get("REEL_MIN_FREE_BYTES") {
            config.min_free_bytes = parse_number("REEL_MIN_FREE_BYTES", &v)?;
        }
        if let Some(v) = get("REEL_UPLOAD_IDLE_SECS") {
            config.upload_idle_secs = parse_number("REEL_UPLOAD_IDLE_SECS", &v)?.max(1);
        }
        if let Some(v) = get("REEL_UPLOAD_LEASE_MS") {
            config.upload_lease_ms = parse_number("REEL_UPLOAD_LEASE_MS", &v)?.max(100);
        }
        config.s3_bucket = get("REEL_S3_BUCKET").filter(|v| !v.trim().is_empty());
        if let Some(v) = get("REEL_S3_REGION").filter(|v| !v.trim().is_empty()) {
            config.s3_region = v;
        }
        if let Some(v) = get("REEL_S3_ENDPOINT").filter(|v| !v.trim().is_empty()) {
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                bail!("REEL_S3_ENDPOINT must be an http:// or https:// URL");
            }
            config.s3_endpoint = Some(v);
        }
        if let Some(v) = get("REEL_S3_PREFIX") {
            let v = v.trim_matches('/');
            if v.split('/').any(|part| part == "." || part == "..") {
                bail!("REEL_S3_PREFIX must not contain `.` or `..` segments");
            }
            config.s3_prefix = if v.is_empty() {
                String::new()
            } else {
                format!("{v}/")
            };
        }
        if let Some(v) = get("REEL_S3_MIN_PART_BYTES") {
            config.s3_min_part_bytes = parse_number("REEL_S3_MIN_PART_BYTES", &v)?.max(1);
        }
        if let Some(v) = get("REEL_S3_TIMEOUT_SECS") {
            config.s3_timeout_secs = parse_number("REEL_S3_TIMEOUT_SECS", &v)?.max(1);
        }
        if config.storage == StorageKind::S3 && config.s3_bucket.is_none() {
            bail!("REEL_STORAGE=s3 needs REEL_S3_BUCKET (the bucket that keeps the videos)");
        }
        if let Some(v) = get("REEL_COOKIE_SECURE") {
            config.cookie_secure = matches!(v.as_str(), "1" | "true" | "yes");
        }
        let shared_dir = get("REEL_ALLOW_LOCAL_SHARED").is_some_and(|v| v == "1");
        config.check_shared(shared_dir)?;
        Ok(config)
    }

    /// On PostgreSQL several instances may share the database, so they must share what the
    /// database does not hold: the signing key, and the videos (a bucket, or a directory
    /// every instance mounts, which `REEL_ALLOW_LOCAL_SHARED=1` says it is).
    fn check_shared(&self, local_dir_is_shared: bool) -> anyhow::Result<()> {
        let url = self.effective_database_url();
        if crate::db::Backend::of(&url) != crate::db::Backend::Postgres {
            return Ok(());
        }
        if self.secret_key.is_none() {
            bail!(
                "REEL_DATABASE_URL is PostgreSQL: set REEL_SECRET_KEY (64 hex digits), the same \
                 on every instance, so each one accepts the others' sessions and URLs"
            );
        }
        if self.storage == StorageKind::Local && !local_dir_is_shared {
            bail!(
                "REEL_DATABASE_URL is PostgreSQL but REEL_STORAGE is local: instances would \
                 each keep their own videos. Use REEL_STORAGE=s3, or set \
                 REEL_ALLOW_LOCAL_SHARED=1 if REEL_DATA_DIR is one directory every instance \
                 mounts"
            );
        }
        Ok(())
    }

    /// The database URL in effect.
    pub fn effective_database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| self.data_dir.join("reel.db").to_string_lossy().into_owned())
    }
}

/// The origin (`scheme://host[:port]`, lowercased, without a default port) of a public URL.
fn origin_of(url: &str) -> anyhow::Result<String> {
    let bad = || {
        anyhow::anyhow!("REEL_PUBLIC_URL must be an http:// or https:// URL such as https://reel.example.edu, not `{url}`")
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || authority.contains(char::is_whitespace) {
        return Err(bad());
    }
    let authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Ok(format!("{scheme}://{authority}"))
}

/// Comma-separated addresses and CIDRs; an address alone is a network of one.
fn parse_networks(value: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!("REEL_TRUSTED_PROXIES: `{part}` is neither an address nor a CIDR such as 10.0.0.0/8")
                })
        })
        .collect()
}

fn parse_number(name: &str, value: &str) -> anyhow::Result<u64> {
    value
        .trim()
        .parse()
        .with_context(|| format!("{name} must be a whole number, not `{value}`"))
}

/// The server's signing key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl AsRef<[u8]> for SecretKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl SecretKey {
    const FILE: &'static str = "secret.key";

    /// Parses a key given as text (hex, or any string of at least 32 bytes).
    pub fn from_text(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        let bytes = hex::decode(text).unwrap_or_else(|_| text.as_bytes().to_vec());
        if bytes.len() < 32 {
            bail!("REEL_SECRET_KEY must be at least 32 bytes (64 hex digits)");
        }
        Ok(Self(bytes))
    }

    /// The key bytes, for HMAC.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Loads `secret.key` from the data directory, creating it (mode 0600) on first run.
    pub fn load_or_generate(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(Self::FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => return Self::from_text(&text).context("the stored secret key is invalid"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context("cannot read the secret key"),
        }
        let mut bytes = [0u8; 32];
        rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .context("cannot create the secret key file")?;
        file.write_all(hex::encode(bytes).as_bytes())?;
        file.sync_all()?;
        Ok(Self(bytes.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_design() {
        let config = config_from(&[]).expect("defaults parse");
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.max_upload_bytes, 10 << 30);
        assert_eq!(config.upload_expiry_secs, 86_400);
        assert_eq!(config.delete_grace_secs, 30);
        assert_eq!(config.storage, StorageKind::Local);
        assert!(config.effective_database_url().ends_with("reel.db"));
    }

    #[test]
    fn environment_overrides_defaults() {
        let config = config_from(&[("REEL_BIND", "0.0.0.0:9"), ("REEL_DELETE_GRACE_SECS", "0")])
            .expect("parses");
        assert_eq!(config.bind, "0.0.0.0:9");
        assert_eq!(config.delete_grace_secs, 0);
    }

    #[test]
    fn the_public_url_gives_the_own_origin_and_proxies_are_addresses_or_networks() {
        let config = config_from(&[
            ("REEL_PUBLIC_URL", "HTTPS://Reel.Example.edu:443/app/"),
            ("REEL_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1"),
        ])
        .expect("valid");
        assert_eq!(
            config.public_origin.as_deref(),
            Some("https://reel.example.edu")
        );
        assert_eq!(config.trusted_proxies.len(), 3);
        assert!(config.trusted_proxies[1]
            .contains(&"127.0.0.1".parse::<std::net::IpAddr>().expect("ip")));
        let local = config_from(&[("REEL_PUBLIC_URL", "http://localhost:8080")]).expect("valid");
        assert_eq!(
            local.public_origin.as_deref(),
            Some("http://localhost:8080")
        );
        for bad in ["reel.example.edu", "ftp://x", "https://", "https://a@b"] {
            let error = config_from(&[("REEL_PUBLIC_URL", bad)])
                .expect_err(bad)
                .to_string();
            assert!(error.contains("REEL_PUBLIC_URL"), "{error}");
        }
        let error = config_from(&[("REEL_TRUSTED_PROXIES", "10.0.0.0/33")])
            .expect_err("a bad network")
            .to_string();
        assert!(error.contains("10.0.0.0/33"), "{error}");
    }

    #[test]
    fn a_bad_number_is_a_clear_error() {
        let err = config_from(&[("REEL_MAX_UPLOAD_BYTES", "lots")]).expect_err("rejected");
        assert!(err.to_string().contains("REEL_MAX_UPLOAD_BYTES"));
    }

    #[test]
    fn postgres_needs_a_shared_key_and_shared_videos() {
        let pg = ("REEL_DATABASE_URL", "postgres://reel@db/reel");
        let key = ("REEL_SECRET_KEY", "ab".repeat(32));
        let key = (key.0, key.1.as_str());
        let message = |vars: &[(&str, &str)]| config_from(vars).expect_err("refused").to_string();
        assert!(message(&[pg]).contains("REEL_SECRET_KEY"));
        assert!(message(&[pg, key]).contains("REEL_ALLOW_LOCAL_SHARED"));
        assert!(config_from(&[pg, key, ("REEL_ALLOW_LOCAL_SHARED", "1")]).is_ok());
        assert!(config_from(&[pg, key, ("REEL_STORAGE", "s3"), ("REEL_S3_BUCKET", "b")]).is_ok());
        assert!(config_from(&[("REEL_DATABASE_URL", "/srv/reel.db")]).is_ok());
    }

    #[test]
    fn a_short_secret_is_rejected_and_debug_never_shows_the_key() {
        assert!(config_from(&[("REEL_SECRET_KEY", "short")]).is_err());
        let key = SecretKey::from_text(&"ab".repeat(32)).expect("valid");
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }

    #[test]
    fn a_generated_secret_is_private_and_stable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = SecretKey::load_or_generate(dir.path()).expect("generated");
        let second = SecretKey::load_or_generate(dir.path()).expect("loaded");
        assert_eq!(first.expose(), second.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).expect("exists");
            assert_eq!(mode.permissions().mode() & 0o777, 0o600);
        }
    }
}
