//! One behaviour suite, run against every provider.

use super::s3::{testing, S3Storage, MIN_PART};
use super::{ByteStream, LocalStorage, MemoryStorage, Phase, Storage, StorageKey, ToolFile};
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

/// The declared length of the object the suite builds.
const LEN: u64 = 12;

async fn behaves_like_storage(storage: &dyn Storage) {
    let key = StorageKey::for_video("c", "ch", "v", "mp4");

    // Two writes append; a resumed write at an earlier offset discards what came after it.
    let w = storage
        .write_partial(
            &key,
            0,
            LEN,
            body(vec![Ok(b"hello "), Ok(b"wor")]),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");
    assert_eq!(w.bytes, 9);
    storage
        .write_partial(
            &key,
            9,
            LEN,
            body(vec![Ok(b"XX")]),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");
    storage
        .write_partial(
            &key,
            9,
            LEN,
            body(vec![Ok(b"ld")]),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");

    // A body that fails part way keeps the bytes that arrived.
    let cut = storage
        .write_partial(
            &key,
            11,
            LEN,
            body(vec![Ok(b"!!"), Err(io::Error::other("connection reset"))]),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");
    assert_eq!(cut.bytes, 2);
    assert!(cut.body_error.is_some());

    // A staged write counts only once committed; a discarded one leaves no trace, and neither
    // does one that a later write at the same offset replaces.
    let staged = storage
        .write_partial(&key, 12, LEN, body(vec![Ok(b"BAD")]), Phase::Staged, None)
        .await
        .expect("stage");
    assert_eq!(staged.bytes, 3);
    storage.discard_staged(&key, 12).await.expect("discard");
    storage
        .write_partial(&key, 12, LEN, body(vec![Ok(b"OOPS")]), Phase::Staged, None)
        .await
        .expect("stage");
    storage
        .write_partial(&key, 12, LEN, body(vec![Ok(b"?")]), Phase::Staged, None)
        .await
        .expect("stage");
    storage.discard_staged(&key, 12).await.expect("discard");
    // The progressive write at 11 kept "!!"; cut back to one "!" by a staged rewrite at 12.
    storage
        .write_partial(&key, 11, LEN, body(vec![Ok(b"!")]), Phase::Staged, None)
        .await
        .expect("stage");
    storage
        .commit_staged(&key, 11, 1, None)
        .await
        .expect("commit");

    // Writing past what is stored is refused: offsets never skip bytes.
    assert!(storage
        .write_partial(
            &key,
            50,
            LEN,
            body(vec![Ok(b"x")]),
            Phase::Progressive(None),
            None
        )
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

    // Parsers read it on a blocking thread, as processing does.
    let mut seekable = storage.open_seekable(&key).await.expect("open");
    let text = actix_web::rt::task::spawn_blocking(move || {
        let mut text = String::new();
        seekable.read_to_string(&mut text).map(|_| text)
    })
    .await
    .expect("join")
    .expect("read");
    assert_eq!(text, "hello world!");

    // Outside programs (ffmpeg) get a file with the same bytes, whatever the provider; a copy
    // is gone when it is dropped, the provider's own file stays.
    let file = storage.file_for_tools(&key).await.expect("a file");
    assert_eq!(std::fs::read(file.path()).expect("read"), b"hello world!");
    let (path, copied) = (file.path().to_path_buf(), matches!(file, ToolFile::Copy(_)));
    drop(file);
    assert_eq!(path.exists(), !copied);
    assert!(storage
        .file_for_tools(&StorageKey::for_video("c", "ch", "none", "mp4"))
        .await
        .is_err());

    storage.delete(&key).await.expect("delete");
    storage
        .delete(&key)
        .await
        .expect("deleting nothing succeeds");
    assert_eq!(storage.size(&key).await.expect("size"), None);
}

/// Deterministic bytes that differ at every offset a part boundary could fall on.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u64).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed)
        .collect()
}

fn owned(chunks: Vec<Vec<u8>>, fail_at_end: bool) -> ByteStream {
    let mut items: Vec<io::Result<Bytes>> =
        chunks.into_iter().map(|c| Ok(Bytes::from(c))).collect();
    if fail_at_end {
        items.push(Err(io::Error::other("connection reset")));
    }
    Box::pin(futures_util::stream::iter(items))
}

/// In 64 KiB chunks, like a request body.
fn chunked(data: &[u8]) -> Vec<Vec<u8>> {
    data.chunks(64 * 1024).map(<[u8]>::to_vec).collect()
}

/// Writes across part boundaries: requests of 1 B, one part ± 1 and 17 MiB, a staged write
/// over a boundary that is discarded, a request cut off mid-part; the object reads back
/// byte for byte, through `read` and `open_seekable`.
async fn writes_across_parts(storage: &dyn Storage, part: usize) {
    let key = StorageKey::for_video("c", "ch", "parts", "mp4");
    let sizes = [1, part - 1, part + 1, 17 << 20, 1];
    let total: usize = sizes.iter().sum();
    let data = pattern(total, 7);
    let mut at = 0usize;
    for (i, size) in sizes.iter().enumerate() {
        if i == 2 {
            // Refused bytes (a checksum mismatch) over a part boundary leave no trace.
            let junk = pattern(*size, 99);
            storage
                .write_partial(
                    &key,
                    at as u64,
                    total as u64,
                    owned(chunked(&junk), false),
                    Phase::Staged,
                    None,
                )
                .await
                .expect("stage");
            storage
                .discard_staged(&key, at as u64)
                .await
                .expect("discard");
        }
        if i == 3 {
            // A request cut off after a part and a half keeps what arrived.
            let cut = part + part / 2;
            let w = storage
                .write_partial(
                    &key,
                    at as u64,
                    total as u64,
                    owned(chunked(&data[at..at + cut]), true),
                    Phase::Progressive(None),
                    None,
                )
                .await
                .expect("cut write");
            assert_eq!(w.bytes, cut as u64);
            assert!(w.body_error.is_some());
            at += cut;
            let rest = size - cut;
            let w = storage
                .write_partial(
                    &key,
                    at as u64,
                    total as u64,
                    owned(chunked(&data[at..at + rest]), false),
                    Phase::Staged,
                    None,
                )
                .await
                .expect("stage the rest");
            assert_eq!(w.bytes, rest as u64);
            storage
                .commit_staged(&key, at as u64, rest as u64, None)
                .await
                .expect("commit");
            at += rest;
            continue;
        }
        let w = storage
            .write_partial(
                &key,
                at as u64,
                total as u64,
                owned(chunked(&data[at..at + size]), false),
                Phase::Progressive(None),
                None,
            )
            .await
            .expect("write");
        assert_eq!(w.bytes, *size as u64);
        at += size;
        if let Some(stored) = storage.stored_len(&key).await.expect("stored") {
            assert_eq!(
                stored, at as u64,
                "the provider's record matches the bytes sent"
            );
        }
    }
    storage.complete(&key).await.expect("complete");
    storage
        .complete(&key)
        .await
        .expect("complete is idempotent");
    assert_eq!(storage.size(&key).await.expect("size"), Some(total as u64));
    let back = read_all(storage, &key, 0..total as u64).await;
    assert!(back == data, "the object reads back byte for byte");
    assert_eq!(
        read_all(storage, &key, part as u64 - 2..part as u64 + 2).await,
        &data[part - 2..part + 2]
    );
    let mut seekable = storage.open_seekable(&key).await.expect("open");
    let hashed = actix_web::rt::task::spawn_blocking(move || {
        let mut all = Vec::new();
        seekable.read_to_end(&mut all).map(|_| all)
    })
    .await
    .expect("join")
    .expect("read");
    assert!(hashed == data, "the seekable view reads back byte for byte");
    storage.delete(&key).await.expect("delete");
    assert_eq!(storage.size(&key).await.expect("size"), None);
}

#[actix_web::test]
async fn local_storage_behaves_like_storage() {
    let dir = tempfile::tempdir().expect("tempdir");
    behaves_like_storage(&LocalStorage::new(dir.path())).await;
    writes_across_parts(&LocalStorage::new(dir.path()), MIN_PART as usize).await;

    // Local disk hands ffmpeg the stored file itself: no copy of a lecture to make a poster.
    let local = LocalStorage::new(dir.path());
    let key = StorageKey::for_video("c", "ch", "tool", "mp4");
    local
        .put(&key, Bytes::from_static(b"frames"))
        .await
        .expect("put");
    let file = local.file_for_tools(&key).await.expect("a file");
    assert!(matches!(file, ToolFile::Stored(_)), "{file:?}");
}

#[actix_web::test]
async fn memory_storage_behaves_like_storage() {
    behaves_like_storage(&MemoryStorage::default()).await;
    writes_across_parts(&MemoryStorage::default(), MIN_PART as usize).await;
}

/// An S3 provider on a fresh bucket of the named test server, with its own database.
async fn s3_on(
    server: &str,
    adjust: impl FnOnce(&mut super::S3Settings),
) -> (S3Storage, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pool = crate::db::connect(&dir.path().join("reel.db").to_string_lossy()).expect("db");
    let mut settings = testing::fresh_bucket(&testing::server(server), dir.path());
    adjust(&mut settings);
    let storage = S3Storage::connect(settings, pool).await.expect("connect");
    (storage, dir)
}

#[actix_web::test]
async fn s3_storage_behaves_like_storage_on_s3s_fs() {
    let (storage, _dir) = s3_on("s3s", |_| {}).await;
    behaves_like_storage(&storage).await;
    writes_across_parts(&storage, MIN_PART as usize).await;
}

#[actix_web::test]
async fn s3_storage_behaves_like_storage_on_moto() {
    let (storage, _dir) = s3_on("moto", |_| {}).await;
    behaves_like_storage(&storage).await;
    writes_across_parts(&storage, MIN_PART as usize).await;
}

#[actix_web::test]
async fn memory_storage_can_fail_deletes_on_demand() {
    let storage = MemoryStorage::default();
    let key = StorageKey::for_video("c", "ch", "v", "mp4");
    storage
        .write_partial(
            &key,
            0,
            LEN,
            body(vec![Ok(b"x")]),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");
    storage.fail_next_deletes(1);
    assert!(storage.delete(&key).await.is_err());
    assert!(storage.contains(&key));
    storage.delete(&key).await.expect("second delete works");
    assert!(!storage.contains(&key));
}

/// Writes `data` in requests of `piece` bytes, completes, and checks it reads back.
async fn round_trip(storage: &dyn Storage, name: &str, data: &[u8], piece: usize) {
    let key = StorageKey::for_video("c", "ch", name, "mp4");
    let mut at = 0;
    loop {
        let end = (at + piece).min(data.len());
        storage
            .write_partial(
                &key,
                at as u64,
                data.len() as u64,
                owned(chunked(&data[at..end]), false),
                Phase::Progressive(None),
                None,
            )
            .await
            .expect("write");
        at = end;
        if at == data.len() {
            break;
        }
    }
    storage.complete(&key).await.expect("complete");
    assert_eq!(
        storage.size(&key).await.expect("size"),
        Some(data.len() as u64),
        "{name}"
    );
    assert!(
        read_all(storage, &key, 0..data.len() as u64).await == data,
        "{name} reads back"
    );
}

#[actix_web::test]
async fn s3_edge_sizes_empty_one_part_and_a_one_byte_tail() {
    let (storage, _dir) = s3_on("moto", |_| {}).await;
    let part = MIN_PART as usize;
    round_trip(&storage, "empty", &[], 1).await;
    round_trip(&storage, "one-part", &pattern(part, 1), part).await;
    round_trip(&storage, "one-byte-tail", &pattern(part + 1, 2), part + 1).await;
}

#[actix_web::test]
async fn s3_uploads_of_more_than_a_thousand_parts_complete() {
    // moto-small allows 1 KiB parts, so 1,100 parts stay small.
    let (storage, _dir) = s3_on("moto-small", |s| s.min_part_bytes = 1024).await;
    let data = pattern(1100 * 1024 + 1, 3);
    round_trip(&storage, "many-parts", &data, 300 * 1024 + 7).await;
}

#[actix_web::test]
async fn the_sweep_aborts_multipart_uploads_no_row_knows_and_spares_live_ones() {
    let (storage, _dir) = s3_on("moto", |s| s.orphan_grace = std::time::Duration::ZERO).await;
    // A live upload: one part sent, so a multipart upload the database knows.
    let key = StorageKey::for_video("c", "ch", "live", "mp4");
    let live = pattern(MIN_PART as usize + 10, 4);
    storage
        .write_partial(
            &key,
            0,
            2 * MIN_PART,
            owned(chunked(&live), false),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");
    // A crash's leftover: a multipart upload no row records.
    let settings = storage.settings().clone();
    let (bucket, prefix) = (settings.bucket.clone(), settings.prefix.clone());
    testing::with_client(
        settings.endpoint.as_deref().unwrap_or_default(),
        move |client| async move {
            use rusoto_s3::S3;
            client
                .create_multipart_upload(rusoto_s3::CreateMultipartUploadRequest {
                    bucket,
                    key: format!("{prefix}courses/c/chapters/ch/videos/gone/source.mp4"),
                    ..Default::default()
                })
                .await
                .expect("create");
        },
    );
    let before = testing::stored_things(&settings);
    // Moto's upload times have a one-second grain.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let swept = storage.sweep().await.expect("sweep");
    assert_eq!(
        swept, 1,
        "the unknown multipart upload is aborted, nothing else"
    );
    assert_eq!(testing::stored_things(&settings), before - 1);
    // The live upload carries on.
    let rest = pattern(MIN_PART as usize - 10, 5);
    storage
        .write_partial(
            &key,
            live.len() as u64,
            2 * MIN_PART,
            owned(chunked(&rest), false),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");
    storage.complete(&key).await.expect("complete");
    assert_eq!(storage.size(&key).await.expect("size"), Some(2 * MIN_PART));
}

#[actix_web::test]
async fn a_completion_retried_after_it_succeeded_finds_no_such_upload_and_asks_head_object() {
    use crate::db::schema::{s3_parts, s3_uploads};
    use diesel::prelude::*;
    let (storage, dir) = s3_on("moto", |_| {}).await;
    let key = StorageKey::for_video("c", "ch", "twice", "mp4");
    let data = pattern(2 * MIN_PART as usize, 6);
    storage
        .write_partial(
            &key,
            0,
            data.len() as u64,
            owned(chunked(&data), false),
            Phase::Progressive(None),
            None,
        )
        .await
        .expect("write");
    // The state as it was before completing: a crash after S3 completed the upload but before
    // Reel forgot it leaves exactly this behind.
    let pool = crate::db::connect(&dir.path().join("reel.db").to_string_lossy()).expect("db");
    let mut conn = pool.get().expect("connection");
    let upload: crate::db::s3_state::S3Upload =
        s3_uploads::table.first(&mut **conn).expect("state");
    let parts: Vec<crate::db::s3_state::S3Part> = s3_parts::table.load(&mut **conn).expect("parts");
    assert_eq!(parts.len(), 2);
    storage.complete(&key).await.expect("complete");
    diesel::insert_into(s3_uploads::table)
        .values(&upload)
        .execute(&mut **conn)
        .expect("restore");
    for part in &parts {
        diesel::insert_into(s3_parts::table)
            .values(part)
            .execute(&mut **conn)
            .expect("restore");
    }
    storage
        .complete(&key)
        .await
        .expect("NoSuchUpload, then HeadObject says it is complete");
    assert_eq!(
        storage.stored_len(&key).await.expect("state"),
        None,
        "the state is forgotten"
    );
    assert!(read_all(&storage, &key, 0..data.len() as u64).await == data);
}

/// An upload row (and the rows it needs) whose video is stored under `key`.
fn upload_row(pool: &crate::db::DbPool, id: &str, key: &StorageKey, length: usize) {
    use diesel::prelude::*;
    let mut conn = pool.get().expect("connection");
    for sql in [
        "INSERT INTO instructors VALUES ('i', 'a@b', 'A', 'x', 0) ON CONFLICT DO NOTHING".into(),
        "INSERT INTO courses (id, owner_id, title, created_at) VALUES ('c', 'i', 'C', 0) \
         ON CONFLICT DO NOTHING"
            .into(),
        "INSERT INTO chapters (id, course_id, title, position) VALUES ('ch', 'c', 'Ch', 0) \
         ON CONFLICT DO NOTHING"
            .into(),
        format!(
            "INSERT INTO videos (id, chapter_id, title, status, size_bytes, storage_key, \
             content_type, created_at, updated_at) VALUES ('{id}', 'ch', 'V', 'uploading', \
             {length}, '{}', 'video/mp4', 0, 0)",
            key.as_str()
        ),
        format!(
            "INSERT INTO uploads (id, video_id, instructor_id, upload_length, upload_offset, \
             metadata, state, expires_at, created_at, updated_at) VALUES ('{id}', '{id}', 'i', \
             {length}, 0, '{{}}', 'active', 9999999999999, 0, 0)"
        ),
    ] {
        diesel::sql_query(&sql).execute(&mut **conn).expect(&sql);
    }
}

#[actix_web::test]
async fn a_writer_whose_lease_was_taken_over_records_nothing_in_s3_state() {
    use crate::db::leases;
    use crate::services::storage::is_lease_lost;
    let (storage, dir) = s3_on("s3s", |_| {}).await;
    let pool = crate::db::connect(&dir.path().join("reel.db").to_string_lossy()).expect("db");
    // Under a part (only a tail to record) and over two parts (a multipart upload to record).
    for (name, len) in [("small", 10), ("large", 2 * MIN_PART as usize + 10)] {
        let key = StorageKey::for_video("c", "ch", name, "mp4");
        upload_row(&pool, name, &key, len);
        let mut conn = pool.get().expect("connection");
        let stalled = leases::take(&mut conn, name, "a", 1)
            .expect("take")
            .expect("free");
        std::thread::sleep(std::time::Duration::from_millis(20));
        let holder = leases::take(&mut conn, name, "b", 60_000)
            .expect("take")
            .expect("expired, so taken over");
        drop(conn);
        let data = pattern(len, 9);
        let late = storage
            .write_partial(
                &key,
                0,
                len as u64,
                owned(chunked(&data), false),
                Phase::Progressive(None),
                Some(&stalled),
            )
            .await
            .expect_err("the stalled writer's record is refused");
        assert!(is_lease_lost(&late), "{name}: {late}");
        assert_eq!(
            storage.stored_len(&key).await.expect("state"),
            Some(0),
            "{name}: nothing recorded for the stalled writer"
        );
        // A staged write of the holder cannot be committed under the old lease either.
        storage
            .write_partial(
                &key,
                0,
                len as u64,
                owned(chunked(&data), false),
                Phase::Staged,
                Some(&holder),
            )
            .await
            .expect("staged");
        let late = storage
            .commit_staged(&key, 0, len as u64, Some(&stalled))
            .await
            .expect_err("committed under a lost lease");
        assert!(is_lease_lost(&late), "{name}: {late}");
        // The holder's own write is recorded and completes byte for byte.
        storage
            .write_partial(
                &key,
                0,
                len as u64,
                owned(chunked(&data), false),
                Phase::Progressive(None),
                Some(&holder),
            )
            .await
            .expect("the holder writes");
        storage.complete(&key).await.expect("complete");
        assert!(
            read_all(&storage, &key, 0..len as u64).await == data,
            "{name}"
        );
    }
}
