-- What the S3 provider has stored of each unfinished upload: the truth for resuming and
-- completing, never S3's own ListParts or `.info` objects.
CREATE TABLE s3_uploads (
    storage_key TEXT PRIMARY KEY NOT NULL,
    -- NULL until the first whole part is sent.
    multipart_id TEXT,
    -- Every part but the last is this long (fixed absolute offsets).
    part_size BIGINT NOT NULL,
    -- Bytes past the last part, kept between requests as an object of their own.
    tail_key TEXT,
    tail_len BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE s3_parts (
    storage_key TEXT NOT NULL REFERENCES s3_uploads (storage_key) ON DELETE CASCADE,
    part_number INTEGER NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (storage_key, part_number)
);

-- Temporary objects no row needs any more (replaced tails, tails a crash left unrecorded):
-- the janitor deletes them once `since` is old enough that no write still uses them.
CREATE TABLE s3_garbage (
    object_key TEXT PRIMARY KEY NOT NULL,
    since BIGINT NOT NULL
);
