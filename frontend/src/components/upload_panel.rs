//! The upload panel, one for the whole app (like YouTube Studio's): on every page while
//! anything uploads, a row per file saying which chapter it goes to, with its progress bar and
//! controls; an overall bar for the batch; an offline notice; unfinished uploads of earlier
//! visits with "Resume: choose the file again" and "Discard"; and a live region that announces
//! completions and failures.

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

fn detail(item: &UploadItem) -> String {
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
        UploadStatus::Retrying { at, .. } => format!("{sent} · next try at {}", format::clock(*at)),
        UploadStatus::Offline { at } => format!(
            "{sent} · continues when the connection is back (next try at {})",
            format::clock(*at)
        ),
        UploadStatus::Interrupted => {
            format!("{sent} on the server · choose the file again to send the rest")
        }
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

fn row(item: &UploadItem, on_resume_pick: &Callback<u32>, on_discard: &Callback<u32>) -> Html {
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
                { button("Pause", upload::pause, "") }{ button("Cancel", upload::cancel, "btn-ghost") }
            </> }
        }
        UploadStatus::Queued => button("Cancel", upload::cancel, "btn-ghost"),
        UploadStatus::Paused => html! { <>
            { button("Resume", upload::resume, "btn-primary") }{ button("Cancel", upload::cancel, "btn-ghost") }
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
                <div class="upload-detail" data-testid="upload-detail">{ detail(item) }
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

/// The panel.
#[function_component(UploadPanel)]
pub fn upload_panel(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let (state, dispatch) = use_store::<UploadsStore>();
    let picker = use_node_ref();
    let resuming = use_mut_ref(|| Rc::new(Cell::new(0u32)));
    let collapsed = use_state(|| false);
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
    let items = &state.items;
    let live = html! { <div class="visually-hidden" aria-live="polite" data-testid="upload-announcer">{ &state.announcement }</div> };
    if items.is_empty() {
        return live;
    }
    let (sent, total) = state.batch();
    let active = items.iter().filter(|i| i.status.is_active()).count();
    let moving = items.iter().filter(|i| i.status.is_sending()).count();
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
    let cancel_all = Callback::from(move |_: MouseEvent| upload::cancel_all());
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
    let title = if moving > 0 {
        format!("Uploading {moving} of {}", items.len())
    } else {
        "Uploads".to_string()
    };
    html! {
        <section class="card upload-panel" aria-labelledby="queue-title" data-testid="upload-panel">
            <div class="queue-head">
                <h2 id="queue-title">{ title }</h2>
                <div class="queue-actions">
                    { if finished { html! { <button type="button" class="btn btn-small btn-ghost" onclick={clear}>{ "Clear finished" }</button> } } else { html! {} } }
                    { if active > 0 { html! { <button type="button" class="btn btn-small" onclick={cancel_all}>{ "Cancel all" }</button> } } else { html! {} } }
                    <button type="button" class="btn btn-small btn-ghost" onclick={toggle} aria-expanded={(!*collapsed).to_string()}
                        aria-controls="upload-list">{ if *collapsed { "Show details" } else { "Hide details" } }</button>
                </div>
            </div>
            { if state.offline { html! {
                <p class="offline-note" role="status" data-testid="offline-note">
                    { "You're offline — uploads continue when the connection is back." }
                </p>
            } } else { html! {} } }
            { if total > 0.0 { html! {
                <div class="batch">
                    { progress_bar("All uploads".into(), percent, "batch-progress") }
                    <span class="muted">{ format!("{} of {} · {percent:.0}%", human_bytes(sent as u64), human_bytes(total as u64)) }</span>
                </div>
            } } else { html! {} } }
            <ul class="upload-list" id="upload-list" hidden={*collapsed}>{ for items.iter().map(|i| row(i, &on_resume_pick, &on_discard)) }</ul>
            <input ref={picker} type="file" accept={picker_accept()} class="visually-hidden" tabindex="-1"
                aria-label="Choose the file to resume" onchange={on_picked} data-testid="resume-input" />
            { live }
        </section>
    }
}
