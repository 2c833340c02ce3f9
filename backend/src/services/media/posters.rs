//! Posters and thumbnail strips, made with ffmpeg when it is installed: a poster frame about
//! 10 % into the video (past a black or title-card first frame) and a strip of small frames
//! across the whole video for hover-scrubbing in the list. Without ffmpeg the server runs as
//! before and the list shows a placeholder; start-up says so once.

use std::path::Path;
use std::process::Stdio;

/// The poster's name beside the video's source.
pub const POSTER: &str = "poster.jpg";
/// The thumbnail strip's name beside the video's source.
pub const STRIP: &str = "thumbnails.jpg";

/// How many frames a thumbnail strip has, left to right, evenly spread over the video.
pub const STRIP_FRAMES: u32 = 10;
/// Width of a poster, in pixels (smaller videos keep their own).
const POSTER_WIDTH: u32 = 640;
/// Width of one frame of the strip.
const STRIP_FRAME_WIDTH: u32 = 160;
/// ffmpeg stops itself after this many seconds of CPU time (`-timelimit`): a poster is never
/// worth holding a probe slot for long.
const RUN_LIMIT_SECS: &str = "120";

/// The ffmpeg program posters are made with.
#[derive(Clone, Debug)]
pub struct Posters {
    program: String,
}

/// A video's pictures, JPEG bytes.
#[derive(Debug)]
pub struct Pictures {
    /// The poster frame.
    pub poster: Vec<u8>,
    /// [`STRIP_FRAMES`] frames side by side.
    pub strip: Vec<u8>,
}

impl Posters {
    /// Posters made with `program` (looked up on the PATH unless it is a path), or `None`
    /// when it does not run. Start-up calls this (a blocking run of `ffmpeg -version`); the
    /// answer is kept for the life of the process, which for the test suites, starting an app
    /// per test, saves an ffmpeg start each (most of an ffmpeg start is its loader resolving
    /// symbols: a tenth of the suite's CPU).
    pub fn detect(program: &str) -> Option<Self> {
        static RUNS: std::sync::Mutex<Vec<(String, bool)>> = std::sync::Mutex::new(Vec::new());
        let known = RUNS
            .lock()
            .ok()
            .and_then(|runs| runs.iter().find(|(p, _)| p == program).map(|(_, ok)| *ok));
        let runs = known.unwrap_or_else(|| {
            let status = std::process::Command::new(program)
                .arg("-version")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let runs = matches!(status, Ok(s) if s.success());
            if let Ok(mut known) = RUNS.lock() {
                known.push((program.to_string(), runs));
            }
            runs
        });
        runs.then(|| Self {
            program: program.to_string(),
        })
    }

    /// Runs ffmpeg with `args`, returning what it wrote to stdout, or why not (for the log).
    async fn run(&self, args: Vec<String>) -> Result<Vec<u8>, String> {
        let program = self.program.clone();
        let output = actix_web::rt::task::spawn_blocking(move || {
            std::process::Command::new(program)
                .args(["-nostdin", "-hide_banner", "-loglevel", "error"])
                .args(["-timelimit", RUN_LIMIT_SECS])
                .args(args)
                .stdin(Stdio::null())
                .output()
        })
        .await
        .map_err(|_| "the ffmpeg thread stopped".to_string())?
        .map_err(|e| format!("ffmpeg did not start: {e}"))?;
        if !output.status.success() || output.stdout.is_empty() {
            let said = String::from_utf8_lossy(&output.stderr);
            return Err(format!("ffmpeg failed: {}", said.trim()));
        }
        Ok(output.stdout)
    }

    /// The poster and strip of the video in `source`, `duration_ms` long (when known).
    pub async fn make(&self, source: &Path, duration_ms: Option<i64>) -> Result<Pictures, String> {
        let seconds = duration_ms
            .filter(|d| *d > 0)
            .map_or(1.0, |d| d as f64 / 1000.0);
        let input = source.to_string_lossy().to_string();
        let jpeg = [
            "-frames:v",
            "1",
            "-f",
            "image2",
            "-c:v",
            "mjpeg",
            "-q:v",
            "5",
            "pipe:1",
        ];
        let with_jpeg = |mut args: Vec<String>| {
            args.extend(jpeg.iter().map(|s| s.to_string()));
            args
        };
        let at = format!("{:.3}", seconds * 0.1);
        let scale = format!("scale='min({POSTER_WIDTH},iw)':-2");
        let poster = ["-ss", &at, "-i", &input, "-vf", &scale].map(String::from);
        let poster = self.run(with_jpeg(poster.to_vec())).await?;
        let decoding = with_jpeg(strip_by_decoding(&input, seconds));
        let strip = if duration_ms.is_some_and(|d| d > 0) {
            // Seeking is the fast way; a video whose picture ends before its stated length (a
            // longer soundtrack) has nothing at the last seek points, and is decoded instead.
            match self.run(with_jpeg(strip_by_seeking(&input, seconds))).await {
                Ok(strip) => strip,
                Err(_) => self.run(decoding).await?,
            }
        } else {
            self.run(decoding).await?
        };
        Ok(Pictures { poster, strip })
    }
}

/// ffmpeg's arguments for a strip of `input` (`seconds` long) from [`STRIP_FRAMES`] seeks, one
/// input each, put side by side: ffmpeg decodes from the key frame before each seek point only,
/// so an hour-long lecture costs about what a minute-long one does (BENCHMARKS.md).
fn strip_by_seeking(input: &str, seconds: f64) -> Vec<String> {
    let mut args = Vec::new();
    let mut graph = String::new();
    for i in 0..STRIP_FRAMES {
        // The middle of each tenth: never the very first frame, never past the end.
        let at = seconds * (f64::from(i) + 0.5) / f64::from(STRIP_FRAMES);
        // One decoding thread each: ten decoders at once, and each decodes a few frames only;
        // it takes the peak memory from about 210 MiB to 130 (720p, BENCHMARKS.md).
        let at = format!("{at:.3}");
        args.extend(["-threads", "1", "-ss", &at, "-i", input].map(String::from));
        graph.push_str(&format!(
            "[{i}:v:0]trim=end_frame=1,scale={STRIP_FRAME_WIDTH}:-2,setsar=1[f{i}];"
        ));
    }
    for i in 0..STRIP_FRAMES {
        graph.push_str(&format!("[f{i}]"));
    }
    graph.push_str(&format!("hstack=inputs={STRIP_FRAMES}[strip]"));
    args.extend([
        "-filter_complex".into(),
        graph,
        "-map".into(),
        "[strip]".into(),
    ]);
    args
}

/// ffmpeg's arguments for a strip of `input` (`seconds` long, or a guess) made by decoding the
/// whole video and keeping frames at an even rate: slow for long videos, but it needs no
/// length and copes with a picture shorter than the video.
fn strip_by_decoding(input: &str, seconds: f64) -> Vec<String> {
    vec![
        "-i".into(),
        input.into(),
        "-vf".into(),
        format!(
            "fps={:.6},scale={STRIP_FRAME_WIDTH}:-2,tile={STRIP_FRAMES}x1",
            f64::from(STRIP_FRAMES) / seconds
        ),
    ]
}
