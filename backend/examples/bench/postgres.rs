//! The PostgreSQL figures: two instances on one fresh database and one data directory (the
//! machine's server at 127.0.0.1:5432, trust auth; the database is dropped afterwards).
//!
//! - Deletes: `n` videos, deleted with 50 requests in flight, each request sent to the next
//!   instance in turn (p50, p99), beside the same on one PostgreSQL instance.
//! - Upload: the 1 GiB video in 8 MiB PATCHes alternating between the instances, against the
//!   same upload all on one instance, in turn; the ratio of their rates (median of `runs`).

use super::{deletes_over, median, start_server_at, Server, MIB};
use reel::db::testing::TempDatabase;
use std::path::Path;
use std::time::Instant;

/// Whether the PostgreSQL test server answers.
pub fn available() -> bool {
    std::net::TcpStream::connect("127.0.0.1:5432").is_ok()
}

async fn pair(dir: &Path, db: &TempDatabase) -> anyhow::Result<(Server, Server)> {
    let data = dir.join(format!("data-pg-{}", rand::random::<u32>()));
    let env = vec![
        ("REEL_DATABASE_URL".to_string(), db.url().to_string()),
        ("REEL_SECRET_KEY".to_string(), "b3".repeat(32)),
        ("REEL_ALLOW_LOCAL_SHARED".to_string(), "1".to_string()),
    ];
    // One after the other: the first seeds the demo course the second then finds.
    let a = start_server_at(&data, &env).await?;
    let b = start_server_at(&data, &env).await?;
    Ok((a, b))
}

/// Uploads `file` in `chunk`-byte PATCHes, each to the next of `servers`; returns MB/s.
async fn upload_over(servers: &[&Server], file: &Path, chunk: u64) -> anyhow::Result<f64> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let size = std::fs::metadata(file)?.len();
    let start = Instant::now();
    let (location, video) = servers[0].create(size).await?;
    let mut f = tokio::fs::File::open(file).await?;
    let (mut offset, mut n) = (0, 0);
    while offset < size {
        let len = chunk.min(size - offset);
        let mut buf = vec![0u8; len as usize];
        f.seek(std::io::SeekFrom::Start(offset)).await?;
        f.read_exact(&mut buf).await?;
        servers[n % servers.len()]
            .patch(&location, offset, buf.into())
            .await?;
        offset += len;
        n += 1;
    }
    let rate = size as f64 / 1e6 / start.elapsed().as_secs_f64();
    servers[0].wait_ready(&video).await?;
    Ok(rate)
}

/// The PostgreSQL rows for BENCHMARKS.md.
pub async fn rows(
    dir: &Path,
    big_file: &Path,
    deletes: usize,
    runs: usize,
) -> anyhow::Result<Vec<String>> {
    let db = TempDatabase::create()?;
    let (a, b) = pair(dir, &db).await?;
    eprintln!("bench: PostgreSQL, {deletes} deletes on one instance, then over two");
    let (p50_one, p99_one, rate_one, cpu_one) = deletes_over(&[&a], deletes, 50).await?;
    let (p50, p99, rate, cpu) = deletes_over(&[&a, &b], deletes, 50).await?;
    let (mut ratios, mut alternating, mut single) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        eprintln!("bench: PostgreSQL upload run {run}/{runs}");
        let one = upload_over(&[&a], big_file, 8 * MIB).await?;
        let two = upload_over(&[&a, &b], big_file, 8 * MIB).await?;
        ratios.push(two / one);
        alternating.push(two);
        single.push(one);
    }
    let mib = std::fs::metadata(big_file)?.len() / MIB;
    let mut rows = vec![
        format!("| {deletes} `DELETE /api/videos/{{id}}`, 50 in flight, PostgreSQL, one instance | p50 {p50_one:.1} ms, p99 {p99_one:.1} ms, {rate_one:.0} deletes/s; {} |", cpu_one.describe()),
        format!("| {deletes} `DELETE /api/videos/{{id}}`, 50 in flight, PostgreSQL, spread over two instances | p50 {p50:.1} ms, p99 **{p99:.1} ms**, {rate:.0} deletes/s; {} |", cpu.describe()),
    ];
    if runs > 0 {
        rows.push(format!(
            "| upload {mib} MiB in 8 MiB PATCHes alternating between two instances (PostgreSQL) vs all on one | {:.0} vs {:.0} MB/s; ratio median **{:.2}** (runs {}) |",
            median(alternating),
            median(single),
            median(ratios.clone()),
            ratios.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(rows)
}
