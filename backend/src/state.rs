//! The shared state every request and background task gets.

use crate::config::{Config, SecretKey};
use crate::db::DbPool;
use crate::services::storage::Storage;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A storage provider shared across worker threads.
pub type SharedStorage = Arc<dyn Storage + Send + Sync>;

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
    /// Uploads with a request writing to them right now (one writer per upload), each with
    /// the switch that tells that request to stop.
    pub upload_locks: Arc<Mutex<HashMap<String, watch::Sender<bool>>>>,
    /// Bounds how many finished uploads are probed at once (it reads the whole file).
    pub probes: Arc<crate::services::probe_queue::ProbeQueue>,
}

/// Holds an upload's write lock until dropped.
pub struct UploadLock {
    locks: Arc<Mutex<HashMap<String, watch::Sender<bool>>>>,
    id: String,
    /// Turns `true` when the upload was ended (terminated, its video deleted) meanwhile.
    pub stop: watch::Receiver<bool>,
}

impl AppState {
    /// Takes the write lock of an upload, or `None` if another request holds it.
    pub fn lock_upload(&self, id: &str) -> Option<UploadLock> {
        let mut held = self.upload_locks.lock().unwrap_or_else(|p| p.into_inner());
        if held.contains_key(id) {
            return None;
        }
        let (switch, stop) = watch::channel(false);
        held.insert(id.to_string(), switch);
        Some(UploadLock {
            locks: self.upload_locks.clone(),
            id: id.to_string(),
            stop,
        })
    }

    /// Tells the request writing to an upload, if any, to stop: the upload has ended.
    pub fn stop_upload(&self, id: &str) {
        let held = self.upload_locks.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(switch) = held.get(id) {
            let _ = switch.send(true);
        }
    }
}

impl Drop for UploadLock {
    fn drop(&mut self) {
        self.locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}
