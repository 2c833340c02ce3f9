//! Posters: what making a 10-minute 720p lecture's poster and thumbnail strip costs the server
//! (`Posters::make`, the code the server runs), against ffmpeg decoding the whole video for
//! the strip alone (how the strip was first made, and what a naive peer does). In turn, five
//! times each; medians and the ratio of each pair.

use reel::services::media::Posters;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const SECONDS: u32 = 600;

/// A 10-minute 1280×720 H.264 video at 30 frames a second (made once, kept in `dir`).
fn lecture(dir: &Path) -> anyhow::Result<PathBuf> {
    let path = dir.join("lecture-10min-720p.mp4");
    if path.exists() {
        return Ok(path);
    }
    eprintln!("bench: making a 10-minute 720p video with ffmpeg (a minute or two)");
    let partial = dir.join("lecture.partial.mp4");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size=1280x720:rate=30:duration={SECONDS}"))
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&partial)
        .status()?;
    anyhow::ensure!(status.success(), "ffmpeg could not make the video");
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// The strip by decoding every frame, timed.
fn whole_decode(video: &Path) -> anyhow::Result<f64> {
    let start = Instant::now();
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(video)
        .arg("-vf")
        .arg(format!("fps=10/{SECONDS},scale=160:-2,tile=10x1"))
        .args(["-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", "pipe:1"])
        .output()?;
    anyhow::ensure!(
        out.status.success() && !out.stdout.is_empty(),
        "ffmpeg failed"
    );
    Ok(start.elapsed().as_secs_f64())
}

/// The figure's row for BENCHMARKS.md, or none without ffmpeg.
pub async fn rows(dir: &Path, runs: usize) -> anyhow::Result<Vec<String>> {
    let Some(posters) = Posters::detect("ffmpeg") else {
        eprintln!("bench: no ffmpeg; no poster figures");
        return Ok(Vec::new());
    };
    let video = lecture(dir)?;
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        eprintln!("bench: posters run {run}/{runs}");
        let start = Instant::now();
        let pictures = posters
            .make(&video, Some(i64::from(SECONDS) * 1000))
            .await
            .map_err(anyhow::Error::msg)?;
        anyhow::ensure!(!pictures.strip.is_empty(), "no strip");
        let made = start.elapsed().as_secs_f64();
        let decoded = whole_decode(&video)?;
        ratios.push(made / decoded);
        ours.push(made);
        theirs.push(decoded);
    }
    Ok(vec![format!(
        "| poster and strip of a 10-minute 720p video | median {:.2} s; the strip alone by decoding the whole video: median {:.2} s; ratio median **{:.3}** |",
        super::median(ours),
        super::median(theirs),
        super::median(ratios)
    )])
}
