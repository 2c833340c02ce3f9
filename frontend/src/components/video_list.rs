//! A chapter's video library: each row with a checkbox, a poster that opens the player, title,
//! duration, size, upload date and status; select all, shift-click ranges, a count of the
//! selection, delete one or many (more than a few after a confirmation). A row is two Tab stops
//! (checkbox, poster); its Delete button is for the pointer, and the Delete key does the same
//! from the keyboard. Rows are keyed and memoised, so a change to one row (or the selection of
//! one row) re-renders that row only, even in a list of a thousand.

use crate::components::format;
use crate::components::inline_edit::InlineEdit;
use crate::components::player::PlayerDialog;
use crate::components::poster::Poster;
use crate::mutations::{delete, videos};
use crate::query::QueryClient;
use crate::stores::dialogs::{self, Question};
use crate::stores::library::LibraryStore;
use crate::stores::uploads::UploadsStore;
use shared::dto::{VideoDto, VideoStatus};
use shared::media::human_bytes;
use shared::VideoId;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yewdux::prelude::*;

/// Rows whose poster loads a frame up front; further down a poster loads its frame when it
/// comes near the screen, so a long list does not open hundreds of media requests at once.
const EAGER_PREVIEWS: usize = 12;

/// A bulk delete of more than this many videos asks first.
const CONFIRM_ABOVE: usize = 3;

/// Props: the chapter and its videos.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The chapter.
    pub chapter_id: String,
    /// Its videos, in order.
    pub videos: Rc<Vec<VideoDto>>,
    /// How long a delete can be undone, in seconds (said before a bulk delete).
    pub undo_secs: u64,
    /// The course's other chapters, (ID, title), for "Move to…".
    #[prop_or_default]
    pub others: Rc<Vec<(String, String)>>,
}

/// The drag's payload type for a video (its ID).
pub const VIDEO_DRAG: &str = "application/x-reel-video";

/// The status badge. An upload no client of this browser is sending says so, instead of
/// "Uploading" forever; one this browser is sending shows its progress in place.
fn status_badge(status: VideoStatus, sending: bool, video_id: &str) -> Html {
    if status == VideoStatus::Uploading && sending {
        return html! { <UploadingBadge video_id={video_id.to_string()} /> };
    }
    let (label, class) = match status {
        VideoStatus::Ready => ("Ready", "badge-success"),
        VideoStatus::Processing => ("Processing", "badge-neutral"),
        VideoStatus::Uploading if sending => ("Uploading", "badge-neutral"),
        VideoStatus::Uploading => ("Upload unfinished", "badge-warning"),
        VideoStatus::Failed => ("Failed", "badge-error"),
        VideoStatus::Canceled => ("Canceled", "badge-neutral"),
        VideoStatus::Deleted => ("Deleted", "badge-neutral"),
    };
    html! { <span class={classes!("badge", class)}>{ label }</span> }
}

#[derive(Properties, PartialEq)]
struct UploadingProps {
    video_id: String,
}

/// "Uploading 48%": only the rows being sent subscribe to the upload's progress, so a tick
/// redraws the badge, not the list.
#[function_component(UploadingBadge)]
fn uploading_badge(props: &UploadingProps) -> Html {
    let id = props.video_id.clone();
    let percent = use_selector(move |s: &UploadsStore| {
        s.items
            .iter()
            .find(|i| i.video_id.as_deref() == Some(id.as_str()))
            .map_or(0, |i| i.percent() as u32)
    });
    html! { <span class="badge badge-neutral" data-testid="video-uploading">{ format!("Uploading {}%", *percent) }</span> }
}

/// Duration, size, resolution and upload date, as the row and the player show them.
fn facts_of(v: &VideoDto) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(ms) = v.duration_ms {
        facts.push(format::duration(ms));
    }
    facts.push(human_bytes(v.size_bytes.max(0) as u64));
    if let (Some(w), Some(h)) = (v.width, v.height) {
        facts.push(format!("{w}×{h}"));
    }
    // A video still arriving has no upload date yet: its badge says "Uploading".
    if !matches!(v.status, VideoStatus::Uploading) {
        facts.push(format!("uploaded {}", format::date(&v.created_at)));
    }
    facts
}

#[derive(Properties, PartialEq)]
struct RowProps {
    video: VideoDto,
    eager: bool,
    selected: bool,
    pending: bool,
    /// This browser is sending its bytes.
    sending: bool,
    error: Option<String>,
    /// (video ID, shift held)
    on_select: Callback<(String, bool)>,
    on_delete: Callback<String>,
    on_play: Callback<String>,
    /// (video ID, new title)
    on_rename: Callback<(String, String)>,
    /// (video ID, up)
    on_move: Callback<(String, bool)>,
    /// First and last in the chapter (their ↑ or ↓ is disabled).
    first: bool,
    last: bool,
    /// (dragged video ID, the row it was dropped on)
    on_drop: Callback<(String, String)>,
    /// A drag starts on this row (its ID) or ends (`None`).
    on_drag: Callback<Option<String>>,
    /// A video is dragged over this row (its ID).
    on_over: Callback<String>,
    /// The insertion line ("drop-above" or "drop-below") while a video is dragged over it.
    drop_line: Option<&'static str>,
}

/// A watch on an element that calls back once, when it comes within a screen's height of the
/// viewport. Dropping the watch (the observer and its callback) ends it.
type Watch = (
    web_sys::IntersectionObserver,
    Closure<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>,
);

fn watch_near_screen(el: &web_sys::Element, on_near: impl Fn() + 'static) -> Option<Watch> {
    let on_change = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
            let near = entries.iter().any(|e| {
                e.unchecked_into::<web_sys::IntersectionObserverEntry>()
                    .is_intersecting()
            });
            if near {
                observer.disconnect();
                on_near();
            }
        },
    );
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin("100% 0px");
    let observer = web_sys::IntersectionObserver::new_with_options(
        on_change.as_ref().unchecked_ref(),
        &options,
    )
    .ok()?;
    observer.observe(el);
    Some((observer, on_change))
}

/// Whether the element has come near the screen (once true, it stays).
#[hook]
fn use_near_screen(node: NodeRef, already: bool, present: bool) -> bool {
    let near = use_state(|| already);
    {
        let near = near.clone();
        // Again when the element appears (a video that becomes ready gets its poster then).
        use_effect_with((already, present), move |(already, _)| {
            let watch = match (*already || *near, node.cast::<web_sys::Element>()) {
                (false, Some(el)) => {
                    let seen = near.clone();
                    watch_near_screen(&el, move || seen.set(true))
                }
                _ => None,
            };
            move || {
                if let Some((observer, _on_change)) = watch {
                    observer.disconnect();
                }
            }
        });
    }
    already || *near
}

#[function_component(VideoRow)]
fn video_row(props: &RowProps) -> Html {
    let v = &props.video;
    let id = v.id.to_string();
    let poster = use_node_ref();
    let near = use_near_screen(poster.clone(), props.eager, v.display_url.is_some());
    let on_play = {
        let (id, cb) = (id.clone(), props.on_play.clone());
        Callback::from(move |()| cb.emit(id.clone()))
    };
    let preview = html! {
        <Poster title={v.title.clone()} poster_url={v.poster_url.clone().map(AttrValue::from)}
            strip_url={v.thumbnails_url.clone().map(AttrValue::from)} duration_ms={v.duration_ms}
            load={near} playable={v.display_url.is_some()} {on_play} node={poster} />
    };
    let rename_now = use_state(|| 0u32);
    let on_rename = {
        let (id, cb) = (id.clone(), props.on_rename.clone());
        Callback::from(move |title: String| cb.emit((id.clone(), title)))
    };
    let facts = facts_of(v);
    let on_check = {
        let (id, cb) = (id.clone(), props.on_select.clone());
        Callback::from(move |e: MouseEvent| cb.emit((id.clone(), e.shift_key())))
    };
    let on_delete = {
        let (id, cb) = (id.clone(), props.on_delete.clone());
        Callback::from(move |_: MouseEvent| cb.emit(id.clone()))
    };
    let on_key = {
        let (id, cb, pending) = (id.clone(), props.on_delete.clone(), props.pending);
        let (on_move, rename_now) = (props.on_move.clone(), rename_now.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Delete" if !pending => {
                e.prevent_default();
                cb.emit(id.clone());
            }
            "F2" if !pending => {
                e.prevent_default();
                rename_now.set(*rename_now + 1);
            }
            "ArrowUp" | "ArrowDown" if e.alt_key() && !pending => {
                e.prevent_default();
                on_move.emit((id.clone(), e.key() == "ArrowUp"));
            }
            _ => {}
        })
    };
    let mover = |up: bool| {
        let (id, cb) = (id.clone(), props.on_move.clone());
        Callback::from(move |_: MouseEvent| cb.emit((id.clone(), up)))
    };
    let on_dragstart = {
        let (id, on_drag) = (id.clone(), props.on_drag.clone());
        Callback::from(move |e: DragEvent| {
            if let Some(dt) = e.data_transfer() {
                let _ = dt.set_data(VIDEO_DRAG, &id);
                dt.set_effect_allowed("move");
            }
            on_drag.emit(Some(id.clone()));
        })
    };
    let on_dragend = {
        let on_drag = props.on_drag.clone();
        Callback::from(move |_: DragEvent| on_drag.emit(None))
    };
    let on_dragover = {
        let (id, on_over) = (id.clone(), props.on_over.clone());
        Callback::from(move |e: DragEvent| {
            if e.data_transfer()
                .is_some_and(|dt| dt.types().includes(&VIDEO_DRAG.into(), 0))
            {
                e.prevent_default();
                on_over.emit(id.clone());
            }
        })
    };
    let on_drop = {
        let (id, cb) = (id.clone(), props.on_drop.clone());
        Callback::from(move |e: DragEvent| {
            let dragged = e
                .data_transfer()
                .and_then(|dt| dt.get_data(VIDEO_DRAG).ok());
            if let Some(dragged) = dragged.filter(|d| !d.is_empty()) {
                e.prevent_default();
                cb.emit((dragged, id.clone()));
            }
        })
    };
    html! {
        <li class={classes!("video-row", props.selected.then_some("video-row-selected"), props.error.is_some().then_some("video-row-error"), props.drop_line)}
            data-testid="video-row" data-video-id={id.clone()} aria-busy={props.pending.to_string()} onkeydown={on_key}
            draggable={(!props.pending).to_string()} ondragstart={on_dragstart} ondragend={on_dragend} ondragover={on_dragover} ondrop={on_drop}>
            <span class="drag-handle" aria-hidden="true" title="Drag to reorder">{ "⠿" }</span>
            <input type="checkbox" class="row-check" checked={props.selected} onclick={on_check}
                aria-label={format!("Select {}", v.title)} aria-keyshortcuts="Delete F2 Alt+ArrowUp Alt+ArrowDown" data-testid="video-select" />
            { preview }
            <div class="video-main">
                <InlineEdit value={v.title.clone()} what="the video" on_save={on_rename} start={*rename_now} tab_stop={true}>
                    <div class="video-title">{ &v.title }</div>
                </InlineEdit>
                <div class="muted video-facts" data-testid="video-facts">{ facts.join(" · ") }</div>
                { v.failure_reason.as_ref().map(|r| html! { <p class="video-error">{ r }</p> }).unwrap_or_default() }
                { props.error.as_ref().map(|why| html! {
                    <p class="video-error" role="alert" data-testid="video-delete-error">{ format!("Couldn't delete: {why}") }</p>
                }).unwrap_or_default() }
            </div>
            <div class="video-side">
                { if props.pending { html! { <span class="pending" data-testid="video-pending"><span class="spinner spinner-small" aria-hidden="true"></span>{ "Working…" }</span> } } else { status_badge(v.status, props.sending, &v.id.to_string()) } }
                // The same order and actions as a chapter card: ↑, ↓ and Delete, each a Tab
                // stop (the keys Alt+↑/↓ and Delete do the same from the row).
                <div class="row-actions">
                    <button type="button" class="btn btn-small btn-ghost move-up" disabled={props.first || props.pending}
                        onclick={mover(true)} aria-label={format!("Move {} up", v.title)}>{ "↑" }</button>
                    <button type="button" class="btn btn-small btn-ghost move-down" disabled={props.last || props.pending}
                        onclick={mover(false)} aria-label={format!("Move {} down", v.title)}>{ "↓" }</button>
                    <button type="button" class={classes!("btn", "btn-small", if props.error.is_some() { "btn-primary" } else { "btn-ghost" })}
                        onclick={on_delete} disabled={props.pending} aria-label={format!("{} {}", if props.error.is_some() { "Retry deleting" } else { "Delete" }, v.title)}>
                        { if props.error.is_some() { "Retry" } else { "Delete" } }
                    </button>
                </div>
            </div>
        </li>
    }
}

/// The library.
#[function_component(VideoList)]
pub fn video_list(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let (library, dispatch) = use_store::<LibraryStore>();
    // Only this set, not every progress tick, re-renders the list.
    let sending = use_selector(UploadsStore::sending_videos);
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
    let on_rename = {
        let client = client.clone();
        use_callback(
            props.chapter_id.clone(),
            move |(id, title): (String, String), chapter| {
                videos::rename_video(&client, chapter, &id, title);
            },
        )
    };
    let order_now = use_mut_ref(|| Rc::new(Vec::<String>::new()));
    *order_now.borrow_mut() = order.clone();
    let on_move = {
        let (client, order_now) = (client.clone(), order_now.clone());
        use_callback(
            props.chapter_id.clone(),
            move |(id, up): (String, bool), chapter| {
                let order = order_now.borrow().clone();
                let Some(i) = order.iter().position(|x| *x == id) else {
                    return;
                };
                let to = if up {
                    i.checked_sub(1)
                } else {
                    Some(i + 1).filter(|t| *t < order.len())
                };
                if let Some(to) = to {
                    videos::move_video(&client, chapter, i, to);
                    crate::focus::later(vec![format!("[data-video-id='{id}'] .row-check")]);
                }
            },
        )
    };
    // The row being dragged and the row under the pointer: the insertion line goes there.
    let dragging = use_state(|| None::<String>);
    let over = use_state(|| None::<String>);
    let on_drag = {
        let (dragging, over) = (dragging.clone(), over.clone());
        use_callback((), move |id: Option<String>, ()| {
            dragging.set(id);
            over.set(None);
        })
    };
    let on_over = {
        let over = over.clone();
        use_callback((), move |id: String, ()| {
            if over.as_deref() != Some(id.as_str()) {
                over.set(Some(id));
            }
        })
    };
    let from = dragging
        .as_deref()
        .and_then(|d| order.iter().position(|x| x == d));
    let over_at = over
        .as_deref()
        .and_then(|o| order.iter().position(|x| x == o));
    let on_drop = {
        let client = client.clone();
        let (dragging, over) = (dragging.clone(), over.clone());
        use_callback(
            props.chapter_id.clone(),
            move |(dragged, onto): (String, String), chapter| {
                dragging.set(None);
                over.set(None);
                let order = order_now.borrow().clone();
                let from = order.iter().position(|x| *x == dragged);
                let to = order.iter().position(|x| *x == onto);
                if let (Some(from), Some(to)) = (from, to) {
                    videos::move_video(&client, chapter, from, to);
                }
            },
        )
    };
    // The video in the player.
    let playing = use_state(|| None::<VideoDto>);
    let current_videos = use_mut_ref(|| Rc::new(Vec::new()));
    *current_videos.borrow_mut() = props.videos.clone();
    let on_play = {
        let playing = playing.clone();
        use_callback((), move |id: String, ()| {
            let videos = current_videos.borrow().clone();
            if let Some(v) = videos
                .iter()
                .find(|v| v.id.as_str() == id && v.display_url.is_some())
            {
                playing.set(Some(v.clone()));
            }
        })
    };
    let player = match &*playing {
        Some(v) => {
            let (playing, back) = (
                playing.clone(),
                format!("[data-video-id='{}'] .poster", v.id),
            );
            let on_close = Callback::from(move |()| {
                playing.set(None);
                crate::focus::later(vec![back.clone(), "#videos-title".to_string()]);
            });
            html! { <PlayerDialog title={v.title.clone()} url={v.display_url.clone().unwrap_or_default()}
            facts={facts_of(v).join(" · ")} {on_close} /> }
        }
        None => html! {},
    };
    let select_all = use_node_ref();
    let selected = library.count_in(&order);
    let all = selected == order.len();
    {
        // "Some selected" is the checkbox's native indeterminate state (not aria-checked).
        let select_all = select_all.clone();
        use_effect_with(selected > 0 && !all, move |mixed| {
            if let Some(input) = select_all.cast::<HtmlInputElement>() {
                input.set_indeterminate(*mixed);
            }
        });
    }
    if props.videos.is_empty() {
        return html! {
            <div class="empty empty-small" data-testid="videos-empty">
                <p><strong>{ "No videos in this chapter yet." }</strong></p>
                <p class="muted">{ "Upload the lectures for this chapter above; they appear here when they are ready to watch." }</p>
            </div>
        };
    }
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
        let undo_secs = props.undo_secs;
        Callback::from(move |_: MouseEvent| {
            let ids: Vec<VideoId> = order
                .iter()
                .filter(|id| library.selected.contains(*id))
                .map(|id| VideoId(id.clone()))
                .collect();
            if ids.len() <= CONFIRM_ABOVE {
                delete::delete_videos(&client, &chapter, ids);
                return;
            }
            let n = ids.len();
            let (client, chapter) = (client.clone(), chapter.clone());
            dialogs::ask(Question {
                title: format!("Delete {n} videos?"),
                body: if undo_secs > 0 {
                    format!("You can undo for {undo_secs} s.")
                } else {
                    "This cannot be undone.".to_string()
                },
                confirm_label: format!("Delete {n} videos"),
                cancel_label: "Cancel".into(),
                danger: true,
                on_confirm: Callback::from(move |()| {
                    delete::delete_videos(&client, &chapter, ids.clone())
                }),
                on_cancel: Callback::noop(),
            });
        })
    };
    let move_selected = {
        let (client, chapter, order, library) = (
            client.clone(),
            props.chapter_id.clone(),
            order.clone(),
            library.clone(),
        );
        let others = props.others.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            let target = select.value();
            select.set_value("");
            let Some((_, title)) = others.iter().find(|(id, _)| *id == target) else {
                return;
            };
            let ids: Vec<String> = order
                .iter()
                .filter(|id| library.selected.contains(*id))
                .cloned()
                .collect();
            videos::move_videos(&client, &chapter, &target, title, ids);
            crate::focus::later(vec!["[data-testid='select-all']".to_string()]);
        })
    };
    html! {
        <>
            <div class="library-toolbar" role="toolbar" aria-label="Video actions">
                <label class="select-all">
                    <input ref={select_all} type="checkbox" checked={all} onclick={toggle_all} data-testid="select-all" />
                    { "Select all" }
                </label>
                <span class="muted" aria-live="polite" data-testid="selection-count">
                    { if selected == 0 { format::count(order.len(), "video") } else { format!("{selected} of {} selected", order.len()) } }
                </span>
                if !props.others.is_empty() {
                    <label class="move-to">
                        <span class="visually-hidden">{ "Move the selected videos to another chapter" }</span>
                        <select disabled={selected == 0} onchange={move_selected} data-testid="move-to">
                            <option value="" selected=true>{ "Move to…" }</option>
                            { for props.others.iter().map(|(id, title)| html! { <option value={id.clone()}>{ title.clone() }</option> }) }
                        </select>
                    </label>
                }
                <button type="button" class="btn btn-small btn-danger" disabled={selected == 0}
                    onclick={delete_selected} data-testid="delete-selected">
                    { if selected > 0 { format!("Delete {selected}") } else { "Delete".to_string() } }
                </button>
            </div>
            // One notice for every unfinished upload, not a sentence repeated on each row.
            if props.videos.iter().any(|v| v.status == VideoStatus::Uploading && !sending.contains(&v.id.to_string())) {
                <p class="video-note unfinished-note" data-testid="video-unfinished">
                    { "Videos marked “Upload unfinished” have not fully arrived. Choose the same file again to finish one (the browser that started it lists it under Uploads), or delete it." }
                </p>
            }
            <ul class="video-list" data-testid="video-list">
                { for props.videos.iter().enumerate().map(|(i, v)| {
                    let (first, last) = (i == 0, i + 1 == props.videos.len());
                    let id = v.id.to_string();
                    html! { <VideoRow key={id.clone()} video={v.clone()} eager={i < EAGER_PREVIEWS}
                        selected={library.selected.contains(&id)} pending={library.pending.contains(&id)}
                        sending={sending.contains(&id)}
                        error={library.errors.get(&id).cloned()}
                        on_select={on_select.clone()} on_delete={on_delete.clone()} on_play={on_play.clone()}
                        on_rename={on_rename.clone()} on_move={on_move.clone()} on_drop={on_drop.clone()} {first} {last}
                        on_drag={on_drag.clone()} on_over={on_over.clone()}
                        drop_line={crate::components::chapter_list::drop_line(from, over_at, i)} /> }
                }) }
            </ul>
            { player }
        </>
    }
}
