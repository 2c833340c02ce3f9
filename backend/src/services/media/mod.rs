//! What counts as a video here: the allowed file kinds (checked at upload creation, before any
//! byte is accepted), the container signatures (checked on the first bytes), and the full
//! probe when the last byte lands ([`probe`]).

mod posters;

pub use posters::{Pictures, Posters, POSTER, STRIP, STRIP_FRAMES};

// The probe reads what a client uploaded: it lives in the `parsers` crate, fuzzed on its own.
pub use parsers::probe::{probe, probe_within, sha256_hex, Budget, MediaInfo, UNREADABLE};

pub use shared::media::{
    kind_for_upload, refuse_head, sniff, Container, FileKind, ACCEPTED_HINT, SNIFF_LEN,
};

/// The container family of a stored video, from the type it is served with.
pub fn family_of(content_type: &str) -> Container {
    shared::media::KINDS
        .iter()
        .find(|k| k.content_type == content_type)
        .map_or(Container::IsoBmff, |k| k.container)
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
