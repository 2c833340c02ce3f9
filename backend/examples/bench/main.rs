//! `make bench`: measures Reel against the machine it runs on, in one run, so the figures are
//! ratios rather than absolute numbers a noisy machine would distort.
//!
//! Upload: one 1 GiB video over loopback to local disk (one streaming PATCH, then 8 MiB
//! PATCHes) against `dd` writing the same bytes to the same disk with one final fdatasync; and
//! 16 concurrent 256 MiB uploads with the server's peak RSS. Delete: the server's latency
//! with 50 `DELETE`s in flight on SQLite (p50/p99). Upload timings are medians of five runs.
//! S3 (when `REEL_TEST_S3` names the local S3 servers): the same 1 GiB upload to moto through
//! Reel, to local disk, and straight to moto with rusoto, in turn, as ratios (median of three),
//! and 16 concurrent uploads' RSS. PostgreSQL (`postgres.rs`, when the test server at
//! 127.0.0.1:5432 answers): deletes spread over two instances, and an upload whose PATCHes
//! alternate between them against the same upload on one. Usage: `cargo run --release -p
//! backend --example bench [-- --quick | --deletes-only | --s3-only [rss] | --pg-only |
//! --posters-only]`. Posters (`posters.rs`): the server's poster and strip of a 10-minute
//! video against decoding the whole video.

mod cpu;
mod posters;
mod postgres;

use anyhow::{bail, Context};
use base64::Engine;
use rand::RngCore;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;
const PASSWORD: &str = "bench-password-1";

fn main() -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(run())
}

struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
    chapter: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A valid MP4 of exactly `size` bytes: the fixture's `ftyp` and `moov`, then an `mdat` of
/// random bytes (random, so nothing on the way can compress it).
fn make_video(path: &Path, size: u64) -> anyhow::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == size) {
        return Ok(());
    }
    let clip = std::fs::read(root().join("backend/tests/fixtures/clip.mp4"))?;
    let mut head = Vec::new();
    let mut pos = 0;
    while pos + 8 <= clip.len() {
        let len = u32::from_be_bytes(clip[pos..pos + 4].try_into()?) as usize;
        if &clip[pos + 4..pos + 8] == b"ftyp" || &clip[pos + 4..pos + 8] == b"moov" {
            head.extend_from_slice(&clip[pos..pos + len]);
        }
        pos += len;
    }
    let body = size - head.len() as u64 - 16;
    let mut file = std::io::BufWriter::with_capacity(8 << 20, std::fs::File::create(path)?);
    file.write_all(&head)?;
    file.write_all(&1u32.to_be_bytes())?;
    file.write_all(b"mdat")?;
    file.write_all(&(body + 16).to_be_bytes())?;
    let mut rng = rand::thread_rng();
    let mut block = vec![0u8; 8 << 20];
    let mut left = body;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        rng.fill_bytes(&mut block[..n]);
        file.write_all(&block[..n])?;
        left -= n as u64;
    }
    file.into_inner()?.sync_all()?;
    Ok(())
}

/// `dd` of the same file onto the same disk, one fdatasync at the end; returns MB/s.
fn dd(src: &Path, dir: &Path) -> anyhow::Result<f64> {
    let out = dir.join("dd.out");
    let size = std::fs::metadata(src)?.len();
    let start = Instant::now();
    let status = Command::new("dd")
        .arg(format!("if={}", src.display()))
        .arg(format!("of={}", out.display()))
        .args(["bs=8M", "conv=fdatasync"])
        .stderr(Stdio::null())
        .status()?;
    let secs = start.elapsed().as_secs_f64();
    std::fs::remove_file(&out)?;
    if !status.success() {
        bail!("dd failed");
    }
    Ok(size as f64 / 1e6 / secs)
}

async fn start_server(dir: &Path) -> anyhow::Result<Server> {
    start_server_with(dir, &[]).await
}

/// A server with more environment (S3 settings).
async fn start_server_with(dir: &Path, env: &[(String, String)]) -> anyhow::Result<Server> {
    start_server_at(&dir.join(format!("data-{}", rand::random::<u32>())), env).await
}

/// A server on data directory `data` (several instances may share one).
async fn start_server_at(data: &Path, env: &[(String, String)]) -> anyhow::Result<Server> {
    let port = free_port()?;
    let child = Command::new(root().join("target/release/reel"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["serve", "--demo"])
        .env("REEL_BIND", format!("127.0.0.1:{port}"))
        .env("REEL_DATA_DIR", data)
        .env("REEL_DEMO_PASSWORD", PASSWORD)
        .env("REEL_MAX_UPLOAD_BYTES", (4u64 << 30).to_string())
        // The delete benchmark creates thousands of unfinished uploads at once.
        .env("REEL_MAX_ACTIVE_UPLOADS", "100000")
        .env("REEL_WEB_DIR", root().join("dist"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("start target/release/reel (run `make build` first)")?;
    let base = format!("http://127.0.0.1:{port}");
    // Idle connections go before the server's 5 s keep-alive closes them (a dd run can take
    // longer than that), so no request is sent on a socket the server is closing.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_idle_timeout(Duration::from_secs(2))
        .build()?;
    for _ in 0..100 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let login = client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "email": "demo@reel.local", "password": PASSWORD }))
        .send()
        .await?;
    if !login.status().is_success() {
        bail!("bench sign-in failed: {}", login.status());
    }
    let courses: serde_json::Value = client
        .get(format!("{base}/api/courses"))
        .send()
        .await?
        .json()
        .await?;
    let chapter = courses[0]["chapters"][0]["id"]
        .as_str()
        .context("demo chapter")?
        .to_string();
    Ok(Server {
        child,
        base,
        client,
        chapter,
    })
}

impl Server {
    async fn create(&self, size: u64) -> anyhow::Result<(String, String)> {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let res = self
            .client
            .post(format!("{}/api/uploads", self.base))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", size.to_string())
            .header(
                "Upload-Metadata",
                format!(
                    "filename {},filetype {},chapter_id {}",
                    b64("bench.mp4"),
                    b64("video/mp4"),
                    b64(&self.chapter)
                ),
            )
            .send()
            .await?;
        if res.status() != 201 {
            bail!("create: {} {}", res.status(), res.text().await?);
        }
        let h = res.headers();
        Ok((
            h["location"].to_str()?.to_string(),
            h["reel-video-id"].to_str()?.to_string(),
        ))
    }

    async fn patch(&self, location: &str, offset: u64, body: reqwest::Body) -> anyhow::Result<()> {
        let res = self
            .client
            .patch(format!("{}{location}", self.base))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(body)
            .send()
            .await?;
        if res.status() != 204 {
            bail!("patch: {} {}", res.status(), res.text().await?);
        }
        Ok(())
    }

    /// Uploads `file` in PATCHes of `chunk` bytes (`None`: one streaming PATCH); returns seconds.
    async fn upload(&self, file: &Path, chunk: Option<u64>) -> anyhow::Result<(f64, String)> {
        let size = std::fs::metadata(file)?.len();
        let start = Instant::now();
        let (location, video) = self.create(size).await?;
        match chunk {
            None => {
                let f = tokio::fs::File::open(file).await?;
                let stream = futures_util::stream::unfold(f, |mut f| async move {
                    use tokio::io::AsyncReadExt;
                    let mut buf = vec![0u8; MIB as usize];
                    match f.read(&mut buf).await {
                        Ok(0) => None,
                        Ok(n) => {
                            buf.truncate(n);
                            Some((Ok::<_, std::io::Error>(buf), f))
                        }
                        Err(e) => Some((Err(e), f)),
                    }
                });
                self.patch(&location, 0, reqwest::Body::wrap_stream(stream))
                    .await?;
            }
            Some(chunk) => {
                use tokio::io::{AsyncReadExt, AsyncSeekExt};
                let mut f = tokio::fs::File::open(file).await?;
                let mut offset = 0;
                while offset < size {
                    let n = chunk.min(size - offset);
                    let mut buf = vec![0u8; n as usize];
                    f.seek(std::io::SeekFrom::Start(offset)).await?;
                    f.read_exact(&mut buf).await?;
                    self.patch(&location, offset, buf.into()).await?;
                    offset += n;
                }
            }
        }
        Ok((start.elapsed().as_secs_f64(), video))
    }

    async fn wait_ready(&self, video: &str) -> anyhow::Result<()> {
        for _ in 0..6000 {
            let v: serde_json::Value = self
                .client
                .get(format!("{}/api/videos/{video}", self.base))
                .send()
                .await?
                .json()
                .await?;
            match v["status"].as_str() {
                Some("ready") => return Ok(()),
                Some("failed") => bail!("bench video failed: {v}"),
                _ => actix_web::rt::time::sleep(Duration::from_millis(50)).await,
            }
        }
        bail!("bench video never became ready")
    }

    /// `VmHWM` (peak since start) or `VmRSS` (now), in MiB.
    fn rss_mib(&self, field: &str) -> anyhow::Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .context("no such /proc status field")?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()?;
        Ok(kb / 1024.0)
    }
}

impl Server {
    /// Creates `n` videos (tus creation only: rows, no bytes), then deletes them all with
    /// `in_flight` requests outstanding at any time; returns (p50 ms, p99 ms, deletes/s).
    async fn delete_latency(&self, n: usize, in_flight: usize) -> anyhow::Result<(f64, f64, f64)> {
        let (p50, p99, rate, _) = deletes_over(&[self], n, in_flight).await?;
        Ok((p50, p99, rate))
    }
}

/// Deletes `n` fresh videos with `in_flight` requests outstanding, each sent to the next of
/// `servers` in turn; returns (p50 ms, p99 ms, deletes/s, CPU per delete). A warm-up of
/// `2 × in_flight` deletes goes first, unmeasured: it opens the client's connections to each
/// server and lets each database connection prepare its statements, which a server that has
/// been up for a while has long done.
pub(crate) async fn deletes_over(
    servers: &[&Server],
    n: usize,
    in_flight: usize,
) -> anyhow::Result<(f64, f64, f64, cpu::Cpu)> {
    let warm_up = 2 * in_flight;
    let mut ids = Vec::with_capacity(n + warm_up);
    for chunk in (0..n + warm_up).collect::<Vec<_>>().chunks(50) {
        let made =
            futures_util::future::try_join_all(chunk.iter().map(|_| servers[0].create(1_000_000)))
                .await?;
        ids.extend(made.into_iter().map(|(_, id)| id));
    }
    let measured = ids.split_off(warm_up);
    delete_all(servers, ids, in_flight).await?;
    let pids: Vec<u32> = servers.iter().map(|s| s.child.id()).collect();
    let cpu_before = cpu::now(&pids);
    let start = Instant::now();
    let mut l = delete_all(servers, measured, in_flight).await?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_before.per_op_ms(&cpu::now(&pids), n);
    eprintln!("bench: {}", cpu.describe());
    l.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| l[((l.len() as f64 * q).ceil() as usize).clamp(1, l.len()) - 1];
    Ok((pick(0.50), pick(0.99), n as f64 / secs, cpu))
}

/// Deletes `ids` with `in_flight` requests outstanding, spread over `servers` in turn; the
/// latency of each (ms).
async fn delete_all(
    servers: &[&Server],
    ids: Vec<String>,
    in_flight: usize,
) -> anyhow::Result<Vec<f64>> {
    let latencies = std::cell::RefCell::new(Vec::with_capacity(ids.len()));
    let queue = std::cell::RefCell::new(ids);
    let turn = std::cell::Cell::new(0usize);
    let worker = || async {
        loop {
            let Some(id) = queue.borrow_mut().pop() else {
                return Ok::<_, anyhow::Error>(());
            };
            let server = servers[turn.get() % servers.len()];
            turn.set(turn.get() + 1);
            let t0 = Instant::now();
            let res = server
                .client
                .delete(format!("{}/api/videos/{id}", server.base))
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "delete: {}", res.status());
            latencies
                .borrow_mut()
                .push(t0.elapsed().as_secs_f64() * 1000.0);
        }
    };
    futures_util::future::try_join_all((0..in_flight).map(|_| worker())).await?;
    Ok(latencies.into_inner())
}

/// 16 uploads of `file` at once: seconds, peak RSS in flight, idle RSS, VmHWM (MiB).
async fn concurrent(server: &Server, file: &Path) -> anyhow::Result<(f64, f64, f64, f64)> {
    let idle_rss = server.rss_mib("VmRSS:")?;
    let start = Instant::now();
    let uploads = (0..16).map(|_| server.upload(file, Some(8 * MIB)));
    // Sample the server's resident memory while the uploads are in flight.
    let sampling = std::cell::Cell::new(0.0f64);
    let sampler = async {
        loop {
            if let Ok(now) = server.rss_mib("VmRSS:") {
                sampling.set(sampling.get().max(now));
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let done = tokio::select! {
        done = futures_util::future::try_join_all(uploads) => done?,
        () = sampler => unreachable!(),
    };
    let secs = start.elapsed().as_secs_f64();
    for (_, video) in &done {
        server.wait_ready(video).await?;
    }
    Ok((secs, sampling.get(), idle_rss, server.rss_mib("VmHWM:")?))
}

/// The peer: the same file sent straight to S3 by a plain rusoto multipart upload (5 MiB
/// parts, one at a time, like Reel's), timed from create to complete.
fn direct_upload(
    settings: &reel::services::storage::S3Settings,
    file: &Path,
) -> anyhow::Result<f64> {
    use reel::services::storage::s3::testing;
    use rusoto_s3::S3;
    let (bucket, path) = (settings.bucket.clone(), file.to_path_buf());
    let endpoint = settings.endpoint.clone().unwrap_or_default();
    testing::with_client(&endpoint, move |client| async move {
        use std::io::Read;
        let key = format!("peer/{}", rand::random::<u32>());
        let start = Instant::now();
        let id = client
            .create_multipart_upload(rusoto_s3::CreateMultipartUploadRequest {
                bucket: bucket.clone(),
                key: key.clone(),
                ..Default::default()
            })
            .await?
            .upload_id
            .context("upload id")?;
        let mut file = std::fs::File::open(&path)?;
        let mut parts = Vec::new();
        loop {
            let mut buf = vec![0u8; 5 << 20];
            let mut n = 0;
            while n < buf.len() {
                let got = file.read(&mut buf[n..])?;
                if got == 0 {
                    break;
                }
                n += got;
            }
            if n == 0 {
                break;
            }
            buf.truncate(n);
            let number = parts.len() as i64 + 1;
            let etag = client
                .upload_part(rusoto_s3::UploadPartRequest {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    upload_id: id.clone(),
                    part_number: number,
                    content_length: Some(n as i64),
                    body: Some(buf.into()),
                    ..Default::default()
                })
                .await?
                .e_tag;
            parts.push(rusoto_s3::CompletedPart {
                e_tag: etag,
                part_number: Some(number),
            });
        }
        client
            .complete_multipart_upload(rusoto_s3::CompleteMultipartUploadRequest {
                bucket,
                key,
                upload_id: id,
                multipart_upload: Some(rusoto_s3::CompletedMultipartUpload { parts: Some(parts) }),
                ..Default::default()
            })
            .await?;
        Ok(start.elapsed().as_secs_f64())
    })
}

/// The same 1 GiB upload to local disk, to S3 through Reel and straight to S3 (moto over
/// loopback: s3s-fs cannot hold Reel's full-length keys in a multipart upload), in turn, and
/// 16 concurrent uploads to S3 with the server's RSS. Returns the table rows.
async fn s3_rows(
    dir: &Path,
    big_file: &Path,
    small_file: &Path,
    runs: usize,
) -> anyhow::Result<Vec<String>> {
    use reel::services::storage::s3::testing;
    let settings = testing::fresh_bucket(&testing::server("moto"), dir);
    let env = vec![
        ("REEL_STORAGE".to_string(), "s3".to_string()),
        ("REEL_S3_BUCKET".to_string(), settings.bucket.clone()),
        (
            "REEL_S3_ENDPOINT".to_string(),
            settings.endpoint.clone().unwrap_or_default(),
        ),
        ("REEL_S3_PREFIX".to_string(), "bench/".to_string()),
    ];
    let big = std::fs::metadata(big_file)?.len();
    let mb = big as f64 / 1e6;
    let local = start_server(dir).await?;
    let s3 = start_server_with(dir, &env).await?;
    let (mut local_rates, mut s3_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut peer_rates, mut peer_ratios) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        eprintln!("bench: S3 upload run {run}/{runs}");
        let (local_secs, video) = local.upload(big_file, None).await?;
        local.wait_ready(&video).await?;
        let (s3_secs, video) = s3.upload(big_file, None).await?;
        s3.wait_ready(&video).await?;
        let peer_secs = direct_upload(&settings, big_file)?;
        peer_rates.push(mb / peer_secs);
        peer_ratios.push(peer_secs / s3_secs);
        local_rates.push(mb / local_secs);
        s3_rates.push(mb / s3_secs);
        ratios.push(local_secs / s3_secs);
    }
    drop(local);
    drop(s3);
    let mut rows = Vec::new();
    if runs > 0 {
        rows.push(format!(
            "| upload {} MiB to S3 (moto on loopback), one streaming PATCH | median {:.0} MB/s; local disk beside it {:.0} MB/s; ratio S3 / local: median **{:.2}** (runs {:.2}–{:.2}) |",
            big / MIB,
            median(s3_rates.clone()),
            median(local_rates),
            median(ratios.clone()),
            ratios.iter().copied().fold(f64::MAX, f64::min),
            ratios.iter().copied().fold(0.0, f64::max),
        ));
        rows.push(format!(
            "| the same {} MiB sent straight to moto by rusoto (5 MiB parts, no Reel) | median {:.0} MB/s; ratio Reel / direct: median **{:.2}** (runs {:.2}–{:.2}) |",
            big / MIB,
            median(peer_rates),
            median(peer_ratios.clone()),
            peer_ratios.iter().copied().fold(f64::MAX, f64::min),
            peer_ratios.iter().copied().fold(0.0, f64::max),
        ));
    }
    eprintln!("bench: 16 concurrent uploads to S3");
    let s3 = start_server_with(dir, &env).await?;
    let _ = small_file;
    // 64 MiB each: moto keeps every byte in its own memory.
    let small_file = dir.join("video-64mib.mp4");
    make_video(&small_file, 64 * MIB)?;
    let small = 64 * MIB;
    let (secs, in_flight, idle_rss, peak) = concurrent(&s3, &small_file).await?;
    rows.push(format!(
            "| 16 concurrent {} MiB uploads to S3 (8 MiB PATCHes) | {:.0} MB/s total; server RSS peak in flight **{in_flight:.1} MiB** (idle {idle_rss:.1} MiB, VmHWM {peak:.1} MiB) |",
            small / MIB,
            16.0 * small as f64 / 1e6 / secs
        ));
    Ok(rows)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn run() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    if std::env::args().any(|a| a == "--deletes-only") {
        let dir = root().join("target/bench");
        std::fs::create_dir_all(&dir)?;
        let server = start_server(&dir).await?;
        let (p50, p99, rate) = server.delete_latency(2000, 50).await?;
        println!("| 2000 `DELETE /api/videos/{{id}}`, 50 in flight, SQLite | p50 {p50:.1} ms, p99 **{p99:.1} ms**, {rate:.0} deletes/s |");
        return Ok(());
    }
    if std::env::args().any(|a| a == "--pg-only") {
        let dir = root().join("target/bench");
        std::fs::create_dir_all(&dir)?;
        let big_file = dir.join("video-1024mib.mp4");
        make_video(&big_file, 1024 * MIB)?;
        // `--pg-only deletes`: only the delete rows.
        let runs = if std::env::args().any(|a| a == "deletes") {
            0
        } else {
            3
        };
        for row in postgres::rows(&dir, &big_file, 2000, runs).await? {
            println!("{row}");
        }
        return Ok(());
    }
    if std::env::args().any(|a| a == "--posters-only") {
        let dir = root().join("target/bench");
        std::fs::create_dir_all(&dir)?;
        for row in posters::rows(&dir, 5).await? {
            println!("{row}");
        }
        return Ok(());
    }
    if std::env::args().any(|a| a == "--s3-only") {
        // Only the S3 rows, one upload run (for a quick re-measure).
        let dir = root().join("target/bench");
        std::fs::create_dir_all(&dir)?;
        let big_file = dir.join("video-1024mib.mp4");
        make_video(&big_file, 1024 * MIB)?;
        // `--s3-only rss`: only the 16 concurrent uploads.
        let runs = usize::from(!std::env::args().any(|a| a == "rss"));
        for row in s3_rows(&dir, &big_file, &big_file, runs).await? {
            println!("{row}");
        }
        return Ok(());
    }
    let (big, small, runs) = if quick {
        (128 * MIB, 32 * MIB, 1)
    } else {
        (1024 * MIB, 256 * MIB, 5)
    };
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let big_file = dir.join(format!("video-{}mib.mp4", big / MIB));
    let small_file = dir.join(format!("video-{}mib.mp4", small / MIB));
    eprintln!(
        "bench: preparing {} MiB and {} MiB videos",
        big / MIB,
        small / MIB
    );
    make_video(&big_file, big)?;
    make_video(&small_file, small)?;
    let mb = big as f64 / 1e6;

    // Each upload is paired with a dd run just before it and compared with that one: this disk's
    // speed drifts a lot within a minute, so only side-by-side ratios mean something.
    let (mut dd_rates, mut stream_rates, mut chunked_rates) = (Vec::new(), Vec::new(), Vec::new());
    let (mut stream_ratios, mut chunked_ratios) = (Vec::new(), Vec::new());
    let server = start_server(&dir).await?;
    for run in 1..=runs {
        eprintln!("bench: upload run {run}/{runs}");
        let disk = dd(&big_file, &dir)?;
        let (secs, video) = server.upload(&big_file, None).await?;
        server.wait_ready(&video).await?;
        stream_rates.push(mb / secs);
        stream_ratios.push(mb / secs / disk);
        dd_rates.push(disk);
        let disk = dd(&big_file, &dir)?;
        let (secs, video) = server.upload(&big_file, Some(8 * MIB)).await?;
        server.wait_ready(&video).await?;
        chunked_rates.push(mb / secs);
        chunked_ratios.push(mb / secs / disk);
        dd_rates.push(disk);
    }
    drop(server);

    eprintln!("bench: 16 concurrent uploads of {} MiB", small / MIB);
    let server = start_server(&dir).await?;
    let (secs, in_flight, idle_rss, lifetime_peak) = concurrent(&server, &small_file).await?;
    drop(server);

    let deletes = if quick { 200 } else { 2000 };
    eprintln!("bench: {deletes} deletes, 50 in flight");
    let server = start_server(&dir).await?;
    let (p50, p99, rate) = server.delete_latency(deletes, 50).await?;
    drop(server);

    // S3, when the local S3 servers run (scripts/bench.sh starts them).
    let s3 = if std::env::var("REEL_TEST_S3").is_ok() {
        s3_rows(&dir, &big_file, &small_file, runs.min(3)).await?
    } else {
        eprintln!("bench: REEL_TEST_S3 is not set; no S3 figures");
        Vec::new()
    };

    let pg = if postgres::available() {
        postgres::rows(&dir, &big_file, deletes, runs.min(3)).await?
    } else {
        eprintln!("bench: no PostgreSQL at 127.0.0.1:5432; no PostgreSQL figures");
        Vec::new()
    };

    let pictures = posters::rows(&dir, runs).await?;

    let spread = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        format!("{lo:.2}–{hi:.2}")
    };
    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "| dd, {} MiB, bs=8M, one final fdatasync | median {:.0} MB/s (range {:.0}–{:.0}) |",
        big / MIB,
        median(dd_rates.clone()),
        dd_rates.iter().copied().fold(f64::MAX, f64::min),
        dd_rates.iter().copied().fold(0.0, f64::max)
    );
    println!(
        "| upload {} MiB, one streaming PATCH | median {:.0} MB/s; ratio to the dd run beside it: median **{:.2}** (runs {}) |",
        big / MIB,
        median(stream_rates),
        median(stream_ratios.clone()),
        spread(&stream_ratios)
    );
    println!(
        "| upload {} MiB, 8 MiB PATCHes | median {:.0} MB/s; ratio to the dd run beside it: median **{:.2}** (runs {}) |",
        big / MIB,
        median(chunked_rates),
        median(chunked_ratios.clone()),
        spread(&chunked_ratios)
    );
    println!(
        "| 16 concurrent {} MiB uploads (8 MiB PATCHes) | {:.0} MB/s total; server RSS peak in flight {in_flight:.1} MiB (idle {idle_rss:.1} MiB, VmHWM over the whole life incl. sign-in and probing {lifetime_peak:.1} MiB) |",
        small / MIB,
        16.0 * small as f64 / 1e6 / secs
    );
    println!(
        "| {deletes} `DELETE /api/videos/{{id}}`, 50 in flight, SQLite | p50 {p50:.1} ms, p99 **{p99:.1} ms**, {rate:.0} deletes/s |"
    );
    for row in s3 {
        println!("{row}");
    }
    for row in pg {
        println!("{row}");
    }
    for row in pictures {
        println!("{row}");
    }
    println!(
        "\n(median of {runs} runs; {})",
        if quick { "quick mode" } else { "full mode" }
    );
    for entry in std::fs::read_dir(&dir)?.flatten() {
        if entry.file_name().to_string_lossy().starts_with("data-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}
