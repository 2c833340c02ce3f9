//! What counts as a video here: the allowed file kinds (checked at upload creation, before any
//! byte is accepted), the container signatures (checked on the first bytes), and the full
//! probe when the last byte lands ([`probe`]).

mod probe;

pub use probe::{probe, sha256_hex, MediaInfo};

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

#[cfg(test)]
mod tests {
    use super::*;

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
