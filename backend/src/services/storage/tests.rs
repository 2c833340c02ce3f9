//! One behaviour suite, run against every provider.

use super::{ByteStream, LocalStorage, MemoryStorage, Phase, Storage, StorageKey};
use bytes::Bytes;
use futures_util::StreamExt;
use std::io::{self, Read};

fn body(parts: Vec<io::Result<&'static [u8]>>) -> ByteStream {
    Box::pin(futures_util::stream::iter(
        parts.into_iter().map(|p| p.map(Bytes::from_static)),
    ))
}

async fn read_all(storage: &dyn Storage, key: &StorageKey, range: std::ops::Range<u64>) -> Vec<u8> {
    let mut stream = storage.read(key, range).await.expect("read");
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.expect("chunk"));
    }
    out
}

async fn behaves_like_storage(storage: &dyn Storage) {
    let key = StorageKey::for_video("c", "ch", "v", "mp4");

    // Two writes append; a resumed write at an earlier offset discards what came after it.
    let w = storage
        .write_partial(
            &key,
            0,
            body(vec![Ok(b"hello "), Ok(b"wor")]),
            Phase::Progressive(None),
        )
        .await
        .expect("write");
    assert_eq!(w.bytes, 9);
    storage
        .write_partial(&key, 9, body(vec![Ok(b"XX")]), Phase::Progressive(None))
        .await
        .expect("write");
    storage
        .write_partial(&key, 9, body(vec![Ok(b"ld")]), Phase::Progressive(None))
        .await
        .expect("write");

    // A body that fails part way keeps the bytes that arrived.
    let cut = storage
        .write_partial(
            &key,
            11,
            body(vec![Ok(b"!!"), Err(io::Error::other("connection reset"))]),
            Phase::Progressive(None),
        )
        .await
        .expect("write");
    assert_eq!(cut.bytes, 2);
    assert!(cut.body_error.is_some());

    // A staged write counts only once committed; a discarded one leaves no trace, and neither
    // does one that a later write at the same offset replaces.
    let staged = storage
        .write_partial(&key, 12, body(vec![Ok(b"BAD")]), Phase::Staged)
        .await
        .expect("stage");
    assert_eq!(staged.bytes, 3);
    storage.discard_staged(&key, 12).await.expect("discard");
    storage
        .write_partial(&key, 12, body(vec![Ok(b"OOPS")]), Phase::Staged)
        .await
        .expect("stage");
    storage
        .write_partial(&key, 12, body(vec![Ok(b"?")]), Phase::Staged)
        .await
        .expect("stage");
    storage.discard_staged(&key, 12).await.expect("discard");
    // The progressive write at 11 kept "!!"; cut back to one "!" by a staged rewrite at 12.
    storage
        .write_partial(&key, 11, body(vec![Ok(b"!")]), Phase::Staged)
        .await
        .expect("stage");
    storage.commit_staged(&key, 11, 1).await.expect("commit");

    // Writing past what is stored is refused: offsets never skip bytes.
    assert!(storage
        .write_partial(&key, 50, body(vec![Ok(b"x")]), Phase::Progressive(None))
        .await
        .is_err());

    assert_eq!(storage.size(&key).await.expect("size"), None);
    storage.complete(&key).await.expect("complete");
    storage
        .complete(&key)
        .await
        .expect("complete is idempotent");
    assert_eq!(storage.size(&key).await.expect("size"), Some(12));
    assert_eq!(read_all(storage, &key, 0..12).await, b"hello world!");
    assert_eq!(read_all(storage, &key, 6..11).await, b"world");

    let mut seekable = storage.open_seekable(&key).await.expect("open");
    let mut text = String::new();
    seekable.read_to_string(&mut text).expect("read");
    assert_eq!(text, "hello world!");

    storage.delete(&key).await.expect("delete");
    storage
        .delete(&key)
        .await
        .expect("deleting nothing succeeds");
    assert_eq!(storage.size(&key).await.expect("size"), None);
}

#[actix_web::test]
async fn local_storage_behaves_like_storage() {
    let dir = tempfile::tempdir().expect("tempdir");
    behaves_like_storage(&LocalStorage::new(dir.path())).await;
}

#[actix_web::test]
async fn memory_storage_behaves_like_storage() {
    behaves_like_storage(&MemoryStorage::default()).await;
}

#[actix_web::test]
async fn memory_storage_can_fail_deletes_on_demand() {
    let storage = MemoryStorage::default();
    let key = StorageKey::for_video("c", "ch", "v", "mp4");
    storage
        .write_partial(&key, 0, body(vec![Ok(b"x")]), Phase::Progressive(None))
        .await
        .expect("write");
    storage.fail_next_deletes(1);
    assert!(storage.delete(&key).await.is_err());
    assert!(storage.contains(&key));
    storage.delete(&key).await.expect("second delete works");
    assert!(!storage.contains(&key));
}
