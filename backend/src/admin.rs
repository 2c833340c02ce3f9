//! Operator tasks shared by the `reel admin` commands, the demo seed and the tests.

use crate::db::{self, models, DbPool};
use crate::services::passwords;
use serde::Serialize;

/// A failed admin task, in words for the operator.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Bad input.
    #[error("{0}")]
    Invalid(String),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What `create-instructor` prints.
#[derive(Debug, Serialize)]
pub struct CreatedInstructor {
    /// ID.
    pub id: String,
    /// Email as stored.
    pub email: String,
    /// Name.
    pub name: String,
}

/// A chapter in `create-course`'s output.
#[derive(Debug, Serialize)]
pub struct CreatedChapter {
    /// ID.
    pub id: String,
    /// Title.
    pub title: String,
}

/// What `create-course` prints.
#[derive(Debug, Serialize)]
pub struct CreatedCourse {
    /// ID.
    pub course_id: String,
    /// Chapters in order.
    pub chapters: Vec<CreatedChapter>,
}

/// Creates an instructor account.
pub async fn create_instructor(
    pool: &DbPool,
    email: &str,
    name: &str,
    password: &str,
) -> Result<CreatedInstructor, AdminError> {
    let email = email.trim().to_lowercase();
    let name = name.trim().to_string();
    if !email.contains('@') || email.len() > 320 {
        return Err(AdminError::Invalid(format!(
            "`{email}` is not an email address"
        )));
    }
    if name.is_empty() {
        return Err(AdminError::Invalid("the name must not be empty".into()));
    }
    if password.chars().count() < passwords::MIN_LENGTH {
        return Err(AdminError::Invalid(format!(
            "the password must be at least {} characters",
            passwords::MIN_LENGTH
        )));
    }
    let password_hash = passwords::hash(password)?;
    let row = models::Instructor {
        id: crate::services::tokens::new_id(),
        email: email.clone(),
        name: name.clone(),
        password_hash,
        created_at: crate::clock::now_ms(),
    };
    let id = row.id.clone();
    let taken = db::write(pool, move |conn| {
        if db::instructors::by_email(conn, &row.email)?.is_some() {
            return Ok(true);
        }
        db::instructors::insert(conn, &row)?;
        Ok(false)
    })
    .await?;
    if taken {
        return Err(AdminError::Invalid(format!(
            "an instructor with email {email} already exists"
        )));
    }
    Ok(CreatedInstructor { id, email, name })
}

/// What `set-password` prints.
#[derive(Debug, Serialize)]
pub struct PasswordChanged {
    /// The instructor's ID.
    pub id: String,
    /// Sessions ended (every one the instructor had: stolen ones too).
    pub sessions_ended: usize,
}

/// Sets an instructor's password and ends all their sessions in the same transaction, so a
/// session opened with the old password does not outlive it.
pub async fn set_password(
    pool: &DbPool,
    email: &str,
    password: &str,
) -> Result<PasswordChanged, AdminError> {
    let email = email.trim().to_lowercase();
    if password.chars().count() < passwords::MIN_LENGTH {
        return Err(AdminError::Invalid(format!(
            "the password must be at least {} characters",
            passwords::MIN_LENGTH
        )));
    }
    let password_hash = passwords::hash(password)?;
    let lookup = email.clone();
    let changed = db::write(pool, move |conn| {
        Ok(db::instructors::set_password(
            conn,
            &lookup,
            &password_hash,
        )?)
    })
    .await?;
    let (id, sessions_ended) =
        changed.ok_or_else(|| AdminError::Invalid(format!("no instructor has email {email}")))?;
    Ok(PasswordChanged { id, sessions_ended })
}

/// Creates a course owned by the instructor with `owner_email`, with chapters in order.
pub async fn create_course(
    pool: &DbPool,
    owner_email: &str,
    title: &str,
    chapter_titles: &[String],
) -> Result<CreatedCourse, AdminError> {
    // The same rule as the browser's: trimmed, 1–200 characters, one line.
    let invalid = |what: &str, problem: shared::titles::TitleProblem| {
        AdminError::Invalid(format!("{what}: {}", problem.message()))
    };
    let title = shared::titles::clean_title(title).map_err(|p| invalid("the course title", p))?;
    let chapter_titles: Vec<String> = chapter_titles
        .iter()
        .map(|t| shared::titles::clean_title(t).map_err(|p| invalid("a chapter title", p)))
        .collect::<Result<_, _>>()?;
    let owner_email = owner_email.trim().to_lowercase();
    let lookup = owner_email.clone();
    let owner = db::run(pool, move |conn| {
        Ok(db::instructors::by_email(conn, &lookup)?)
    })
    .await?
    .ok_or_else(|| AdminError::Invalid(format!("no instructor has email {owner_email}")))?;
    let course = models::Course {
        id: crate::services::tokens::new_id(),
        owner_id: owner.id,
        title,
        created_at: crate::clock::now_ms(),
        description: String::new(),
    };
    let chapters: Vec<models::Chapter> = chapter_titles
        .iter()
        .zip(0..)
        .map(|(t, position)| models::Chapter {
            id: crate::services::tokens::new_id(),
            course_id: course.id.clone(),
            title: t.clone(),
            position,
        })
        .collect();
    let created = CreatedCourse {
        course_id: course.id.clone(),
        chapters: chapters
            .iter()
            .map(|c| CreatedChapter {
                id: c.id.clone(),
                title: c.title.clone(),
            })
            .collect(),
    };
    db::write(pool, move |conn| {
        Ok(db::courses::insert_with_chapters(conn, &course, &chapters)?)
    })
    .await?;
    Ok(created)
}

/// The demo account's email.
pub const DEMO_EMAIL: &str = "demo@reel.local";

/// Seeds a demo instructor and course into an empty database. Returns the password when it
/// seeded (so it can be printed once), `None` when the database already had instructors.
pub async fn seed_demo(
    pool: &DbPool,
    password: Option<String>,
) -> Result<Option<String>, AdminError> {
    if db::run(pool, |conn| Ok(db::instructors::count(conn)?)).await? > 0 {
        return Ok(None);
    }
    let password = password.unwrap_or_else(|| {
        // 12 characters from an alphabet without look-alikes, easy to type from the terminal.
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
        let mut rng = rand::thread_rng();
        (0..12)
            .map(|_| ALPHABET[rand::Rng::gen_range(&mut rng, 0..ALPHABET.len())] as char)
            .collect()
    });
    create_instructor(pool, DEMO_EMAIL, "Demo Instructor", &password).await?;
    create_course(
        pool,
        DEMO_EMAIL,
        "Introduction to Video Production",
        &[
            "Getting started".to_string(),
            "Lighting and sound".to_string(),
        ],
    )
    .await?;
    Ok(Some(password))
}
