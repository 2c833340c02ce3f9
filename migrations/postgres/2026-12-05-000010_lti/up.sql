-- LTI 1.3: the platforms (LMSs) an operator registered, their deployments, the tool's own
-- signing keys, logins in progress, nonces already used and who and what a launch maps to.
CREATE TABLE lti_platforms (
    id TEXT PRIMARY KEY NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    auth_url TEXT NOT NULL,
    jwks_url TEXT NOT NULL,
    token_url TEXT,
    -- Origins that may frame Reel's LTI pages, space-separated.
    frame_origins TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (issuer, client_id)
);

CREATE TABLE lti_deployments (
    platform_id TEXT NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    PRIMARY KEY (platform_id, deployment_id)
);

-- The tool's RSA keys: the private half sealed with the server's secret key, so every
-- instance that shares REEL_SECRET_KEY signs with it and a copy of the database alone cannot.
-- A retired key stays published until `retired_at` plus a day.
CREATE TABLE lti_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    sealed_private_key TEXT NOT NULL,
    public_n TEXT NOT NULL,
    public_e TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

-- An OIDC login started and not yet launched: the sha256 of its state, with the nonce the
-- platform must put in the id_token.
CREATE TABLE lti_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    platform_id TEXT NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX lti_logins_expires_at ON lti_logins(expires_at);

-- Every nonce a launch used, once across all instances (the primary key refuses a replay).
CREATE TABLE lti_nonces (
    platform_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (platform_id, nonce)
);
CREATE INDEX lti_nonces_expires_at ON lti_nonces(expires_at);

-- The LMS user (issuer + sub) behind a Reel instructor, and the LMS context behind a course.
CREATE TABLE lti_users (
    platform_id TEXT NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    instructor_id TEXT NOT NULL REFERENCES instructors(id) ON DELETE CASCADE,
    PRIMARY KEY (platform_id, subject)
);

CREATE TABLE lti_contexts (
    platform_id TEXT NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    context_id TEXT NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    PRIMARY KEY (platform_id, context_id)
);

-- Inside an LMS's frame a browser may keep no cookie of Reel's: the app holds a short-lived
-- access token (a row of `sessions`) in memory and renews it with a refresh token. Each
-- refresh token is good once and hands on its family; a used one presented again revokes the
-- whole family (its access tokens included), as a stolen copy would be.
CREATE TABLE lti_refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    family TEXT NOT NULL,
    instructor_id TEXT NOT NULL REFERENCES instructors(id) ON DELETE CASCADE,
    -- The access token issued with it (a `sessions` ID), revoked with the family.
    access_session_id TEXT,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX lti_refresh_tokens_family ON lti_refresh_tokens(family);
