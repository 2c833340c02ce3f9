//! What counts as a video here: the allowed file kinds (checked at upload creation, before any
//! byte is accepted), the container signatures (checked on the first bytes), and the full
//! probe when the last byte lands ([`probe`]).

mod probe;

pub use probe::{probe, probe_within, sha256_hex, Budget, MediaInfo, UNREADABLE};

pub use shared::media::{kind_for_upload, Container, FileKind, ACCEPTED_HINT};

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

/// The container family of a stored video, from the type it is served with.
pub fn family_of(content_type: &str) -> Container {
    shared::media::KINDS
        .iter()
        .find(|k| k.content_type == content_type)
        .map_or(Container::IsoBmff, |k| k.container)
}

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
    fn first_bytes_are_refused_when_not_a_video_or_of_the_other_family() {
        assert!(refuse_head(b"plain text here", Container::IsoBmff)
            .is_some_and(|r| r.contains("not a video")));
        assert!(
            refuse_head(&[0x1A, 0x45, 0xDF, 0xA3, 0, 0, 0, 0], Container::IsoBmff)
                .is_some_and(|r| r.contains("does not match"))
        );
        assert_eq!(refuse_head(b"\0\0\0\x20ftypisom", Container::IsoBmff), None);
        assert_eq!(family_of("video/webm"), Container::Matroska);
        assert_eq!(family_of("video/quicktime"), Container::IsoBmff);
    }

    #[test]
    fn sniff_knows_both_families_and_nothing_else() {
        assert_eq!(sniff(b"\0\0\0\x20ftypisom"), Some(Container::IsoBmff));
        assert_eq!(
            sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F]),
            Some(Container::Matroska)
        );
        assert_eq!(sniff(b"hello, this is text"), None);
        assert_eq!(sniff(b"\0\0"), None);
    }
}
