//! What the server accepts as a video file, shared so the browser refuses the same files the
//! server would, before a single byte is sent.

/// The two container families Reel accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// ISO base media: MP4, M4V, MOV.
    IsoBmff,
    /// Matroska: MKV, WebM.
    Matroska,
}

/// An accepted kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileKind {
    /// The extension used in the storage key.
    pub ext: &'static str,
    /// The `Content-Type` the video is served with.
    pub content_type: &'static str,
    /// Its container family.
    pub container: Container,
}

/// Every accepted kind, by extension.
pub const KINDS: [FileKind; 5] = [
    FileKind {
        ext: "mp4",
        content_type: "video/mp4",
        container: Container::IsoBmff,
    },
    FileKind {
        ext: "m4v",
        content_type: "video/x-m4v",
        container: Container::IsoBmff,
    },
    FileKind {
        ext: "mov",
        content_type: "video/quicktime",
        container: Container::IsoBmff,
    },
    FileKind {
        ext: "webm",
        content_type: "video/webm",
        container: Container::Matroska,
    },
    FileKind {
        ext: "mkv",
        content_type: "video/x-matroska",
        container: Container::Matroska,
    },
];

/// Types browsers report for the allowed kinds; an empty or generic type defers to the name.
const ACCEPTED_TYPES: [&str; 9] = [
    "video/mp4",
    "video/x-m4v",
    "video/quicktime",
    "video/webm",
    "video/x-matroska",
    "video/matroska",
    "video/mkv",
    "application/octet-stream",
    "",
];

/// The sentence every type refusal ends with.
pub const ACCEPTED_HINT: &str = "Reel accepts MP4, MOV, M4V, WebM and MKV videos.";

/// Decides from the creation metadata whether the file may be uploaded at all.
pub fn kind_for_upload(filename: &str, filetype: &str) -> Result<FileKind, String> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = KINDS.iter().find(|k| k.ext == ext).copied();
    let filetype = filetype.trim().to_ascii_lowercase();
    let type_ok = ACCEPTED_TYPES.contains(&filetype.as_str());
    match kind {
        Some(kind) if type_ok => Ok(kind),
        _ => Err(format!(
            "“{}” is not a video file Reel can take. {ACCEPTED_HINT}",
            shorten(filename)
        )),
    }
}

fn shorten(name: &str) -> String {
    let mut s: String = name.chars().take(80).collect();
    if name.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// "10 GiB", "200 MiB", "1.5 KiB": sizes as people write them.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The `accept` attribute for a file picker.
pub fn picker_accept() -> String {
    let mut parts: Vec<String> = KINDS.iter().map(|k| format!(".{}", k.ext)).collect();
    parts.extend(KINDS.iter().map(|k| k.content_type.to_string()));
    parts.join(",")
}

/// The container the first bytes announce, if any.
pub fn sniff(head: &[u8]) -> Option<Container> {
    if head.len() >= 4 && head[..4] == [0x1A, 0x45, 0xDF, 0xA3] {
        return Some(Container::Matroska);
    }
    // QuickTime files may open with `wide`, `free`, `mdat` or `moov` instead of `ftyp`.
    const ISO_FIRST_BOXES: [&[u8; 4]; 7] = [
        b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot",
    ];
    if head.len() >= 8 && ISO_FIRST_BOXES.iter().any(|b| head[4..8] == b[..]) {
        return Some(Container::IsoBmff);
    }
    None
}

/// How many leading bytes [`sniff`] needs.
pub const SNIFF_LEN: usize = 8;

/// Why a file's first bytes are refused for a video of the `expected` family, if they are.
pub fn refuse_head(head: &[u8], expected: Container) -> Option<String> {
    match sniff(head) {
        None => Some(format!("This file is not a video. {ACCEPTED_HINT}")),
        Some(found) if found != expected => Some(
            "The file's name does not match its content (for example a WebM file named .mp4). \
             Rename it with the right extension and upload it again."
                .to_string(),
        ),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_kinds_pass_by_name_and_type() {
        assert_eq!(
            kind_for_upload("Lecture 1.MP4", "video/mp4").map(|k| k.ext),
            Ok("mp4")
        );
        assert_eq!(
            kind_for_upload("a.webm", "").map(|k| k.container),
            Ok(Container::Matroska)
        );
        assert_eq!(
            kind_for_upload("a.mov", "video/quicktime").map(|k| k.content_type),
            Ok("video/quicktime")
        );
    }

    #[test]
    fn other_kinds_are_refused_with_a_readable_reason() {
        let err = kind_for_upload("notes.txt", "text/plain").expect_err("refused");
        assert!(err.contains("notes.txt") && err.contains("MP4"));
        assert!(kind_for_upload("fake.mp4", "text/plain").is_err());
        assert!(kind_for_upload("noext", "video/mp4").is_err());
        assert!(kind_for_upload("clip.avi", "video/x-msvideo").is_err());
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(10 << 30), "10 GiB");
        assert_eq!(human_bytes(200 << 20), "200 MiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }

    #[test]
    fn the_picker_accepts_every_kind() {
        let accept = picker_accept();
        for ext in [".mp4", ".m4v", ".mov", ".webm", ".mkv", "video/mp4"] {
            assert!(accept.contains(ext), "{accept}");
        }
    }
}
