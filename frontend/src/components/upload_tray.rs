//! The upload tray, one for the whole app (like YouTube Studio's and Google Drive's): docked in
//! the bottom corner (a bottom sheet on a phone), so it stays in view on every page and at any
//! scroll while anything uploads. Collapsed it is one line ("3 uploading · 2 min left") over
//! the batch's bar; open, a row per file with the chapter it goes to, its progress and
//! controls. Failures stay until dismissed; when everything is done it collapses by itself.
//! Unfinished uploads of earlier visits get one notice and "Resume: choose the file again" or
//! "Discard" per row; a live region announces completions and failures.

use crate::components::format;
use crate::mutations::upload;
use crate::query::QueryClient;
use crate::route::Route;
use crate::stores::uploads::{UploadItem, UploadStatus, UploadsStore};
use shared::media::{human_bytes, picker_accept};
use std::cell::Cell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;
use yewdux::prelude::*;

/// Props: who is signed in (part of the resume fingerprint).
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The signed-in instructor.
    pub instructor_id: String,
}

fn progress_bar(label: String, percent: f64, testid: &'static str) -> Html {
    let now = format!("{percent:.0}");
    html! {
        <div class="progress" role="progressbar" aria-label={label} aria-valuemin="0" aria-valuemax="100"
            aria-valuenow={now.clone()} aria-valuetext={format!("{now} percent")} data-testid={testid}>
            <div class="progress-fill" style={format!("width: {percent:.1}%")}></div>
        </div>
    }
}

/// "retrying in 5 s", counted down by the tray's tick.
fn retry_in(at: f64, now: f64) -> String {
    format!("retrying in {} s", ((at - now) / 1000.0).ceil().max(1.0))
}

fn detail(item: &UploadItem, now: f64) -> String {
    let sent = format!(
        "{} of {}",
        human_bytes(item.sent as u64),
        human_bytes(item.size as u64)
    );
    match &item.status {
        UploadStatus::Uploading => {
            let mut parts = vec![sent];
            if item.speed > 0.0 {
                parts.push(format::speed(item.speed));
            }
            if let Some(eta) = item.eta_secs() {
                parts.push(format::time_left(eta));
            }
            parts.join(" · ")
        }
        UploadStatus::Queued => format!(
            "{} · waiting for a free slot",
            human_bytes(item.size as u64)
        ),
        UploadStatus::Paused => format!("{sent} · paused"),
        UploadStatus::Retrying { at, .. } => format!("{sent} · {}", retry_in(*at, now)),
        UploadStatus::Offline { at } => format!(
            "{sent} · continues when the connection is back ({})",
            retry_in(*at, now)
        ),
        UploadStatus::Interrupted => format!("{sent} on the server"),
        UploadStatus::Processing => "Checking the video…".into(),
        UploadStatus::Done => format!("{} · in the chapter", human_bytes(item.size as u64)),
        UploadStatus::Failed { message: why, .. } | UploadStatus::Rejected(why) => why.clone(),
    }
}

fn icon(status: &UploadStatus) -> &'static str {
    match status {
        UploadStatus::Done => "✓",
        UploadStatus::Failed { .. } | UploadStatus::Rejected(_) => "!",
        UploadStatus::Paused | UploadStatus::Interrupted => "❚❚",
        UploadStatus::Offline { .. } => "⚡",
        UploadStatus::Processing => "…",
        _ => "↑",
    }
}

fn row(
    item: &UploadItem,
    now: f64,
    on_resume_pick: &Callback<u32>,
    on_discard: &Callback<u32>,
    on_cancel: &Callback<u32>,
) -> Html {
    let id = item.id;
    let status = &item.status;
    let with_id = |label: &'static str, cb: &Callback<u32>, class: &'static str, aria: String| {
        let cb = cb.clone();
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(id));
        html! { <button type="button" class={classes!("btn", "btn-small", class)} {onclick}
        aria-label={aria}>{ label }</button> }
    };
    let button = |label: &'static str, action: fn(u32), class: &'static str| {
        let onclick = Callback::from(move |_: MouseEvent| action(id));
        html! { <button type="button" class={classes!("btn", "btn-small", class)} {onclick}
        aria-label={format!("{label} {}", item.name)}>{ label }</button> }
    };
    let controls = match status {
        UploadStatus::Interrupted => html! { <>
            { with_id("Resume: choose the file again", on_resume_pick, "btn-primary", format!("Resume {}: choose the file again", item.name)) }
            { with_id("Discard", on_discard, "btn-ghost", format!("Discard {}", item.name)) }
        </> },
        UploadStatus::Uploading | UploadStatus::Retrying { .. } | UploadStatus::Offline { .. } => {
            html! { <>
                { button("Pause", upload::pause, "") }{ with_id("Cancel", on_cancel, "btn-ghost", format!("Cancel {}", item.name)) }
            </> }
        }
        UploadStatus::Queued => with_id(
            "Cancel",
            on_cancel,
            "btn-ghost",
            format!("Cancel {}", item.name),
        ),
        UploadStatus::Paused => html! { <>
            { button("Resume", upload::resume, "btn-primary") }{ with_id("Cancel", on_cancel, "btn-ghost", format!("Cancel {}", item.name)) }
        </> },
        UploadStatus::Failed {
            retryable: true, ..
        } => html! { <>
            { button("Retry", upload::resume, "btn-primary") }{ button("Dismiss", upload::dismiss, "btn-ghost") }
        </> },
        UploadStatus::Failed {
            retryable: false, ..
        } => button("Dismiss", upload::dismiss, "btn-ghost"),
        UploadStatus::Rejected(_) => button("Dismiss", upload::dismiss, "btn-ghost"),
        UploadStatus::Processing | UploadStatus::Done => html! {},
    };
    let tone = match status {
        UploadStatus::Done => "tone-success",
        UploadStatus::Failed { .. } | UploadStatus::Rejected(_) => "tone-error",
        UploadStatus::Paused
        | UploadStatus::Retrying { .. }
        | UploadStatus::Offline { .. }
        | UploadStatus::Interrupted => "tone-warning",
        _ => "tone-neutral",
    };
    let show_bar = !matches!(
        status,
        UploadStatus::Rejected(_)
            | UploadStatus::Failed {
                retryable: false,
                ..
            }
    );
    html! {
        <li class={classes!("upload-row", tone)} key={id} data-testid="upload-row" data-status={status.label()}>
            <span class="upload-icon" aria-hidden="true">{ icon(status) }</span>
            <div class="upload-main">
                <div class="upload-head">
                    <span class="upload-name" title={item.name.clone()}>{ &item.name }</span>
                    <span class="upload-status" data-testid="upload-status">{ status.label() }</span>
                </div>
                <div class="upload-to">{ "to " }
                    <Link<Route> to={Route::Chapter { course_id: item.to.course_id.clone(), chapter_id: item.to.chapter_id.clone() }}>
                        { &item.to.chapter_title }
                    </Link<Route>>
                </div>
                { if show_bar { progress_bar(format!("Upload of {}", item.name), item.percent(), "upload-progress") } else { html! {} } }
                <div class="upload-detail" data-testid="upload-detail">{ detail(item, now) }
                    { item.resumed_from.filter(|o| *o > 0.0 && item.status != UploadStatus::Interrupted).map(|o| html! {
                        <span class="resumed">{ format!(" · resumed at {}", human_bytes(o as u64)) }</span>
                    }).unwrap_or_default() }
                </div>
                { item.note.as_ref().map(|n| html! { <p class="upload-note" role="alert" data-testid="upload-note">{ n }</p> }).unwrap_or_default() }
            </div>
            <div class="upload-controls">{ controls }</div>
        </li>
    }
}

/// What the collapsed tray says: "3 uploading · 1 waiting · about 2 min left", "2 failed",
/// "4 uploaded".
fn summary(items: &[UploadItem]) -> String {
    let count = |f: &dyn Fn(&UploadStatus) -> bool| items.iter().filter(|i| f(&i.status)).count();
    let sending = count(&|s| {
        matches!(
            s,
            UploadStatus::Uploading | UploadStatus::Retrying { .. } | UploadStatus::Offline { .. }
        )
    });
    let waiting = count(&|s| *s == UploadStatus::Queued);
    let paused = count(&|s| *s == UploadStatus::Paused);
    let checking = count(&|s| *s == UploadStatus::Processing);
    let unfinished = count(&|s| *s == UploadStatus::Interrupted);
    let failed = count(&|s| matches!(s, UploadStatus::Failed { .. } | UploadStatus::Rejected(_)));
    let done = count(&|s| *s == UploadStatus::Done);
    let mut parts = Vec::new();
    for (n, what) in [
        (sending, "uploading"),
        (waiting, "waiting"),
        (paused, "paused"),
        (checking, "checking"),
        (unfinished, "unfinished"),
        (failed, "failed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    if parts.is_empty() {
        parts.push(format!("{} uploaded", done));
    }
    let speed: f64 = items
        .iter()
        .filter(|i| i.status == UploadStatus::Uploading)
        .map(|i| i.speed)
        .sum();
    let left: f64 = items
        .iter()
        .filter(|i| i.status.is_sending())
        .map(|i| (i.size - i.sent).max(0.0))
        .sum();
    if sending > 0 && speed > 1.0 && left > 0.0 {
        parts.push(format::time_left(left / speed));
    }
    parts.join(" · ")
}

/// Re-renders once a second while a row counts down to its next try.
#[hook]
fn use_clock(counting: bool) -> f64 {
    let now = use_state(js_sys::Date::now);
    {
        let now = now.clone();
        use_effect_with(counting, move |counting| {
            now.set(js_sys::Date::now());
            let tick = counting.then(|| {
                gloo_timers::callback::Interval::new(1_000, move || now.set(js_sys::Date::now()))
            });
            move || drop(tick)
        });
    }
    *now
}

/// The tray.
#[function_component(UploadTray)]
pub fn upload_tray(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let (state, dispatch) = use_store::<UploadsStore>();
    let picker = use_node_ref();
    let resuming = use_mut_ref(|| Rc::new(Cell::new(0u32)));
    let collapsed = use_state(|| false);
    let confirming = use_state(|| None::<u32>);
    let items = &state.items;
    let counting = items.iter().any(|i| {
        matches!(
            i.status,
            UploadStatus::Retrying { .. } | UploadStatus::Offline { .. }
        )
    });
    let now = use_clock(counting);
    // Collapses by itself when the last upload finishes well; opens again for new work.
    let settled = !items.is_empty() && items.iter().all(|i| i.status == UploadStatus::Done);
    {
        let collapsed = collapsed.clone();
        let busy = items.iter().any(|i| i.status.is_sending());
        use_effect_with((settled, busy), move |(settled, busy)| {
            if *settled {
                collapsed.set(true);
            } else if *busy {
                collapsed.set(false);
            }
        });
    }
    let on_resume_pick = {
        let (picker, resuming) = (picker.clone(), resuming.clone());
        Callback::from(move |id: u32| {
            resuming.borrow().set(id);
            if let Some(input) = picker.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_picked = {
        let (client, instructor, resuming) = (
            client.clone(),
            props.instructor_id.clone(),
            resuming.clone(),
        );
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                upload::resume_with_file(&client, &instructor, resuming.borrow().get(), file);
            }
            input.set_value("");
        })
    };
    let on_discard = {
        let client = client.clone();
        Callback::from(move |id: u32| upload::discard(&client, id))
    };
    let on_cancel = {
        let confirming = confirming.clone();
        Callback::from(move |id: u32| confirming.set(Some(id)))
    };
    let live = html! { <div class="visually-hidden" aria-live="polite" data-testid="upload-announcer">{ &state.announcement }</div> };
    if items.is_empty() {
        return live;
    }
    let (sent, total) = state.batch();
    let active = items.iter().filter(|i| i.status.is_active()).count();
    let finished = items.iter().any(|i| {
        matches!(
            i.status,
            UploadStatus::Done
                | UploadStatus::Rejected(_)
                | UploadStatus::Failed {
                    retryable: false,
                    ..
                }
        )
    });
    let unfinished = items.iter().any(|i| i.status == UploadStatus::Interrupted);
    let cancel_all = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(Some(0)))
    };
    let clear = dispatch.reduce_mut_callback(UploadsStore::clear_finished);
    let toggle = {
        let collapsed = collapsed.clone();
        Callback::from(move |_: MouseEvent| collapsed.set(!*collapsed))
    };
    let percent = if total > 0.0 {
        sent / total * 100.0
    } else {
        0.0
    };
    let confirm = (*confirming).map(|id| {
        let confirming = confirming.clone();
        let on_close = Callback::from(move |()| confirming.set(None));
        html! { <CancelQuestion {id} question={cancel_question_text(id, items)} {on_close} /> }
    });
    html! {
        <aside class={classes!("upload-tray", collapsed.then_some("collapsed"))} aria-labelledby="queue-title" data-testid="upload-panel">
            <div class="queue-head">
                <h2 id="queue-title" class="tray-title" data-testid="tray-summary">{ summary(items) }</h2>
                <button type="button" class="btn btn-small btn-ghost tray-toggle" onclick={toggle} aria-expanded={(!*collapsed).to_string()}
                    aria-controls="upload-body" data-testid="tray-toggle">{ if *collapsed { "Show uploads" } else { "Hide" } }</button>
                // Nothing left to do: the tray can go (failures worth retrying stay).
                if active == 0 {
                    <button type="button" class="btn btn-small btn-ghost tray-close" onclick={clear.clone()}
                        aria-label="Close the uploads" title="Close">{ "✕" }</button>
                }
            </div>
            { if total > 0.0 { html! {
                <div class="batch">
                    { progress_bar("All uploads".into(), percent, "batch-progress") }
                    <span class="muted">{ format!("{} of {} · {percent:.0}%", human_bytes(sent as u64), human_bytes(total as u64)) }</span>
                </div>
            } } else { html! {} } }
            <div class="tray-body" id="upload-body" hidden={*collapsed}>
                { confirm.unwrap_or_default() }
                { if state.offline { html! {
                    <p class="offline-note" role="status" data-testid="offline-note">
                        { "You're offline — uploads continue when the connection is back." }
                    </p>
                } } else { html! {} } }
                { if unfinished { html! {
                    <p class="tray-notice" data-testid="unfinished-note">
                        { "Some uploads from an earlier visit are unfinished. The server keeps what it received: choose each file again to send the rest, or discard it." }
                    </p>
                } } else { html! {} } }
                <ul class="upload-list">{ for items.iter().map(|i| row(i, now, &on_resume_pick, &on_discard, &on_cancel)) }</ul>
                <div class="queue-actions">
                    { if finished { html! { <button type="button" class="btn btn-small btn-ghost" onclick={clear}>{ "Clear finished" }</button> } } else { html! {} } }
                    { if active > 0 { html! { <button type="button" class="btn btn-small btn-ghost" onclick={cancel_all}>{ "Cancel all" }</button> } } else { html! {} } }
                </div>
            </div>
            <input ref={picker} type="file" accept={picker_accept()} class="visually-hidden" tabindex="-1"
                aria-label="Choose the file to resume" onchange={on_picked} data-testid="resume-input" />
            { live }
        </aside>
    }
}

/// Props of [`CancelQuestion`].
#[derive(Properties, PartialEq)]
struct QuestionProps {
    /// The row asked about; 0 asks about every unfinished upload.
    id: u32,
    /// The question.
    question: String,
    /// Closes the question.
    on_close: Callback<()>,
}

/// "Cancel the upload of a.mp4? What was sent is deleted." inline in the tray, with "Keep
/// uploading" first: the safe choice takes focus, and Escape keeps uploading too.
#[function_component(CancelQuestion)]
fn cancel_question(props: &QuestionProps) -> Html {
    let keep_ref = use_node_ref();
    {
        let keep_ref = keep_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = keep_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let id = props.id;
    let keep = props.on_close.reform(|_: MouseEvent| ());
    let on_key = {
        let close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                close.emit(());
            }
        })
    };
    let yes = {
        let close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| {
            close.emit(());
            if id == 0 {
                upload::cancel_all();
            } else {
                upload::cancel(id);
            }
        })
    };
    html! {
        <div class="tray-confirm" role="alertdialog" aria-labelledby="cancel-question" onkeydown={on_key} data-testid="cancel-question">
            <p id="cancel-question">{ &props.question }</p>
            <div class="queue-actions">
                <button type="button" class="btn btn-small btn-primary" onclick={keep} ref={keep_ref}>{ "Keep uploading" }</button>
                <button type="button" class="btn btn-small btn-danger" onclick={yes}>{ if id == 0 { "Cancel all" } else { "Cancel upload" } }</button>
            </div>
        </div>
    }
}

fn cancel_question_text(id: u32, items: &[UploadItem]) -> String {
    if id == 0 {
        let n = items
            .iter()
            .filter(|i| i.status.is_active() && i.status != UploadStatus::Processing)
            .count();
        format!(
            "Cancel {}? What was sent is deleted and can't be recovered.",
            format::count(n, "upload")
        )
    } else {
        let name = items.iter().find(|i| i.id == id).map_or("", |i| &i.name);
        format!("Cancel the upload of {name}? What was sent is deleted and can't be recovered.")
    }
}
