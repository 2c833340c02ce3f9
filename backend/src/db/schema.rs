//! Diesel table definitions, matching `migrations/sqlite`.

diesel::table! {
    instructors (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        instructor_id -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    courses (id) {
        id -> Text,
        owner_id -> Text,
        title -> Text,
        created_at -> BigInt,
        description -> Text,
    }
}

diesel::table! {
    chapters (id) {
        id -> Text,
        course_id -> Text,
        title -> Text,
        position -> Integer,
        deleted_at -> Nullable<BigInt>,
        deleted_position -> Nullable<Integer>,
    }
}

diesel::table! {
    videos (id) {
        id -> Text,
        chapter_id -> Text,
        title -> Text,
        status -> Text,
        size_bytes -> BigInt,
        duration_ms -> Nullable<BigInt>,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        storage_key -> Text,
        content_type -> Text,
        sha256 -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        deleted_at -> Nullable<BigInt>,
        purge_after -> Nullable<BigInt>,
        purge_attempts -> Integer,
        purged_at -> Nullable<BigInt>,
        deleted_from -> Nullable<Text>,
        process_holder -> Nullable<Text>,
        process_until -> BigInt,
        position -> Integer,
        has_poster -> Bool,
    }
}

diesel::table! {
    uploads (id) {
        id -> Text,
        video_id -> Text,
        instructor_id -> Text,
        upload_length -> BigInt,
        upload_offset -> BigInt,
        metadata -> Text,
        state -> Text,
        expires_at -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
        cleaned_at -> Nullable<BigInt>,
        lease_holder -> Nullable<Text>,
        lease_number -> BigInt,
        lease_until -> BigInt,
        lease_release_asked -> Bool,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> BigInt,
        actor -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        outcome -> Text,
        client_ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        details -> Text,
        repeats -> BigInt,
        last_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    sign_in_throttles (key) {
        key -> Text,
        failures -> Integer,
        last_failure_at -> BigInt,
        blocked_until -> BigInt,
    }
}

diesel::joinable!(sessions -> instructors (instructor_id));
diesel::joinable!(courses -> instructors (owner_id));
diesel::joinable!(chapters -> courses (course_id));
diesel::joinable!(videos -> chapters (chapter_id));
diesel::joinable!(uploads -> videos (video_id));

diesel::table! {
    s3_uploads (storage_key) {
        storage_key -> Text,
        multipart_id -> Nullable<Text>,
        part_size -> BigInt,
        tail_key -> Nullable<Text>,
        tail_len -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    s3_parts (storage_key, part_number) {
        storage_key -> Text,
        part_number -> Integer,
        size -> BigInt,
        etag -> Text,
    }
}

diesel::table! {
    s3_garbage (object_key) {
        object_key -> Text,
        since -> BigInt,
    }
}

diesel::joinable!(s3_parts -> s3_uploads (storage_key));

diesel::table! {
    singleton_leases (name) {
        name -> Text,
        holder -> Text,
        until -> BigInt,
    }
}

diesel::table! {
    lti_platforms (id) {
        id -> Text,
        issuer -> Text,
        client_id -> Text,
        auth_url -> Text,
        jwks_url -> Text,
        token_url -> Nullable<Text>,
        frame_origins -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    lti_deployments (platform_id, deployment_id) {
        platform_id -> Text,
        deployment_id -> Text,
    }
}

diesel::table! {
    lti_keys (kid) {
        kid -> Text,
        sealed_private_key -> Text,
        public_n -> Text,
        public_e -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    lti_logins (state_hash) {
        state_hash -> Text,
        platform_id -> Text,
        nonce -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    lti_nonces (platform_id, nonce) {
        platform_id -> Text,
        nonce -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    lti_users (platform_id, subject) {
        platform_id -> Text,
        subject -> Text,
        instructor_id -> Text,
    }
}

diesel::table! {
    lti_contexts (platform_id, context_id) {
        platform_id -> Text,
        context_id -> Text,
        course_id -> Text,
    }
}

diesel::table! {
    lti_refresh_tokens (token_hash) {
        token_hash -> Text,
        family -> Text,
        instructor_id -> Text,
        access_session_id -> Nullable<Text>,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    instructors,
    sessions,
    courses,
    chapters,
    videos,
    uploads,
    audit_events,
    sign_in_throttles,
    s3_uploads,
    s3_parts,
    s3_garbage,
    singleton_leases,
    lti_platforms,
    lti_deployments,
    lti_keys,
    lti_logins,
    lti_nonces,
    lti_users,
    lti_contexts,
    lti_refresh_tokens,
);
