//! Builds the application from a [`Config`]: database, secret, routes, middleware, listener.
//! Binding port 0 gives a free port, which is how every integration test runs its own server.

use crate::config::{Config, SecretKey, StorageKind};
use crate::http::{cross_site, errors, security_headers, spa};
use crate::services::{
    janitor,
    probe_queue::ProbeQueue,
    storage::{LocalStorage, S3Settings, S3Storage},
};
use crate::state::{AppState, SharedStorage};
use crate::{actions, db};
use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Compress;
use actix_web::{web, App, HttpMessage, HttpServer, ResponseError};
use anyhow::Context;
use futures_util::future::{ready, Either};
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::{RequestId, TracingLogger};

fn prepare_data_dir(config: &Config) -> anyhow::Result<()> {
    crate::private_files::secure_dir(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })
}

/// The configured storage provider, checked: a missing bucket or refused credentials stops
/// the start with a message that names the setting.
pub async fn open_storage(config: &Config, pool: &db::DbPool) -> anyhow::Result<SharedStorage> {
    Ok(match config.storage {
        StorageKind::Local => Arc::new(LocalStorage::new(config.data_dir.join("media"))),
        StorageKind::S3 => {
            Arc::new(S3Storage::connect(S3Settings::from_config(config)?, pool.clone()).await?)
        }
    })
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    state: AppState,
    server: Server,
}

impl Application {
    /// Opens the database (applying migrations), loads the secret, opens the configured
    /// storage and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        prepare_data_dir(&config)?;
        let pool = db::connect(&config.effective_database_url())?;
        let storage = open_storage(&config, &pool).await?;
        Self::assemble(config, pool, storage)
    }

    /// [`Application::build`] with a given storage provider (tests inject faults this way).
    pub async fn build_with_storage(
        config: Config,
        storage: SharedStorage,
    ) -> anyhow::Result<Self> {
        prepare_data_dir(&config)?;
        let pool = db::connect(&config.effective_database_url())?;
        Self::assemble(config, pool, storage)
    }

    fn assemble(config: Config, pool: db::DbPool, storage: SharedStorage) -> anyhow::Result<Self> {
        if pool.backend() == db::Backend::Sqlite {
            let mut conn = pool.get().context("cannot open the database")?;
            db::leases::forget_previous_runs(&mut conn).context("cannot reset upload leases")?;
            db::work::forget_previous_runs(&mut conn).context("cannot reset work claims")?;
        }
        let secret = match &config.secret_key {
            Some(key) => key.clone(),
            None => SecretKey::load_or_generate(&config.data_dir)?,
        };
        let listener = TcpListener::bind(&config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let interval = std::time::Duration::from_secs(config.janitor_interval_secs);
        let posters = crate::services::media::Posters::detect(&config.ffmpeg);
        if posters.is_none() {
            tracing::warn!(
                ffmpeg = %config.ffmpeg,
                "posters are off: ffmpeg does not run here (install it, or set REEL_FFMPEG); videos still become ready"
            );
        }
        let state = AppState {
            pool,
            config: Arc::new(config),
            secret,
            storage,
            instance: crate::services::tokens::new_token()[..16].into(),
            writers: Default::default(),
            probes: Arc::new(ProbeQueue::new(crate::services::probe_queue::SLOTS)),
            posters,
        };
        let server = server(listener, state.clone())?;
        janitor::spawn(state.janitor(), interval);
        crate::services::processing::spawn_worker(state.processing());
        Ok(Self {
            port,
            state,
            server,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use its pool to arrange data).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped through the handle.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Headers a cross-origin tus client must read (the embed widget runs on the LMS's origin).
const EXPOSED: [&str; 12] = [
    "Location",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Expires",
    "Upload-Metadata",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Tus-Checksum-Algorithm",
    "Reel-Video-Id",
    "X-Request-Id",
];
const ALLOWED: [&str; 10] = [
    "Authorization",
    "Content-Type",
    "Tus-Resumable",
    "Upload-Length",
    "Upload-Offset",
    "Upload-Metadata",
    "Upload-Checksum",
    "Upload-Defer-Length",
    "X-Requested-With",
    "X-HTTP-Method-Override",
];

/// CORS for the app's own origin and the configured ones (`http::cross_site`).
fn cors(config: Arc<Config>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            cross_site::is_allowed(origin.to_str().unwrap_or_default(), head, &config)
        })
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers(ALLOWED)
        .expose_headers(EXPOSED)
        .supports_credentials()
        .max_age(3600)
}

fn server(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let config = state.config.clone();
    let secure = state.config.cookie_secure;
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let refuse_config = config.clone();
        App::new()
            .app_data(data.clone())
            .app_data(errors::json_config())
            .app_data(errors::path_config())
            .app_data(errors::query_config())
            .wrap(Compress::default())
            .wrap_fn(move |req, srv| {
                // A cross-site write never reaches an action (`http::cross_site`).
                match cross_site::refusal(req.head(), &refuse_config) {
                    Some(refused) => {
                        let res = req.into_response(refused.error_response());
                        Either::Left(ready(Ok(res)))
                    }
                    None => {
                        let fut = srv.call(req);
                        Either::Right(async move { Ok(fut.await?.map_into_boxed_body()) })
                    }
                }
            })
            .wrap_fn(move |req, srv| {
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    security_headers::apply(res.headers_mut(), secure);
                    Ok(res)
                }
            })
            .wrap_fn(|req, srv| {
                // Echo the request id so a user's bug report can be matched to the logs.
                let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                        res.headers_mut()
                            .insert(HeaderName::from_static("x-request-id"), value);
                    }
                    Ok(res)
                }
            })
            .wrap(cors(config.clone()))
            .wrap_fn(|req, srv| {
                // actix-cors says "credentials allowed" on every answer; only an answer to an
                // allowed origin may.
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    let headers = res.headers_mut();
                    if !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
                        headers.remove(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
                    }
                    Ok(res)
                }
            })
            .wrap(TracingLogger::<crate::telemetry::RedactedRootSpan>::new())
            .configure(actions::configure)
            .default_service(web::to(spa::fallback))
    })
    // Signals are handled by the CLI so SIGINT and SIGTERM both drain in-flight requests.
    .disable_signals()
    .shutdown_timeout(30)
    // Longer than a balancer's idle timeout (nginx's upstream keepalive_timeout and an AWS
    // ALB's are 60 s): the balancer lets an idle connection go first. The other way round, a
    // request it sends as Reel closes the connection is lost, and a POST cannot be resent.
    .keep_alive(std::time::Duration::from_secs(75))
    .listen(listener)?
    .run();
    Ok(server)
}
