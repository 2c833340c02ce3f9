//! The full check when the last byte lands: is this really a video of the allowed kinds, is it
//! whole, and what are its duration and frame size. Reasons are written for the instructor.
//!
//! Whatever a file declares, a probe stays within a fixed budget: it walks the top-level
//! structure by seeking (never reading media data), reads at most [`MAX_MOOV`] of MP4 index or
//! [`MAX_MKV_HEADER`] of Matroska header into the parsers, visits at most
//! [`Budget::elements`] top-level elements and gives up at [`Budget::deadline`]. A security
//! probe found a 1 GiB `ftyp` box took the server to 2 GiB of memory before these limits.

use crate::ReadSeek;
use sha2::{Digest, Sha256};
use shared::media::Container;
use std::io::{self, Cursor, Read, SeekFrom};
use std::time::{Duration, Instant};

/// What the container says about the video.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MediaInfo {
    /// Duration in milliseconds.
    pub duration_ms: Option<i64>,
    /// Frame width.
    pub width: Option<i32>,
    /// Frame height.
    pub height: Option<i32>,
}

/// How much work one probe may do before it refuses the file as too complex.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Top-level boxes (MP4) or Segment children (Matroska) visited, at most. A fragmented
    /// ten-hour lecture has well under 100,000.
    pub elements: u32,
    /// When the structural check must have finished (hashing the bytes is not counted: it is
    /// linear in the size, which the upload limit already bounds).
    pub deadline: Instant,
}

impl Budget {
    /// The budget every upload gets.
    pub fn standard() -> Self {
        Self::with(200_000, Duration::from_secs(20))
    }

    /// A budget of `elements` visits and `time` from now.
    pub fn with(elements: u32, time: Duration) -> Self {
        Self {
            elements,
            deadline: Instant::now() + time,
        }
    }

    fn spend(&mut self) -> Result<(), String> {
        self.elements = self.elements.checked_sub(1).ok_or_else(too_complex)?;
        // Reading the clock every visit would cost more than the visit.
        if self.elements.is_multiple_of(256) && Instant::now() > self.deadline {
            return Err(too_complex());
        }
        Ok(())
    }
}

/// The largest `moov` (the MP4 index) handed to the parser. A three-hour 60 fps lecture needs
/// about 15 MiB; the parser's tables are about as large as the box.
pub const MAX_MOOV: u64 = 64 << 20;
/// The largest `ftyp`: it lists a few brands, a few dozen bytes in practice.
const MAX_FTYP: u64 = 64 << 10;
/// The largest Matroska EBML header, `Info` or `Tracks` element handed to the demuxer.
pub const MAX_MKV_HEADER: u64 = 4 << 20;

/// Why a file that is no readable video was refused.
pub const UNREADABLE: &str = DAMAGED;

const DAMAGED: &str = "This file could not be read as a video. It may be damaged or incomplete: \
    export it again and upload the new file.";

fn truncated() -> String {
    "The video file is incomplete (it ends in the middle). Upload the whole file again.".into()
}

fn too_complex() -> String {
    "This file's structure is too complex to check (it is split into an unusual number of \
     parts). Export it again from your video editor and upload the new file."
        .into()
}

fn header_too_large(what: &str, size: u64, limit: u64) -> String {
    format!(
        "This video's {what} is {} but Reel reads at most {}. The file is probably damaged: \
         export it again, or split a very long recording into shorter videos.",
        shared::media::human_bytes(size),
        shared::media::human_bytes(limit)
    )
}

fn damaged<E>(_: E) -> String {
    DAMAGED.to_string()
}

/// Checks the object is a whole video of the `expected` family and reads its metadata, within
/// the standard [`Budget`].
pub fn probe(file: &mut dyn ReadSeek, len: u64, expected: Container) -> Result<MediaInfo, String> {
    probe_within(file, len, expected, Budget::standard())
}

/// [`probe`] with a given budget.
pub fn probe_within(
    file: &mut dyn ReadSeek,
    len: u64,
    expected: Container,
    mut budget: Budget,
) -> Result<MediaInfo, String> {
    let mut head = [0u8; 16];
    let n = read_up_to(file, &mut head).map_err(damaged)?;
    if let Some(reason) = shared::media::refuse_head(&head[..n], expected) {
        return Err(reason);
    }
    match expected {
        Container::IsoBmff => probe_iso(file, len, &mut budget),
        Container::Matroska => probe_matroska(file, len, &mut budget),
    }
}

/// sha256 of the whole object, hex.
pub fn sha256_hex(file: &mut dyn ReadSeek) -> io::Result<String> {
    file.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn read_up_to(file: &mut dyn ReadSeek, buf: &mut [u8]) -> io::Result<usize> {
    file.seek(SeekFrom::Start(0))?;
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Reads byte ranges of a file one after another, as if they were one stream: the parser sees
/// `ftyp` + `moov` without either being copied into memory first.
struct Regions<'a> {
    file: &'a mut dyn ReadSeek,
    regions: std::vec::IntoIter<(u64, u64)>,
    left: u64,
}

impl<'a> Regions<'a> {
    fn new(file: &'a mut dyn ReadSeek, regions: Vec<(u64, u64)>) -> Self {
        Self {
            file,
            regions: regions.into_iter(),
            left: 0,
        }
    }
}

impl Read for Regions<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.left == 0 {
            let Some((start, size)) = self.regions.next() else {
                return Ok(0);
            };
            self.file.seek(SeekFrom::Start(start))?;
            self.left = size;
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Walks the top-level boxes by seeking (never reading `mdat`), so a truncated file is caught
/// by its box sizes; then streams `ftyp` + `moov` into mp4parse.
fn probe_iso(file: &mut dyn ReadSeek, len: u64, budget: &mut Budget) -> Result<MediaInfo, String> {
    let mut pos = 0u64;
    // Where the reader is, so back-to-back boxes are read without a seek each.
    let mut at = u64::MAX;
    let mut wanted: Vec<(u64, u64)> = Vec::new();
    let mut has_moov = false;
    while pos < len {
        budget.spend()?;
        if len - pos < 8 {
            return Err(truncated());
        }
        if at != pos {
            file.seek(SeekFrom::Start(pos)).map_err(damaged)?;
        }
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8]).map_err(|_| truncated())?;
        at = pos + 8;
        let small = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let kind = [header[4], header[5], header[6], header[7]];
        let size = match small {
            0 => len - pos,
            1 => {
                file.read_exact(&mut header[8..16])
                    .map_err(|_| truncated())?;
                at = pos + 16;
                u64::from_be_bytes(header[8..16].try_into().map_err(damaged)?)
            }
            n => n,
        };
        if size < 8 {
            return Err(DAMAGED.to_string());
        }
        if pos.checked_add(size).is_none_or(|end| end > len) {
            return Err(truncated());
        }
        match &kind {
            b"moov" => {
                if has_moov {
                    return Err(DAMAGED.to_string());
                }
                has_moov = true;
                if size > MAX_MOOV {
                    return Err(header_too_large("index (moov box)", size, MAX_MOOV));
                }
                wanted.push((pos, size));
            }
            b"ftyp" => {
                if size > MAX_FTYP {
                    return Err(header_too_large("file-type box", size, MAX_FTYP));
                }
                // Only a leading `ftyp` means anything to the parser.
                if wanted.is_empty() {
                    wanted.push((pos, size));
                }
            }
            _ => {}
        }
        pos += size;
    }
    if !has_moov {
        return Err(truncated());
    }
    let mut stream = Regions::new(file, wanted);
    let context = mp4parse::read_mp4(&mut stream).map_err(damaged)?;
    let track = context
        .tracks
        .iter()
        .find(|t| t.track_type == mp4parse::TrackType::Video)
        .ok_or_else(|| "This file has no video track (it may be audio only).".to_string())?;
    let duration_ms = match (&track.duration, &track.timescale) {
        (Some(d), Some(ts)) if ts.0 > 0 => Some(d.0.saturating_mul(1000) / ts.0),
        _ => match (&track.tkhd, &context.timescale) {
            (Some(tkhd), Some(ts)) if ts.0 > 0 => Some(tkhd.duration.saturating_mul(1000) / ts.0),
            _ => None,
        },
    };
    // tkhd stores the presentation size as 16.16 fixed point.
    let (width, height) = track.tkhd.as_ref().map_or((None, None), |t| {
        (Some((t.width >> 16) as i32), Some((t.height >> 16) as i32))
    });
    Ok(MediaInfo {
        duration_ms: duration_ms.and_then(|d| i64::try_from(d).ok()),
        width,
        height,
    })
}

const EBML_ID: u64 = 0x1A45_DFA3;
const SEGMENT_ID: u64 = 0x1853_8067;
const INFO_ID: u64 = 0x1549_A966;
const TRACKS_ID: u64 = 0x1654_AE6B;
const UNKNOWN_SIZE_SEGMENT: [u8; 12] = [
    0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];
const EMPTY_CLUSTER: [u8; 5] = [0x1F, 0x43, 0xB6, 0x75, 0x80];

/// Copies `(start, size)` of the file; callers bound `size` first.
fn read_region(file: &mut dyn ReadSeek, (start, size): (u64, u64)) -> Result<Vec<u8>, String> {
    let mut part = vec![0u8; usize::try_from(size).map_err(damaged)?];
    file.seek(SeekFrom::Start(start)).map_err(damaged)?;
    file.read_exact(&mut part).map_err(|_| truncated())?;
    Ok(part)
}

/// Walks the Segment's children by seeking (a truncated file is caught by their sizes), then
/// hands the demuxer a small copy holding only the EBML header, `Info` and `Tracks`. The
/// demuxer sizes its buffers from what elements declare, so it never sees the real file.
fn probe_matroska(
    file: &mut dyn ReadSeek,
    len: u64,
    budget: &mut Budget,
) -> Result<MediaInfo, String> {
    file.seek(SeekFrom::Start(0)).map_err(damaged)?;
    let (id, (header_len, ebml_size)) =
        read_element_header(file).ok_or_else(|| DAMAGED.to_string())?;
    if id != EBML_ID || ebml_size > MAX_MKV_HEADER {
        return Err(DAMAGED.to_string());
    }
    let ebml_end = header_len + ebml_size;
    file.seek(SeekFrom::Start(ebml_end))
        .map_err(|_| truncated())?;
    let (segment_id, (segment_header, segment_size)) =
        read_element_header(file).ok_or_else(truncated)?;
    if segment_id != SEGMENT_ID {
        return Err(DAMAGED.to_string());
    }
    let segment_start = ebml_end + segment_header;
    // An "unknown" size (all ones) is legal for live-written files; otherwise it must fit.
    let segment_end = if segment_size == u64::MAX {
        len
    } else {
        segment_start
            .checked_add(segment_size)
            .filter(|end| *end <= len)
            .ok_or_else(truncated)?
    };
    let (mut info, mut tracks) = (None, None);
    let mut pos = segment_start;
    while pos < segment_end {
        budget.spend()?;
        file.seek(SeekFrom::Start(pos)).map_err(damaged)?;
        let (id, (header, size)) = read_element_header(file).ok_or_else(truncated)?;
        if size == u64::MAX {
            break; // a live-written Cluster: nothing after it can be found without reading it
        }
        let end = pos
            .checked_add(header)
            .and_then(|p| p.checked_add(size))
            .filter(|end| *end <= segment_end)
            .ok_or_else(truncated)?;
        let slot = match id {
            INFO_ID => Some((&mut info, "segment information")),
            TRACKS_ID => Some((&mut tracks, "track list")),
            _ => None,
        };
        if let Some((slot, what)) = slot {
            if size > MAX_MKV_HEADER {
                return Err(header_too_large(what, size, MAX_MKV_HEADER));
            }
            slot.get_or_insert((pos, header + size));
        }
        pos = end;
    }
    let (Some(info), Some(tracks)) = (info, tracks) else {
        return Err(DAMAGED.to_string());
    };
    // EBML header, a Segment of unknown size, Info, Tracks and an empty Cluster.
    let mut copy = read_region(file, (0, ebml_end))?;
    copy.extend_from_slice(&UNKNOWN_SIZE_SEGMENT);
    copy.extend(read_region(file, info)?);
    copy.extend(read_region(file, tracks)?);
    copy.extend_from_slice(&EMPTY_CLUSTER);
    let mkv = matroska_demuxer::MatroskaFile::open(Cursor::new(copy)).map_err(damaged)?;
    let video = mkv
        .tracks()
        .iter()
        .find(|t| t.track_type() == matroska_demuxer::TrackType::Video)
        .ok_or_else(|| "This file has no video track (it may be audio only).".to_string())?;
    let (width, height) = video.video().map_or((None, None), |v| {
        (
            i32::try_from(v.pixel_width().get()).ok(),
            i32::try_from(v.pixel_height().get()).ok(),
        )
    });
    // Duration is in Segment ticks of `timestamp_scale` nanoseconds.
    let duration_ms = mkv
        .info()
        .duration()
        .map(|ticks| (ticks * mkv.info().timestamp_scale().get() as f64 / 1e6).round() as i64);
    Ok(MediaInfo {
        duration_ms,
        width,
        height,
    })
}

/// Reads an EBML element ID and size; returns (id, (header length, size)), size `u64::MAX`
/// when unknown.
fn read_element_header(file: &mut dyn ReadSeek) -> Option<(u64, (u64, u64))> {
    let (id, id_len) = read_vint(file, false)?;
    let (size, size_len) = read_vint(file, true)?;
    Some((id, (id_len + size_len, size)))
}

fn read_vint(file: &mut dyn ReadSeek, strip_marker: bool) -> Option<(u64, u64)> {
    let mut first = [0u8; 1];
    file.read_exact(&mut first).ok()?;
    let len = first[0].leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let mut value = u64::from(first[0]);
    if strip_marker {
        value &= (1u64 << (8 - len)) - 1;
    }
    let mut all_ones = value == (1u64 << (8 - len)) - 1;
    for _ in 1..len {
        let mut b = [0u8; 1];
        file.read_exact(&mut b).ok()?;
        all_ones &= b[0] == 0xFF;
        value = (value << 8) | u64::from(b[0]);
    }
    if strip_marker && all_ones {
        return Some((u64::MAX, len as u64));
    }
    Some((value, len as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn text_is_not_a_video() {
        let mut file = Cursor::new(b"just some notes, not a video at all".to_vec());
        let err = probe(&mut file, 35, Container::IsoBmff).expect_err("refused");
        assert!(err.contains("not a video"), "{err}");
    }

    #[test]
    fn an_mp4_cut_in_the_middle_of_a_box_is_incomplete() {
        let mut data = boxed(b"ftyp", b"isom\0\0\0\0isom");
        data.extend_from_slice(&boxed(b"mdat", &[0u8; 100])[..50]);
        let len = data.len() as u64;
        let err = probe(&mut Cursor::new(data), len, Container::IsoBmff).expect_err("refused");
        assert!(err.contains("incomplete"), "{err}");
    }

    #[test]
    fn an_mp4_without_a_movie_header_is_incomplete() {
        let mut data = boxed(b"ftyp", b"isom\0\0\0\0isom");
        data.extend_from_slice(&boxed(b"mdat", &[0u8; 32]));
        let len = data.len() as u64;
        assert!(probe(&mut Cursor::new(data), len, Container::IsoBmff).is_err());
    }

    #[test]
    fn a_family_mismatch_is_explained() {
        let data = boxed(b"ftyp", b"isom\0\0\0\0isom");
        let len = data.len() as u64;
        let err = probe(&mut Cursor::new(data), len, Container::Matroska).expect_err("refused");
        assert!(err.contains("does not match"), "{err}");
    }

    // The server's test videos (backend/tests/fixtures), one folder up from this crate.
    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");

    /// A file that counts the bytes read from it, to prove a probe reads little.
    struct Counting {
        inner: Cursor<Vec<u8>>,
        read: u64,
    }

    impl Read for Counting {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl std::io::Seek for Counting {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
    }

    /// A box header declaring `size` bytes (64-bit form), with only its first bytes present.
    fn large_box(kind: &[u8; 4], size: u64) -> Vec<u8> {
        let mut out = 1u32.to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(b"isom\0\0\0\0isom");
        out
    }

    #[test]
    fn real_videos_of_every_kind_still_probe() {
        for (name, family) in [
            ("clip.mp4", Container::IsoBmff),
            ("clip.mov", Container::IsoBmff),
            ("clip.webm", Container::Matroska),
        ] {
            let data = fixture(name);
            let len = data.len() as u64;
            let info = probe(&mut Cursor::new(data), len, family).expect(name);
            assert!(info.duration_ms.is_some_and(|d| d > 0), "{name}: {info:?}");
            assert!(info.width.is_some_and(|w| w > 0), "{name}: {info:?}");
        }
    }

    #[test]
    fn a_one_gib_ftyp_is_refused_after_reading_a_few_bytes() {
        // The file claims a 1 GiB ftyp; the probe must not read (or allocate) it.
        let gib = 1u64 << 30;
        let mut data = large_box(b"ftyp", gib);
        data.resize(4096, 0);
        let mut file = Counting {
            inner: Cursor::new(data),
            read: 0,
        };
        let err = probe(&mut file, gib + 64, Container::IsoBmff).expect_err("refused");
        assert!(err.contains("file-type box is 1 GiB"), "{err}");
        assert!(file.read < 64, "read {} bytes", file.read);
    }

    #[test]
    fn a_200_mib_moov_is_refused_without_being_read() {
        let size = 200u64 << 20;
        let mut data = boxed(b"ftyp", b"isom\0\0\0\0isom");
        let start = data.len() as u64;
        data.extend_from_slice(&large_box(b"moov", size));
        let mut file = Counting {
            inner: Cursor::new(data),
            read: 0,
        };
        let err = probe(&mut file, start + size, Container::IsoBmff).expect_err("refused");
        assert!(err.contains("index (moov box) is 200 MiB"), "{err}");
        assert!(file.read < 128, "read {} bytes", file.read);
    }

    #[test]
    fn millions_of_tiny_boxes_exhaust_the_work_budget() {
        let mut data = boxed(b"ftyp", b"isom\0\0\0\0isom");
        for _ in 0..300_000 {
            data.extend_from_slice(&boxed(b"free", &[]));
        }
        let len = data.len() as u64;
        let err = probe(&mut Cursor::new(data), len, Container::IsoBmff).expect_err("refused");
        assert!(err.contains("too complex"), "{err}");
    }

    #[test]
    fn a_probe_past_its_deadline_gives_up() {
        let mut data = boxed(b"ftyp", b"isom\0\0\0\0isom");
        for _ in 0..1_000 {
            data.extend_from_slice(&boxed(b"free", &[]));
        }
        let len = data.len() as u64;
        let spent = Budget::with(u32::MAX, Duration::ZERO);
        let err = probe_within(&mut Cursor::new(data), len, Container::IsoBmff, spent)
            .expect_err("refused");
        assert!(err.contains("too complex"), "{err}");
    }

    #[test]
    fn a_matroska_track_list_of_100_mib_is_refused_without_being_read() {
        // The fixture's EBML header and Segment start, then a Tracks element claiming 100 MiB.
        let real = fixture("clip.webm");
        let mut file = Cursor::new(real.clone());
        let (_, (h, size)) = read_element_header(&mut file).expect("ebml");
        let mut data = real[..usize::try_from(h + size).expect("small")].to_vec();
        data.extend_from_slice(&UNKNOWN_SIZE_SEGMENT);
        data.extend_from_slice(&[0x16, 0x54, 0xAE, 0x6B, 0x08, 0x06, 0x40, 0x00, 0x00]);
        data.resize(data.len() + 1024, 0);
        let len = data.len() as u64 + (100 << 20);
        let mut file = Counting {
            inner: Cursor::new(data),
            read: 0,
        };
        let err = probe(&mut file, len, Container::Matroska).expect_err("refused");
        assert!(err.contains("track list is 100 MiB"), "{err}");
        assert!(file.read < 4096, "read {} bytes", file.read);
    }

    #[test]
    fn a_truncated_webm_is_incomplete() {
        let mut real = fixture("clip.webm");
        real.truncate(real.len() - 100);
        let len = real.len() as u64;
        let err = probe(&mut Cursor::new(real), len, Container::Matroska).expect_err("refused");
        assert!(err.contains("incomplete"), "{err}");
    }

    #[test]
    fn sha256_hex_hashes_everything() {
        let hex = sha256_hex(&mut Cursor::new(b"abc".to_vec())).expect("hash");
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
