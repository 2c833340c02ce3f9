//! The tus 1.0.0 protocol's pure parts: constants, `Upload-Metadata`, `Upload-Checksum` and
//! the chunk hashers. The HTTP handlers live in `actions::uploads`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::HashMap;

/// The one protocol version spoken.
pub const VERSION: &str = "1.0.0";
/// Extensions announced in `Tus-Extension`.
pub const EXTENSIONS: &str = "creation,creation-with-upload,termination,checksum,expiration";
/// Algorithms announced in `Tus-Checksum-Algorithm`.
pub const CHECKSUM_ALGORITHMS: &str = "sha1,sha256,md5";
/// The PATCH body type.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// The most `Upload-Metadata` kept (it is stored and echoed on every HEAD).
pub const MAX_METADATA_BYTES: usize = 4096;
/// The most metadata keys kept.
pub const MAX_METADATA_KEYS: usize = 32;

/// Whether an `Upload-Metadata` header is within [`MAX_METADATA_BYTES`] and
/// [`MAX_METADATA_KEYS`] (checked before it is decoded).
pub fn metadata_within_limits(header: &str) -> bool {
    header.len() <= MAX_METADATA_BYTES && header.split(',').count() <= MAX_METADATA_KEYS
}

/// Parses `Upload-Metadata`: comma-separated `key base64value` pairs (value optional).
pub fn parse_metadata(header: &str) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for pair in header.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut parts = pair.split(' ').filter(|p| !p.is_empty());
        let key = parts.next().unwrap_or_default();
        let value = match parts.next() {
            Some(encoded) => {
                let bytes = STANDARD
                    .decode(encoded)
                    .map_err(|_| format!("metadata `{key}` is not valid base64"))?;
                String::from_utf8(bytes)
                    .map_err(|_| format!("metadata `{key}` is not UTF-8 text"))?
            }
            None => String::new(),
        };
        if parts.next().is_some() || key.is_empty() {
            return Err("Upload-Metadata must be comma-separated `key base64value` pairs".into());
        }
        if out.insert(key.to_string(), value).is_some() {
            return Err(format!("metadata `{key}` appears twice"));
        }
    }
    Ok(out)
}

/// Parses `Upload-Length` or `Upload-Offset`: a non-negative whole number of bytes, digits
/// only (`str::parse` alone would also take `+5` and `-0`).
pub fn parse_byte_count(value: &str) -> Option<i64> {
    let digits = value.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A running hash over one PATCH body.
pub enum ChunkHasher {
    /// SHA-1 (required by the spec).
    Sha1(sha1::Sha1),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// MD5.
    Md5(md5::Md5),
}

impl ChunkHasher {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        use sha2::Digest;
        match self {
            Self::Sha1(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Md5(h) => h.update(data),
        }
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        use sha2::Digest;
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Md5(h) => h.finalize().to_vec(),
        }
    }
}

/// Why an `Upload-Checksum` header was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ChecksumError {
    /// The algorithm is not one of [`CHECKSUM_ALGORITHMS`].
    UnsupportedAlgorithm(String),
    /// The header is not `algorithm base64digest`.
    Malformed,
}

/// Parses `Upload-Checksum` into a hasher and the expected digest.
pub fn parse_checksum(header: &str) -> Result<(ChunkHasher, Vec<u8>), ChecksumError> {
    let (algorithm, encoded) = header
        .trim()
        .split_once(' ')
        .ok_or(ChecksumError::Malformed)?;
    let expected = STANDARD
        .decode(encoded.trim())
        .map_err(|_| ChecksumError::Malformed)?;
    use sha2::Digest;
    let hasher = match algorithm.to_ascii_lowercase().as_str() {
        "sha1" => ChunkHasher::Sha1(sha1::Sha1::new()),
        "sha256" => ChunkHasher::Sha256(sha2::Sha256::new()),
        "md5" => ChunkHasher::Md5(md5::Md5::new()),
        other => return Err(ChecksumError::UnsupportedAlgorithm(other.to_string())),
    };
    Ok((hasher, expected))
}

/// `Upload-Expires` is an RFC 7231 HTTP-date.
pub fn http_date(unix_ms: i64) -> String {
    let secs = u64::try_from(unix_ms / 1000).unwrap_or(0);
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_pairs_decode_and_values_may_be_empty() {
        let parsed = parse_metadata("filename bGVjdHVyZS5tcDQ=,is_private, title SGkg8J+Ogw==")
            .expect("parses");
        assert_eq!(parsed["filename"], "lecture.mp4");
        assert_eq!(parsed["is_private"], "");
        assert_eq!(parsed["title"], "Hi 🎃");
    }

    #[test]
    fn bad_metadata_is_refused() {
        assert!(parse_metadata("filename !!!").is_err());
        assert!(parse_metadata("a YQ==,a YQ==").is_err());
        assert!(parse_metadata("a YQ== extra").is_err());
    }

    #[test]
    fn byte_counts_are_plain_digits() {
        assert_eq!(parse_byte_count(" 42 "), Some(42));
        assert_eq!(parse_byte_count("007"), Some(7));
        assert_eq!(parse_byte_count("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_byte_count("9223372036854775808"), None);
        // Found by the tus_byte_count fuzz target: signs that `str::parse` accepts.
        assert_eq!(parse_byte_count("-0"), None);
        assert_eq!(parse_byte_count("+5"), None);
        assert_eq!(parse_byte_count(""), None);
    }

    #[test]
    fn checksums_parse_and_verify() {
        let (mut hasher, expected) =
            parse_checksum("sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=").expect("parses");
        hasher.update(b"abc");
        assert_eq!(hasher.finish(), expected);
        assert!(matches!(
            parse_checksum("crc32 AAAA"),
            Err(ChecksumError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            parse_checksum("sha1"),
            Err(ChecksumError::Malformed)
        ));
    }

    #[test]
    fn http_dates_are_rfc_7231() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
