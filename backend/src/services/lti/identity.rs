//! Who and what a launch stands for in Reel: the LMS user (issuer + `sub`) is an instructor,
//! the LMS context a course, both made on the first launch.

use super::launch::{Context, Launch};
use crate::db::{self, lti, models, DbPool};
use crate::services::tokens;

/// The instructor behind the LMS user and the course behind the LMS context, made on the
/// first launch. A context's course belongs to the instructor who launched it first; for
/// another manager of the same context this is `None` (until courses have several staff).
pub async fn enter(
    pool: &DbPool,
    platform: &lti::Platform,
    claims: &Launch,
    context: &Context,
) -> anyhow::Result<Option<(String, String)>> {
    let (pid, claims, context) = (platform.id.clone(), claims.clone(), context.clone());
    db::write(pool, move |conn| {
        let entered = db::write_tx(conn, |conn| {
            let instructor = match lti::instructor_of(conn, &pid, &claims.subject)? {
                Some(id) => id,
                None => {
                    let id = tokens::new_id();
                    let row = models::Instructor {
                        id: id.clone(),
                        // Not a sign-in name: LTI users never sign in with a password, and an
                        // LMS must not be able to claim an account by its email.
                        email: format!("{}@lti.invalid", tokens::new_id()),
                        name: claims
                            .name
                            .clone()
                            .filter(|n| !n.trim().is_empty())
                            .unwrap_or_else(|| "Instructor".into()),
                        // No password verifies against this.
                        password_hash: "!lti".into(),
                        created_at: crate::clock::now_ms(),
                    };
                    db::instructors::insert(conn, &row)?;
                    lti::link_user(conn, &pid, &claims.subject, &id)?;
                    id
                }
            };
            let course = match lti::course_of(conn, &pid, &context.id)? {
                Some(id) => id,
                None => {
                    let id = tokens::new_id();
                    let title = context
                        .title
                        .clone()
                        .or(context.label.clone())
                        .filter(|t| !t.trim().is_empty())
                        .unwrap_or_else(|| "Course".into());
                    let course = models::Course {
                        id: id.clone(),
                        owner_id: instructor.clone(),
                        title: title.chars().take(200).collect(),
                        created_at: crate::clock::now_ms(),
                        description: String::new(),
                    };
                    db::courses::insert_with_chapters(conn, &course, &[])?;
                    lti::link_context(conn, &pid, &context.id, &id)?;
                    id
                }
            };
            let owner = db::courses::owner_of(conn, &course)?;
            if owner.as_deref() != Some(instructor.as_str()) {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            Ok((instructor, course))
        });
        match entered {
            Ok(pair) => Ok(Some(pair)),
            // The context's course belongs to another instructor.
            Err(diesel::result::Error::RollbackTransaction) => Ok(None),
            Err(other) => Err(other.into()),
        }
    })
    .await
}
