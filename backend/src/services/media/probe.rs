//! The full check when the last byte lands: is this really a video of the allowed kinds, is it
//! whole, and what are its duration and frame size. Reasons are written for the instructor.

use super::Container;
use crate::services::storage::ReadSeek;
use sha2::{Digest, Sha256};
use std::io::{self, Cursor, SeekFrom};

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

/// The largest `moov` box read into memory (hours of video stay far below this).
const MAX_MOOV: u64 = 256 << 20;

const DAMAGED: &str = "This file could not be read as a video. It may be damaged or incomplete: \
    export it again and upload the new file.";

/// Checks the object is a whole video of the `expected` family and reads its metadata.
pub fn probe(file: &mut dyn ReadSeek, len: u64, expected: Container) -> Result<MediaInfo, String> {
    let mut head = [0u8; 16];
    let n = read_up_to(file, &mut head).map_err(|_| DAMAGED.to_string())?;
    if let Some(reason) = super::refuse_head(&head[..n], expected) {
        return Err(reason);
    }
    match expected {
        Container::IsoBmff => probe_iso(file, len),
        Container::Matroska => probe_matroska(file, len),
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

/// Walks the top-level boxes by seeking (never reading `mdat`), so a truncated file is caught
/// by its box sizes; then hands `ftyp` + `moov` to mp4parse.
fn probe_iso(file: &mut dyn ReadSeek, len: u64) -> Result<MediaInfo, String> {
    let truncated = || {
        "The video file is incomplete (it ends in the middle). Upload the whole file again."
            .to_string()
    };
    let mut pos = 0u64;
    let mut wanted: Vec<(u64, u64)> = Vec::new();
    let mut has_moov = false;
    while pos < len {
        if len - pos < 8 {
            return Err(truncated());
        }
        file.seek(SeekFrom::Start(pos))
            .map_err(|_| DAMAGED.to_string())?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8]).map_err(|_| truncated())?;
        let small = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let kind = [header[4], header[5], header[6], header[7]];
        let size = match small {
            0 => len - pos,
            1 => {
                file.read_exact(&mut header[8..16])
                    .map_err(|_| truncated())?;
                u64::from_be_bytes(header[8..16].try_into().map_err(|_| DAMAGED.to_string())?)
            }
            n => n,
        };
        if size < 8 {
            return Err(DAMAGED.to_string());
        }
        if pos.checked_add(size).is_none_or(|end| end > len) {
            return Err(truncated());
        }
        if &kind == b"moov" {
            has_moov = true;
            if size > MAX_MOOV {
                return Err(DAMAGED.to_string());
            }
        }
        if &kind == b"ftyp" || &kind == b"moov" {
            wanted.push((pos, size));
        }
        pos += size;
    }
    if !has_moov {
        return Err(truncated());
    }
    let mut boxes = Vec::new();
    for (start, size) in wanted {
        file.seek(SeekFrom::Start(start))
            .map_err(|_| DAMAGED.to_string())?;
        let mut part = vec![0u8; usize::try_from(size).map_err(|_| DAMAGED.to_string())?];
        file.read_exact(&mut part).map_err(|_| truncated())?;
        boxes.extend_from_slice(&part);
    }
    let context = mp4parse::read_mp4(&mut Cursor::new(boxes)).map_err(|_| DAMAGED.to_string())?;
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

/// Checks the Segment's declared size against the file, then lets matroska-demuxer read the
/// header, info and tracks.
fn probe_matroska(file: &mut dyn ReadSeek, len: u64) -> Result<MediaInfo, String> {
    let truncated = || {
        "The video file is incomplete (it ends in the middle). Upload the whole file again."
            .to_string()
    };
    file.seek(SeekFrom::Start(0))
        .map_err(|_| DAMAGED.to_string())?;
    let (_, header_len) = read_element_header(file).ok_or_else(|| DAMAGED.to_string())?;
    let ebml_size = header_len.1;
    file.seek(SeekFrom::Current(
        i64::try_from(ebml_size).map_err(|_| DAMAGED.to_string())?,
    ))
    .map_err(|_| truncated())?;
    let (segment_id, (segment_header, segment_size)) =
        read_element_header(file).ok_or_else(truncated)?;
    if segment_id != 0x1853_8067 {
        return Err(DAMAGED.to_string());
    }
    let segment_start = header_len.0 + ebml_size + segment_header;
    // An "unknown" size (all ones) is legal for live-written files; otherwise it must fit.
    if segment_size != u64::MAX && segment_start.saturating_add(segment_size) > len {
        return Err(truncated());
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|_| DAMAGED.to_string())?;
    let mkv = matroska_demuxer::MatroskaFile::open(file).map_err(|_| DAMAGED.to_string())?;
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

    #[test]
    fn sha256_hex_hashes_everything() {
        let hex = sha256_hex(&mut Cursor::new(b"abc".to_vec())).expect("hash");
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
