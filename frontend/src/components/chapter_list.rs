//! A course's chapters, as an instructor arranges them: drag a chapter to a new place, or use
//! its Move up / Move down buttons (the live region says where it went); rename it in place;
//! delete it (asking first when it holds videos; Undo brings it back with them); add one at
//! the end.

use crate::components::chapter_upload::{self, ChapterUpload};
use crate::components::format;
use crate::components::inline_edit::InlineEdit;
use crate::mutations::courses;
use crate::mutations::optimistic::PENDING;
use crate::mutations::upload;
use crate::query::QueryClient;
use crate::route::Route;
use crate::stores::dialogs::{self, Question};
use crate::stores::uploads::Destination;
use shared::dto::{ChapterDto, CourseDto};
use shared::titles::clean_title;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

/// The drag's payload type for a chapter (its index).
const CHAPTER_DRAG: &str = "application/x-reel-chapter";

/// Props: the course.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The course with its chapters, in order.
    pub course: CourseDto,
    /// How long a delete can be undone, in seconds (said before a delete).
    pub undo_secs: u64,
}

#[derive(Properties, PartialEq)]
struct RowProps {
    course_id: String,
    chapter: ChapterDto,
    index: usize,
    total: usize,
    undo_secs: u64,
    /// Where the dragged chapter would land, drawn as a line: "drop-above" or "drop-below"
    /// (on the row under the pointer only).
    drop_line: Option<&'static str>,
    on_drag: Callback<Option<usize>>,
    /// The pointer is over this row while a chapter is dragged.
    on_over: Callback<usize>,
    on_drop: Callback<usize>,
}

/// The insertion line on row `i` while the item at `from` is dragged over row `over`: a row
/// moved up lands above the row it is dropped on, one moved down below it. Shared with the
/// video rows.
pub fn drop_line(from: Option<usize>, over: Option<usize>, i: usize) -> Option<&'static str> {
    match (from, over) {
        (Some(from), Some(over)) if over == i && from != i => {
            Some(if from > i { "drop-above" } else { "drop-below" })
        }
        _ => None,
    }
}

/// Where focus goes after a keyboard move: the same button on the moved row, or its other one
/// when the move lands it at the edge (decided here, not by looking for a disabled button:
/// the focus may run before the render that disables it, and a focused button that becomes
/// disabled drops focus to the page).
fn focus_after_move(id: &str, up: bool, at_edge: bool) {
    let (same, other) = if up {
        ("move-up", "move-down")
    } else {
        ("move-down", "move-up")
    };
    let first = if at_edge { other } else { same };
    crate::focus::later(vec![
        format!("[data-chapter-id='{id}'] .{first}"),
        format!("[data-chapter-id='{id}'] .{other}"),
    ]);
}

/// What deleting a chapter asks: what it takes (its videos, the uploads it stops) and how
/// long Undo can bring them back.
fn delete_question(
    title: &str,
    videos: usize,
    uploads: &[String],
    undo_secs: u64,
    on_confirm: Callback<()>,
) -> Question {
    let mut body = String::new();
    if !uploads.is_empty() {
        let shown: Vec<&str> = uploads.iter().take(3).map(String::as_str).collect();
        let more = uploads.len() - shown.len();
        body = format!(
            "This stops {}: {}{}. ",
            format::count(uploads.len(), "upload"),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    body.push_str(&if undo_secs == 0 {
        "This cannot be undone.".to_string()
    } else if uploads.is_empty() {
        format!("The chapter and its videos can be brought back with Undo for {undo_secs} s.")
    } else {
        format!("Undo within {undo_secs} s brings the chapter back, and the uploads go on where they stopped.")
    });
    Question {
        title: if videos == 0 {
            format!("Delete “{title}”?")
        } else {
            format!(
                "Delete “{title}” and its {}?",
                format::count(videos, "video")
            )
        },
        body,
        confirm_label: "Delete chapter".into(),
        cancel_label: "Keep it".into(),
        danger: true,
        on_confirm,
        on_cancel: Callback::noop(),
    }
}

#[function_component(ChapterRow)]
fn chapter_row(props: &RowProps) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let ch = &props.chapter;
    let id = ch.id.to_string();
    let pending = id.starts_with(PENDING);
    let (i, total) = (props.index, props.total);
    let mover = |up: bool| {
        let (client, course, id) = (client.clone(), props.course_id.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            let to = if up { i.saturating_sub(1) } else { i + 1 };
            courses::move_chapter(&client, &course, i, to);
            focus_after_move(&id, up, if up { to == 0 } else { to + 1 >= total });
        })
    };
    let on_rename = {
        let (client, course, id) = (client.clone(), props.course_id.clone(), id.clone());
        Callback::from(move |title: String| courses::rename_chapter(&client, &course, &id, title))
    };
    let on_delete = {
        let (client, course, chapter) = (client.clone(), props.course_id.clone(), ch.clone());
        let undo_secs = props.undo_secs;
        Callback::from(move |_: MouseEvent| {
            let id = chapter.id.to_string();
            if chapter.video_count == 0 && upload::held::into_chapter(&id).is_empty() {
                courses::delete_chapter(&client, &course, chapter.clone());
                return;
            }
            let uploads = upload::held::into_chapter(&id);
            let videos = chapter.video_count.max(0) as usize;
            let confirm = {
                let (client, course, chapter) = (client.clone(), course.clone(), chapter.clone());
                Callback::from(move |()| courses::delete_chapter(&client, &course, chapter.clone()))
            };
            dialogs::ask(delete_question(
                &chapter.title,
                videos,
                &uploads,
                undo_secs,
                confirm,
            ));
        })
    };
    let on_dragstart = {
        let on_drag = props.on_drag.clone();
        Callback::from(move |e: DragEvent| {
            if let Some(dt) = e.data_transfer() {
                let _ = dt.set_data(CHAPTER_DRAG, &i.to_string());
                dt.set_effect_allowed("move");
            }
            on_drag.emit(Some(i));
        })
    };
    let on_dragend = {
        let on_drag = props.on_drag.clone();
        Callback::from(move |_: DragEvent| on_drag.emit(None))
    };
    let files_over = use_state(|| false);
    let on_dragover = {
        let (files_over, on_over) = (files_over.clone(), props.on_over.clone());
        Callback::from(move |e: DragEvent| {
            let ours = e
                .data_transfer()
                .is_some_and(|dt| dt.types().includes(&CHAPTER_DRAG.into(), 0));
            let files = chapter_upload::carries_files(&e);
            if ours || files {
                e.prevent_default();
            }
            if ours {
                on_over.emit(i);
            }
            if files && !*files_over {
                files_over.set(true);
            }
        })
    };
    let on_dragleave = {
        let files_over = files_over.clone();
        Callback::from(move |_: DragEvent| files_over.set(false))
    };
    let to = Destination {
        chapter_id: id.clone(),
        chapter_title: ch.title.clone(),
        course_id: props.course_id.clone(),
    };
    let on_drop = {
        let (on_drop, files_over, client, to) = (
            props.on_drop.clone(),
            files_over.clone(),
            client.clone(),
            to.clone(),
        );
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            files_over.set(false);
            // Files dropped from the desktop go into this chapter; a dragged chapter lands here.
            let files = chapter_upload::dropped_files(&e);
            if files.is_empty() {
                on_drop.emit(i);
            } else {
                chapter_upload::upload_to(&client, &to, files);
            }
        })
    };
    let title = if pending {
        html! { <span>{ &ch.title }</span> }
    } else {
        html! {
            <Link<Route> to={Route::Chapter { course_id: props.course_id.clone(), chapter_id: id.clone() }}>
                { &ch.title }
            </Link<Route>>
        }
    };
    html! {
        <li class={classes!("card", "chapter", props.drop_line, files_over.then_some("chapter-drop-files"))} data-testid="chapter"
            data-chapter-id={id.clone()} aria-busy={pending.to_string()} draggable={(!pending).to_string()}
            ondragstart={on_dragstart} ondragend={on_dragend} ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
            <span class="drag-handle" aria-hidden="true" title="Drag to reorder">{ "⠿" }</span>
            <div class="chapter-body">
                <span class="chapter-number">{ format!("Chapter {}", i + 1) }</span>
                <InlineEdit value={ch.title.clone()} what="the chapter" on_save={on_rename}>
                    <h2 class="chapter-title">{ title }</h2>
                </InlineEdit>
                <p class="muted" data-testid="chapter-count">{ if pending {
                    "Adding…".to_string()
                } else if ch.video_count == 0 {
                    "No videos yet — drop lecture videos here or press Upload.".to_string()
                } else {
                    format::count(ch.video_count as usize, "video")
                } }</p>
            </div>
            <div class="chapter-actions">
                if !pending { <ChapterUpload {to} /> }
                <button type="button" class="btn btn-small btn-ghost move-up" disabled={i == 0 || pending}
                    onclick={mover(true)} aria-label={format!("Move chapter “{}” up", ch.title)}>{ "↑" }</button>
                <button type="button" class="btn btn-small btn-ghost move-down" disabled={i + 1 >= total || pending}
                    onclick={mover(false)} aria-label={format!("Move chapter “{}” down", ch.title)}>{ "↓" }</button>
                <button type="button" class="btn btn-small btn-ghost btn-danger-text" disabled={pending}
                    onclick={on_delete} aria-label={format!("Delete chapter “{}”", ch.title)}>{ "Delete" }</button>
            </div>
        </li>
    }
}

/// The chapter list with its "Add chapter" form.
#[function_component(ChapterList)]
pub fn chapter_list(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let dragging = use_state(|| None::<usize>);
    let over = use_state(|| None::<usize>);
    let course_id = props.course.id.to_string();
    let on_drag = {
        let (dragging, over) = (dragging.clone(), over.clone());
        Callback::from(move |i: Option<usize>| {
            dragging.set(i);
            over.set(None);
        })
    };
    let on_over = {
        let over = over.clone();
        Callback::from(move |i: usize| {
            if *over != Some(i) {
                over.set(Some(i));
            }
        })
    };
    let on_drop = {
        let (client, course, dragging, over) = (
            client.clone(),
            course_id.clone(),
            dragging.clone(),
            over.clone(),
        );
        Callback::from(move |to: usize| {
            if let Some(from) = *dragging {
                courses::move_chapter(&client, &course, from, to);
            }
            dragging.set(None);
            over.set(None);
        })
    };
    let title = use_node_ref();
    let problem = use_state(|| None::<String>);
    let add = {
        let (client, course, title, problem) = (
            client.clone(),
            course_id.clone(),
            title.clone(),
            problem.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = title.cast::<HtmlInputElement>() else {
                return;
            };
            match clean_title(&input.value()) {
                Ok(t) => {
                    problem.set(None);
                    input.set_value("");
                    courses::add_chapter(&client, &course, t);
                }
                Err(p) => problem.set(Some(p.message())),
            }
        })
    };
    let total = props.course.chapters.len();
    html! {
        <>
            if total == 0 {
                <div class="empty empty-small" data-testid="chapters-empty">
                    <p><strong>{ "This course has no chapters yet." }</strong></p>
                    <p class="muted">{ "Add the first one below — a chapter holds the lectures of one topic." }</p>
                </div>
            }
            <ol class="chapters" aria-label="Chapters" data-testid="chapter-list">
                { for props.course.chapters.iter().enumerate().map(|(i, ch)| html! {
                    <ChapterRow key={ch.id.to_string()} course_id={course_id.clone()} chapter={ch.clone()}
                        index={i} {total} undo_secs={props.undo_secs}
                        drop_line={drop_line(*dragging, *over, i)}
                        on_drag={on_drag.clone()} on_over={on_over.clone()} on_drop={on_drop.clone()} />
                }) }
            </ol>
            <form class="card add-chapter" onsubmit={add} novalidate=true>
                <label for="new-chapter">{ "Add a chapter" }</label>
                <div class="add-chapter-row">
                    <input ref={title} id="new-chapter" type="text" maxlength="200"
                        placeholder="e.g. Lighting a scene" aria-describedby="new-chapter-error" />
                    <button type="submit" class="btn btn-primary">{ "Add chapter" }</button>
                </div>
                <div id="new-chapter-error" class="form-error" aria-live="polite">
                    { problem.as_ref().map(|p| html! { <p>{ p }</p> }).unwrap_or_default() }
                </div>
            </form>
        </>
    }
}
