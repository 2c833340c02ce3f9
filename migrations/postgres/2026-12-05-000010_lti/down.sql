DROP TABLE lti_refresh_tokens;
DROP TABLE lti_contexts;
DROP TABLE lti_users;
DROP TABLE lti_nonces;
DROP TABLE lti_logins;
DROP TABLE lti_keys;
DROP TABLE lti_deployments;
DROP TABLE lti_platforms;
