//! The shared state every request and background task gets.

use crate::config::{Config, SecretKey};
use crate::db::DbPool;
use crate::services::storage::Storage;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A storage provider shared across worker threads.
pub type SharedStorage = Arc<dyn Storage + Send + Sync>;

/// Why a request writing to an upload is told to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The upload ended (terminated, expired, its video deleted).
    Ended,
    /// Another request asked for the upload while this one's body had gone quiet.
    Yielded,
    /// Its lease was taken over (it stalled past the lease term).
    LeaseLost,
}

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
    /// Requests writing to an upload on this instance, each with the switch that tells it to
    /// stop. Not a lock: who may write is the upload's lease, in the database.
    pub upload_writers: Arc<Mutex<HashMap<String, watch::Sender<Option<StopReason>>>>>,
    /// Bounds how many finished uploads are probed at once (it reads the whole file).
    pub probes: Arc<crate::services::probe_queue::ProbeQueue>,
}

/// Registers a request writing to an upload until dropped.
pub struct UploadWriter {
    writers: Arc<Mutex<HashMap<String, watch::Sender<Option<StopReason>>>>>,
    id: String,
    /// Turns `Some` when the request must stop.
    pub stop: watch::Receiver<Option<StopReason>>,
}

impl AppState {
    /// Registers the request that holds an upload's lease on this instance.
    pub fn register_writer(&self, id: &str) -> UploadWriter {
        let (switch, stop) = watch::channel(None);
        self.upload_writers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), switch);
        UploadWriter {
            writers: self.upload_writers.clone(),
            id: id.to_string(),
            stop,
        }
    }

    /// Tells the request writing to an upload on this instance, if any, to stop. (One on
    /// another instance learns at its next lease renewal.)
    pub fn stop_upload(&self, id: &str, why: StopReason) {
        let held = self
            .upload_writers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(switch) = held.get(id) {
            let _ = switch.send(Some(why));
        }
    }
}

impl Drop for UploadWriter {
    fn drop(&mut self) {
        let mut writers = self.writers.lock().unwrap_or_else(|p| p.into_inner());
        // Only our own entry: a later request may have registered since.
        if writers
            .get(&self.id)
            .is_some_and(|s| s.subscribe().same_channel(&self.stop))
        {
            writers.remove(&self.id);
        }
    }
}
