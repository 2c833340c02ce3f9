//! The `reel` command line: `serve` and the `admin` tasks (DESIGN.md, "Public contract").

use crate::services::lti::registry;
use crate::{admin, db, telemetry, Application, Config};
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "reel",
    version,
    about = "Reel: lecture video uploads for course platforms"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (configuration from REEL_* environment variables).
    Serve {
        /// Seed a demo instructor and course into an empty database and print the sign-in.
        #[arg(long)]
        demo: bool,
    },
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
    /// Video storage tasks.
    Storage {
        #[command(subcommand)]
        task: StorageTask,
    },
}

#[derive(Subcommand)]
enum StorageTask {
    /// Copy every stored video from the provider in use (REEL_STORAGE) to the other one,
    /// verifying each copy's sha256. Safe to run again after an interruption.
    Migrate {
        /// The provider to copy to.
        #[arg(long, value_enum)]
        to: Target,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Target {
    /// An S3 bucket (REEL_S3_BUCKET, REEL_S3_REGION, REEL_S3_ENDPOINT, REEL_S3_PREFIX).
    S3,
    /// Files under the data directory.
    Local,
}

#[derive(Subcommand)]
enum AdminTask {
    /// Create an instructor; the password is read from standard input. Prints JSON.
    CreateInstructor {
        /// Email address (the sign-in name).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Set an instructor's password (read from standard input) and end all their sessions.
    /// Prints JSON.
    SetPassword {
        /// The instructor's email.
        #[arg(long)]
        email: String,
    },
    /// Create a course with chapters for an instructor. Prints JSON.
    CreateCourse {
        /// The owning instructor's email.
        #[arg(long)]
        owner: String,
        /// Course title.
        #[arg(long)]
        title: String,
        /// Chapter titles, in order (repeat the flag).
        #[arg(long = "chapter")]
        chapters: Vec<String>,
    },
    /// Register an LMS as an LTI 1.3 platform. Prints JSON with the URLs to give the LMS
    /// (`login_url`, `launch_url`, `jwks_url`, `deep_link_url`).
    AddLtiPlatform {
        /// The platform's issuer (`iss` of its id_tokens).
        #[arg(long)]
        issuer: String,
        /// The client ID the platform gave Reel.
        #[arg(long)]
        client_id: String,
        /// A deployment ID (repeat the flag for several).
        #[arg(long = "deployment-id", required = true)]
        deployment_ids: Vec<String>,
        /// The platform's OIDC authorisation endpoint.
        #[arg(long)]
        auth_url: String,
        /// The platform's public keys (JWK set).
        #[arg(long)]
        jwks_url: String,
        /// The platform's OAuth2 token endpoint.
        #[arg(long)]
        token_url: Option<String>,
        /// An origin that may frame Reel (repeat the flag for several).
        #[arg(long = "frame-origin")]
        frame_origins: Vec<String>,
    },
    /// List the registered LTI platforms. Prints JSON.
    ListLtiPlatforms,
    /// Remove an LTI platform. Prints JSON.
    RemoveLtiPlatform {
        /// The platform's issuer.
        #[arg(long)]
        issuer: String,
        /// Its client ID.
        #[arg(long)]
        client_id: String,
    },
    /// Make a new LTI signing key; the old one stays published for a day. Prints JSON.
    RotateLtiKey,
}

/// Parses the command line and runs it; errors go to stderr with exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let result = actix_web::rt::System::new().block_on(async move {
        let config = Config::from_env()?;
        match cli.command {
            Command::Serve { demo } => serve(config, demo).await,
            Command::Admin { task } => run_admin(config, task).await,
            Command::Storage {
                task: StorageTask::Migrate { to },
            } => migrate(config, to).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let bind_host = config
        .bind
        .rsplit_once(':')
        .map_or("127.0.0.1", |(h, _)| h)
        .to_string();
    let app = Application::build(config).await?;
    let url = format!("http://{}:{}", display_host(&bind_host), app.port());
    if demo {
        let password = std::env::var("REEL_DEMO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty());
        if let Some(password) = admin::seed_demo(&app.state().pool, password).await? {
            println!(
                "Demo data created. Sign in at {url} as {} with password {password}",
                admin::DEMO_EMAIL
            );
            println!("(This password is shown only once.)");
        }
    }
    // Signal handlers go in before "listening" is printed: whoever starts us may stop us at once.
    let stop = shutdown_signal()?;
    let handle = app.handle();
    actix_web::rt::spawn(async move {
        stop.await;
        tracing::info!("shutting down: finishing requests in flight");
        handle.stop(true).await;
    });
    println!("Reel is listening on {url}");
    tracing::info!(%url, "listening");
    app.run_until_stopped().await?;
    Ok(())
}

fn display_host(host: &str) -> &str {
    match host {
        "0.0.0.0" | "" => "127.0.0.1",
        other => other,
    }
}

/// Registers SIGTERM and SIGINT now; the returned future ends at the first of them. Both drain
/// requests in flight (actix's own handling would stop at once on SIGINT).
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (mut term, mut int) = (
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
        );
        Ok(async move {
            tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

async fn migrate(config: Config, to: Target) -> anyhow::Result<()> {
    use crate::config::StorageKind;
    use crate::services::storage::migrate;
    let target = match to {
        Target::S3 => StorageKind::S3,
        Target::Local => StorageKind::Local,
    };
    anyhow::ensure!(
        config.storage != target,
        "REEL_STORAGE says the videos are in {} already; set it to where they are now",
        kind_name(target)
    );
    crate::private_files::secure_dir(&config.data_dir)?;
    let pool = db::connect(&config.effective_database_url())?;
    let from = crate::startup::open_storage(&config, &pool).await?;
    let to_config = Config {
        storage: target,
        ..config.clone()
    };
    let to = crate::startup::open_storage(&to_config, &pool).await?;
    let started = std::time::Instant::now();
    let summary = migrate::run(&pool, from.as_ref(), to.as_ref(), |step| {
        let filled = 30 * step.done / step.total.max(1);
        eprint!(
            "\r[{}{}] {}/{} videos, {}",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            step.done,
            step.total,
            shared::media::human_bytes(step.bytes)
        );
    })
    .await;
    eprintln!();
    let summary = summary?;
    println!(
        "Copied {} videos, {} were there already, {} had nothing finished to copy ({} in {:.0} s).",
        summary.copied,
        summary.already_there,
        summary.nothing_stored,
        shared::media::human_bytes(summary.bytes),
        started.elapsed().as_secs_f64()
    );
    if summary.nothing_stored > 0 {
        println!("Unfinished uploads are not copied: they restart after the switch.");
    }
    match target {
        StorageKind::S3 => println!(
            "Every video is in S3 now. To switch, set REEL_STORAGE=s3 (keeping the REEL_S3_* \
             settings used here) and restart Reel. The files under {} stay until you remove them.",
            config.data_dir.join("media").display()
        ),
        StorageKind::Local => println!(
            "Every video is on local disk now, under {}. To switch, set REEL_STORAGE=local and \
             restart Reel. The objects in the bucket stay until you remove them.",
            config.data_dir.join("media").display()
        ),
    }
    Ok(())
}

fn kind_name(kind: crate::config::StorageKind) -> &'static str {
    match kind {
        crate::config::StorageKind::S3 => "S3",
        crate::config::StorageKind::Local => "local storage",
    }
}

/// The server's secret key, as `serve` finds it (the LTI key is sealed with it).
fn secret(config: &Config) -> anyhow::Result<crate::config::SecretKey> {
    match &config.secret_key {
        Some(key) => Ok(key.clone()),
        None => crate::config::SecretKey::load_or_generate(&config.data_dir),
    }
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

async fn run_admin(config: Config, task: AdminTask) -> anyhow::Result<()> {
    crate::private_files::secure_dir(&config.data_dir)?;
    let pool = db::connect(&config.effective_database_url())?;
    let json = match task {
        AdminTask::CreateInstructor { email, name } => {
            let password = read_password()?;
            serde_json::to_string(
                &admin::create_instructor(&pool, &email, &name, &password).await?,
            )?
        }
        AdminTask::SetPassword { email } => {
            let password = read_password()?;
            serde_json::to_string(&admin::set_password(&pool, &email, &password).await?)?
        }
        AdminTask::CreateCourse {
            owner,
            title,
            chapters,
        } => serde_json::to_string(&admin::create_course(&pool, &owner, &title, &chapters).await?)?,
        AdminTask::AddLtiPlatform {
            issuer,
            client_id,
            deployment_ids,
            auth_url,
            jwks_url,
            token_url,
            frame_origins,
        } => {
            let new = registry::NewPlatform {
                issuer,
                client_id,
                deployment_ids,
                auth_url,
                jwks_url,
                token_url,
                frame_origins,
            };
            let public = config.public_origin.as_deref();
            serde_json::to_string(
                &registry::add_platform(&pool, &secret(&config)?, public, new).await?,
            )?
        }
        AdminTask::ListLtiPlatforms => serde_json::to_string(
            &registry::list_platforms(&pool, config.public_origin.as_deref()).await?,
        )?,
        AdminTask::RemoveLtiPlatform { issuer, client_id } => {
            registry::remove_platform(&pool, &issuer, &client_id).await?;
            serde_json::json!({ "removed": true, "issuer": issuer, "client_id": client_id })
                .to_string()
        }
        AdminTask::RotateLtiKey => {
            let key = registry::rotate_key(&pool, &secret(&config)?).await?;
            serde_json::json!({ "kid": key.kid }).to_string()
        }
    };
    println!("{json}");
    Ok(())
}
