//! Building a course: new courses, renames, chapters added, renamed, reordered, deleted and
//! brought back. Each change is optimistic on the course list (`QueryKey::Courses`), through
//! [`optimistic::run`].

use super::optimistic::{self, current_order, ordered_by, pending_id, say_refused, STALE_ORDER};
use super::upload;
use crate::api::{self, ClientError};
use crate::components::format;
use crate::in_turn::in_turn;
use crate::query::{QueryClient, QueryKey};
use crate::stores::announce::announce;
use crate::stores::{toast, toast_with, ToastAction, ToastKind};
use shared::dto::{ChapterDto, CourseDto};
use shared::{ChapterId, CourseId};
use std::future::Future;
use yew::Callback;

type Courses = Vec<CourseDto>;

/// `courses` with `course_id` changed by `f`.
fn with_course(courses: &Courses, course_id: &str, f: impl FnOnce(&mut CourseDto)) -> Courses {
    let mut out = courses.clone();
    if let Some(c) = out.iter_mut().find(|c| c.id.as_str() == course_id) {
        f(c);
    }
    out
}

/// Positions follow the list's order (the server keeps them dense too).
fn renumber(chapters: &mut [ChapterDto]) {
    for (i, ch) in chapters.iter_mut().enumerate() {
        ch.position = i as i32;
    }
}

/// One optimistic change to one course of the course list: `change` edits the course (its
/// chapters are renumbered after it); the rest is [`optimistic::run`]'s.
fn on_course<R, Fut>(
    client: &QueryClient,
    course_id: &str,
    change: impl FnOnce(&mut CourseDto),
    send: Fut,
    settle: impl FnOnce(&QueryClient, R) + 'static,
    refused: impl FnOnce(&QueryClient, &ClientError) + 'static,
) where
    R: 'static,
    Fut: Future<Output = Result<R, ClientError>> + 'static,
{
    let edit = |list: &Courses| {
        with_course(list, course_id, |c| {
            change(c);
            renumber(&mut c.chapters);
        })
    };
    optimistic::run(client, QueryKey::Courses, edit, send, settle, refused);
}

/// Creates a course: its card shows at once; `then` gets the server's course.
pub fn create_course(
    client: &QueryClient,
    title: String,
    description: Option<String>,
    then: Callback<CourseDto>,
) {
    let temp = pending_id();
    let card = CourseDto {
        id: CourseId(temp.clone()),
        title: title.clone(),
        description: description.clone().unwrap_or_default(),
        chapters: Vec::new(),
    };
    optimistic::run(
        client,
        QueryKey::Courses,
        move |list: &Courses| {
            let mut list = list.clone();
            list.push(card);
            list
        },
        api::courses::create(title.clone(), description),
        move |client, course: CourseDto| {
            let made = course.clone();
            client.update::<Courses>(&QueryKey::Courses, move |list| {
                list.iter()
                    .map(|c| {
                        if c.id.as_str() == temp {
                            made.clone()
                        } else {
                            c.clone()
                        }
                    })
                    .collect()
            });
            toast(ToastKind::Success, format!("Created “{}”.", course.title));
            then.emit(course);
        },
        say_refused(format!("Couldn't create “{title}”.")),
    );
}

/// Renames a course.
pub fn rename_course(client: &QueryClient, course_id: &str, title: String) {
    let shown = title.clone();
    on_course(
        client,
        course_id,
        |c| c.title = shown,
        api::courses::rename(course_id.to_string(), title.clone()),
        // The answer speaks for the title only: its chapters may predate a move still in flight.
        |client, answer: CourseDto| {
            let id = answer.id.to_string();
            client.update::<Courses>(&QueryKey::Courses, move |list| {
                with_course(list, &id, |c| {
                    c.title = answer.title;
                    c.description = answer.description;
                })
            })
        },
        say_refused(format!("Couldn't rename the course to “{title}”.")),
    );
}

/// The lane (`in_turn`) of the changes to a course's list of chapters: adds, moves, deletes and
/// restores reach the server in the order they were made, each sent when the one before is
/// answered, whichever instance takes it.
fn chapters_lane(course_id: &str) -> String {
    format!("chapters-of-{course_id}")
}

fn replace_chapter(client: &QueryClient, course_id: &str, old_id: &str, chapter: ChapterDto) {
    let old = old_id.to_string();
    client.update::<Courses>(&QueryKey::Courses, |list| {
        with_course(list, course_id, move |c| {
            if let Some(ch) = c.chapters.iter_mut().find(|ch| ch.id.as_str() == old) {
                *ch = chapter;
            }
        })
    });
}

/// Adds a chapter at the end of a course.
pub fn add_chapter(client: &QueryClient, course_id: &str, title: String) {
    let (course, temp) = (course_id.to_string(), pending_id());
    let row = ChapterDto {
        id: ChapterId(temp.clone()),
        title: title.clone(),
        position: 0,
        video_count: 0,
    };
    on_course(
        client,
        course_id,
        |c| c.chapters.push(row),
        // One after another, so the server's order is the order they were typed in.
        in_turn(
            chapters_lane(course_id),
            api::courses::add_chapter(course_id.to_string(), title.clone()),
        ),
        move |client, chapter: ChapterDto| {
            announce(format!("Added chapter “{}”.", chapter.title));
            replace_chapter(client, &course, &temp, chapter);
        },
        say_refused(format!("Couldn't add the chapter “{title}”.")),
    );
}

/// Renames a chapter.
pub fn rename_chapter(client: &QueryClient, course_id: &str, chapter_id: &str, title: String) {
    let (course, chapter) = (course_id.to_string(), chapter_id.to_string());
    let shown = title.clone();
    on_course(
        client,
        course_id,
        |c| {
            if let Some(ch) = c
                .chapters
                .iter_mut()
                .find(|ch| ch.id.as_str() == chapter_id)
            {
                ch.title = shown;
            }
        },
        api::courses::rename_chapter(chapter_id.to_string(), title.clone()),
        move |client, answer: ChapterDto| replace_chapter(client, &course, &chapter, answer),
        say_refused(format!("Couldn't rename the chapter to “{title}”.")),
    );
}

/// Moves a chapter from `from` to `to` in its course's order and says where it went.
pub fn move_chapter(client: &QueryClient, course_id: &str, from: usize, to: usize) {
    let Some(list) = client.get::<Courses>(&QueryKey::Courses) else {
        return;
    };
    let Some(course) = list.iter().find(|c| c.id.as_str() == course_id) else {
        return;
    };
    if from == to || from >= course.chapters.len() || to >= course.chapters.len() {
        return;
    }
    let seen: Vec<String> = course.chapters.iter().map(|ch| ch.id.to_string()).collect();
    let chapters = optimistic::moved(&course.chapters, from, to);
    let ids: Vec<String> = chapters.iter().map(|ch| ch.id.to_string()).collect();
    let moved_title = chapters[to].title.clone();
    announce(format!(
        "Moved “{moved_title}” to position {} of {}.",
        to + 1,
        chapters.len()
    ));
    let id = course_id.to_string();
    on_course(
        client,
        course_id,
        |c| c.chapters = chapters,
        // In the lane of the course's chapters: a second quick move is sent once the first is
        // answered, or it could reach another instance first and be refused as stale.
        in_turn(
            chapters_lane(course_id),
            api::courses::reorder_chapters(id.clone(), ids, seen),
        ),
        // The server took the order the screen shows: its answer adds nothing, and writing it
        // could undo a newer change (a second move, a rename) whose answer came first.
        |_, _: CourseDto| {},
        move |client, e| match current_order(e) {
            Some(order) => {
                client.update::<Courses>(&QueryKey::Courses, |list| {
                    with_course(list, &id, |c| {
                        c.chapters = ordered_by(&c.chapters, &order, |ch| ch.id.to_string());
                        renumber(&mut c.chapters);
                    })
                });
                client.invalidate(|k| *k == QueryKey::Courses);
                toast(ToastKind::Error, STALE_ORDER);
                announce(STALE_ORDER);
            }
            None => {
                let why = format!("Couldn't move “{moved_title}”. {}", e.message());
                announce(why.clone());
                toast(ToastKind::Error, why);
            }
        },
    );
}

/// Deletes a chapter with its videos; the toast offers Undo for the grace period. Uploads
/// into it stop (held by the server meanwhile) and go on after Undo.
pub fn delete_chapter(client: &QueryClient, course_id: &str, chapter: ChapterDto) {
    let (course, chapter_id) = (course_id.to_string(), chapter.id.to_string());
    let title = chapter.title.clone();
    let at = chapter.position.max(0) as usize;
    let gone = chapter.id.clone();
    let held = upload::held::hold_chapter(&chapter_id, super::delete::undo_window_ms(client, []));
    let back = chapter_id.clone();
    on_course(
        client,
        course_id,
        |c| c.chapters.retain(|ch| ch.id != gone),
        in_turn(
            chapters_lane(course_id),
            api::courses::delete_chapter(chapter_id.clone()),
        ),
        move |client, deleted: shared::dto::ChapterDeleted| {
            let key = QueryKey::ChapterVideos(chapter_id.clone());
            client.invalidate(move |k| *k == key);
            let mut text = match deleted.videos_deleted {
                0 => format!("Deleted the chapter “{}”.", chapter.title),
                n => format!(
                    "Deleted the chapter “{}” and {}.",
                    chapter.title,
                    format::count(n as usize, "video")
                ),
            };
            if !held.is_empty() {
                text.push_str(&format!(
                    " {} stopped; Undo lets {} go on.",
                    format::count(held.len(), "upload"),
                    if held.len() == 1 { "it" } else { "them" }
                ));
            }
            let undo = {
                let (client, course, chapter) = (client.clone(), course.clone(), chapter.clone());
                ToastAction {
                    label: "Undo".into(),
                    run: Callback::from(move |()| {
                        restore_chapter(&client, &course, chapter.clone(), at)
                    }),
                }
            };
            let left = super::delete::undo_window_ms(client, [deleted.restorable_until.as_str()]);
            toast_with(ToastKind::Success, text, vec![undo], left);
        },
        move |client, e| {
            upload::held::give_back_chapter(&back);
            say_refused(format!("Couldn't delete the chapter “{title}”."))(client, e)
        },
    );
}

/// Undo of a chapter delete: it comes back where it was, with the videos its delete took.
pub fn restore_chapter(client: &QueryClient, course_id: &str, chapter: ChapterDto, at: usize) {
    let course = course_id.to_string();
    let title = chapter.title.clone();
    let id = chapter.id.to_string();
    on_course(
        client,
        course_id,
        |c| {
            if !c.chapters.iter().any(|ch| ch.id == chapter.id) {
                c.chapters.insert(at.min(c.chapters.len()), chapter);
            }
        },
        in_turn(
            chapters_lane(course_id),
            api::courses::restore_chapter(id.clone()),
        ),
        move |client, answer: ChapterDto| {
            toast(
                ToastKind::Success,
                format!("Restored the chapter “{}”.", answer.title),
            );
            upload::held::give_back_chapter(&id);
            replace_chapter(client, &course, &id, answer);
            client.invalidate(|k| *k == QueryKey::Courses);
        },
        say_refused(format!("Couldn't restore the chapter “{title}”.")),
    );
}
