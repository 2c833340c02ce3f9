-- Times are milliseconds since the Unix epoch (BIGINT), IDs are server-generated UUID text.
CREATE TABLE instructors (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    -- sha256 of the cookie token: a leaked database does not leak live sessions.
    id TEXT PRIMARY KEY NOT NULL,
    instructor_id TEXT NOT NULL REFERENCES instructors(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions(expires_at);

CREATE TABLE courses (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES instructors(id),
    title TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX courses_owner_id ON courses(owner_id);

CREATE TABLE chapters (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (course_id, position)
);

CREATE TABLE videos (
    id TEXT PRIMARY KEY NOT NULL,
    chapter_id TEXT NOT NULL REFERENCES chapters(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    duration_ms BIGINT,
    width INTEGER,
    height INTEGER,
    -- Server-only: never serialised to a client.
    storage_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT,
    failure_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    purge_after BIGINT,
    purge_attempts INTEGER NOT NULL DEFAULT 0,
    purged_at BIGINT
);
CREATE INDEX videos_chapter_id ON videos(chapter_id, status);
CREATE INDEX videos_purge_after ON videos(purge_after);

CREATE TABLE uploads (
    -- Unguessable: the tus URL is the only handle on an upload besides the session.
    id TEXT PRIMARY KEY NOT NULL,
    video_id TEXT NOT NULL REFERENCES videos(id),
    instructor_id TEXT NOT NULL REFERENCES instructors(id),
    upload_length BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL,
    metadata TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX uploads_expires_at ON uploads(state, expires_at);

-- Append-only: rows are inserted, never updated or deleted by the application.
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    client_ip TEXT,
    request_id TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at ON audit_events(at);
