//! The shared state every request gets, and the slices of it each service takes: a service
//! is handed what it uses (its pool, storage, limits, this instance's name), never all of it.

use crate::config::{Config, SecretKey};
use crate::db::DbPool;
use crate::services::janitor::Janitor;
use crate::services::probe_queue::ProbeQueue;
use crate::services::processing::Processing;
use crate::services::upload_lease::Leases;
use crate::services::upload_writers::UploadWriters;
use crate::services::uploads::{UploadLimits, Uploads};
use crate::services::videos::Videos;
use std::sync::Arc;

/// The storage provider shared across worker threads (defined with the providers).
pub use crate::services::storage::SharedStorage;

/// Shared state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Database pool.
    pub pool: DbPool,
    /// Effective configuration.
    pub config: Arc<Config>,
    /// Signing key.
    pub secret: SecretKey,
    /// Where video bytes live.
    pub storage: SharedStorage,
    /// This instance's name in upload leases and work claims (random per start).
    pub instance: Arc<str>,
    /// Requests writing to an upload on this instance.
    pub writers: UploadWriters,
    /// Bounds how many finished uploads are probed at once (it reads the whole file).
    pub probes: Arc<ProbeQueue>,
    /// Makes posters, when ffmpeg runs here.
    pub posters: Option<crate::services::media::Posters>,
}

impl AppState {
    /// What processing a finished upload takes.
    pub fn processing(&self) -> Processing {
        Processing {
            pool: self.pool.clone(),
            storage: self.storage.clone(),
            probes: self.probes.clone(),
            instance: self.instance.clone(),
            posters: self.posters.clone(),
        }
    }

    /// What holding upload leases takes.
    pub fn leases(&self) -> Leases {
        Leases {
            pool: self.pool.clone(),
            instance: self.instance.clone(),
            term_ms: self.config.upload_lease_ms,
            writers: self.writers.clone(),
        }
    }

    /// What the upload lifecycle takes.
    pub fn uploads(&self) -> Uploads {
        let c = &self.config;
        Uploads {
            pool: self.pool.clone(),
            storage: self.storage.clone(),
            limits: UploadLimits {
                upload_expiry_secs: c.upload_expiry_secs,
                upload_idle_secs: c.upload_idle_secs,
                min_free_bytes: c.min_free_bytes,
                max_upload_bytes: c.max_upload_bytes,
                max_active_uploads: c.max_active_uploads,
                max_active_upload_bytes: c.max_active_upload_bytes,
            },
            leases: self.leases(),
            processing: self.processing(),
            writers: self.writers.clone(),
        }
    }

    /// What deleting, restoring and purging videos takes.
    pub fn videos(&self) -> Videos {
        Videos {
            pool: self.pool.clone(),
            storage: self.storage.clone(),
            instance: self.instance.clone(),
            delete_grace_secs: self.config.delete_grace_secs,
            writers: self.writers.clone(),
            processing: self.processing(),
        }
    }

    /// What the janitor takes.
    pub fn janitor(&self) -> Janitor {
        Janitor {
            pool: self.pool.clone(),
            storage: self.storage.clone(),
            instance: self.instance.clone(),
            janitor_interval_secs: self.config.janitor_interval_secs,
            videos: self.videos(),
            uploads: self.uploads(),
        }
    }
}
