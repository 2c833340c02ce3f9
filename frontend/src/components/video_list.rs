//! A chapter's video library: each row with title, duration, size, upload date, status, a
//! preview that plays and seeks, and a checkbox; select all, shift-click ranges, a count of the
//! selection, delete one or many. Rows are keyed and memoised, so a change to one row (or the
//! selection of one row) re-renders that row only, even in a list of a thousand.

use crate::components::format;
use crate::mutations::delete;
use crate::query::QueryClient;
use crate::stores::library::LibraryStore;
use shared::dto::{VideoDto, VideoStatus};
use shared::media::human_bytes;
use shared::VideoId;
use std::rc::Rc;
use yew::prelude::*;
use yewdux::prelude::*;

/// Rows whose preview loads metadata up front; further down it loads when played, so a long
/// list does not open hundreds of media requests.
const EAGER_PREVIEWS: usize = 12;

/// Props: the chapter and its videos.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The chapter.
    pub chapter_id: String,
    /// Its videos, in order.
    pub videos: Rc<Vec<VideoDto>>,
}

fn status_badge(status: VideoStatus) -> Html {
    let (label, class) = match status {
        VideoStatus::Ready => ("Ready", "badge-success"),
        VideoStatus::Processing => ("Processing", "badge-neutral"),
        VideoStatus::Uploading => ("Uploading", "badge-neutral"),
        VideoStatus::Failed => ("Failed", "badge-error"),
        VideoStatus::Canceled => ("Canceled", "badge-neutral"),
        VideoStatus::Deleted => ("Deleted", "badge-neutral"),
    };
    html! { <span class={classes!("badge", class)}>{ label }</span> }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    video: VideoDto,
    eager: bool,
    selected: bool,
    pending: bool,
    error: Option<String>,
    /// (video ID, shift held)
    on_select: Callback<(String, bool)>,
    on_delete: Callback<String>,
}

#[function_component(VideoRow)]
fn video_row(props: &RowProps) -> Html {
    let v = &props.video;
    let id = v.id.to_string();
    let preview = match &v.display_url {
        Some(url) => html! { <video class="preview" src={url.clone()} controls=true
        preload={if props.eager { "metadata" } else { "none" }}
        aria-label={format!("Preview of {}", v.title)} data-testid="video-preview"></video> },
        None => html! { <div class="preview preview-empty" aria-hidden="true">{ "▶" }</div> },
    };
    let mut facts = Vec::new();
    if let Some(ms) = v.duration_ms {
        facts.push(format::duration(ms));
    }
    facts.push(human_bytes(v.size_bytes.max(0) as u64));
    if let (Some(w), Some(h)) = (v.width, v.height) {
        facts.push(format!("{w}×{h}"));
    }
    facts.push(format::date(&v.created_at));
    let on_check = {
        let (id, cb) = (id.clone(), props.on_select.clone());
        Callback::from(move |e: MouseEvent| cb.emit((id.clone(), e.shift_key())))
    };
    let on_delete = {
        let (id, cb) = (id.clone(), props.on_delete.clone());
        Callback::from(move |_: MouseEvent| cb.emit(id.clone()))
    };
    html! {
        <li class={classes!("video-row", props.selected.then_some("video-row-selected"), props.error.is_some().then_some("video-row-error"))}
            data-testid="video-row" data-video-id={id.clone()} aria-busy={props.pending.to_string()}>
            <input type="checkbox" class="row-check" checked={props.selected} onclick={on_check}
                aria-label={format!("Select {}", v.title)} data-testid="video-select" />
            { preview }
            <div class="video-main">
                <div class="video-title">{ &v.title }</div>
                <div class="muted video-facts" data-testid="video-facts">{ facts.join(" · ") }</div>
                { v.failure_reason.as_ref().map(|r| html! { <p class="video-error">{ r }</p> }).unwrap_or_default() }
                { props.error.as_ref().map(|why| html! {
                    <p class="video-error" role="alert" data-testid="video-delete-error">{ format!("Couldn't delete: {why}") }</p>
                }).unwrap_or_default() }
            </div>
            <div class="video-side">
                { if props.pending { html! { <span class="pending" data-testid="video-pending"><span class="spinner spinner-small" aria-hidden="true"></span>{ "Working…" }</span> } } else { status_badge(v.status) } }
                <button type="button" class={classes!("btn", "btn-small", if props.error.is_some() { "btn-primary" } else { "btn-ghost" })}
                    onclick={on_delete} disabled={props.pending} aria-label={format!("{} {}", if props.error.is_some() { "Retry deleting" } else { "Delete" }, v.title)}>
                    { if props.error.is_some() { "Retry" } else { "Delete" } }
                </button>
            </div>
        </li>
    }
}

/// The library.
#[function_component(VideoList)]
pub fn video_list(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let (library, dispatch) = use_store::<LibraryStore>();
    let order: Rc<Vec<String>> = use_memo(props.videos.clone(), |videos| {
        videos.iter().map(|v| v.id.to_string()).collect()
    });
    // Stable callbacks: rows compare props, and a callback that changed with the list would
    // hand every row new props and redraw all thousand of them. The order is read at click
    // time through a ref instead.
    let current_order = use_mut_ref(|| Rc::new(Vec::new()));
    *current_order.borrow_mut() = order.clone();
    let on_select = {
        let dispatch = dispatch.clone();
        use_callback((), move |(id, shift): (String, bool), ()| {
            let order = current_order.borrow().clone();
            dispatch.reduce_mut(move |s| s.click(&id, shift, &order));
        })
    };
    let on_delete = {
        let client = client.clone();
        use_callback(props.chapter_id.clone(), move |id: String, chapter| {
            delete::delete_videos(&client, chapter, vec![VideoId(id)]);
        })
    };
    if props.videos.is_empty() {
        return html! {
            <div class="empty empty-small" data-testid="videos-empty">
                <p><strong>{ "No videos in this chapter yet." }</strong></p>
                <p class="muted">{ "Upload the lectures for this chapter above; they appear here when they are ready to watch." }</p>
            </div>
        };
    }
    let selected = library.count_in(&order);
    let all = selected == order.len();
    let toggle_all = {
        let (dispatch, order) = (dispatch.clone(), order.clone());
        Callback::from(move |_: MouseEvent| {
            let order = order.clone();
            dispatch.reduce_mut(move |s| s.toggle_all(&order));
        })
    };
    let delete_selected = {
        let (client, chapter, order, library) = (
            client.clone(),
            props.chapter_id.clone(),
            order.clone(),
            library.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let ids: Vec<VideoId> = order
                .iter()
                .filter(|id| library.selected.contains(*id))
                .map(|id| VideoId(id.clone()))
                .collect();
            delete::delete_videos(&client, &chapter, ids);
        })
    };
    html! {
        <>
            <div class="library-toolbar" role="toolbar" aria-label="Video actions">
                <label class="select-all">
                    <input type="checkbox" checked={all} onclick={toggle_all} data-testid="select-all"
                        aria-checked={if all { "true" } else if selected > 0 { "mixed" } else { "false" }} />
                    { "Select all" }
                </label>
                <span class="muted" aria-live="polite" data-testid="selection-count">
                    { if selected == 0 { format::count(order.len(), "video") } else { format!("{selected} of {} selected", order.len()) } }
                </span>
                <button type="button" class="btn btn-small btn-danger" disabled={selected == 0}
                    onclick={delete_selected} data-testid="delete-selected">
                    { if selected > 0 { format!("Delete {selected}") } else { "Delete".to_string() } }
                </button>
            </div>
            <ul class="video-list" data-testid="video-list">
                { for props.videos.iter().enumerate().map(|(i, v)| {
                    let id = v.id.to_string();
                    html! { <VideoRow key={id.clone()} video={v.clone()} eager={i < EAGER_PREVIEWS}
                        selected={library.selected.contains(&id)} pending={library.pending.contains(&id)}
                        error={library.errors.get(&id).cloned()}
                        on_select={on_select.clone()} on_delete={on_delete.clone()} /> }
                }) }
            </ul>
        </>
    }
}
