//! Integration tests: each spawns the real application on a free port with its own data
//! directory and talks to it over HTTP. One binary for all of them (faster to link).

mod admin_cli;
mod api_document;
mod audit_trail;
mod auth;
mod bad_input;
mod chapter_races;
mod cluster;
mod cluster_processes;
mod courses;
mod crash;
mod cross_origin;
mod curriculum;
mod deletes;
mod disk_faults;
mod errors;
mod in_flight;
mod limits;
mod lti;
mod media;
mod posters;
mod s3;
mod s3_proxy;
mod security;
mod sign_in;
mod spa;
mod support;
mod uploads;
