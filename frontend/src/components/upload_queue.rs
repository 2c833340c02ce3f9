//! The upload queue of one chapter: a row per file with its progress bar and controls, an
//! overall bar for the batch, and a live region that announces completions and failures.

use crate::components::format;
use crate::mutations::upload;
use crate::stores::uploads::{UploadItem, UploadStatus, UploadsStore};
use shared::media::human_bytes;
use yew::prelude::*;
use yewdux::prelude::*;

/// Props: which chapter's rows.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The chapter.
    pub chapter_id: String,
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
        UploadStatus::Retrying { .. } => sent,
        UploadStatus::Processing => "Checking the video…".into(),
        UploadStatus::Done => format!("{} · in the chapter", human_bytes(item.size as u64)),
        UploadStatus::Failed { message: why, .. } | UploadStatus::Rejected(why) => why.clone(),
    }
}

fn icon(status: &UploadStatus) -> &'static str {
    match status {
        UploadStatus::Done => "✓",
        UploadStatus::Failed { .. } | UploadStatus::Rejected(_) => "!",
        UploadStatus::Paused => "❚❚",
        UploadStatus::Processing => "…",
        _ => "↑",
    }
}

fn row(item: &UploadItem) -> Html {
    let id = item.id;
    let status = &item.status;
    let button = |label: &'static str, action: fn(u32), class: &'static str| {
        let onclick = Callback::from(move |_: MouseEvent| action(id));
        html! { <button type="button" class={classes!("btn", "btn-small", class)} {onclick}
        aria-label={format!("{label} {}", item.name)}>{ label }</button> }
    };
    let controls = match status {
        UploadStatus::Uploading | UploadStatus::Retrying { .. } => html! { <>
            { button("Pause", upload::pause, "") }{ button("Cancel", upload::cancel, "btn-ghost") }
        </> },
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
        UploadStatus::Paused | UploadStatus::Retrying { .. } => "tone-warning",
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
                { if show_bar { progress_bar(format!("Upload of {}", item.name), item.percent(), "upload-progress") } else { html! {} } }
                <div class="upload-detail" data-testid="upload-detail">{ detail(item) }
                    { item.resumed_from.filter(|o| *o > 0.0).map(|o| html! {
                        <span class="resumed">{ format!(" · resumed at {}", human_bytes(o as u64)) }</span>
                    }).unwrap_or_default() }
                </div>
            </div>
            <div class="upload-controls">{ controls }</div>
        </li>
    }
}

/// The queue.
#[function_component(UploadQueue)]
pub fn upload_queue(props: &Props) -> Html {
    let (state, dispatch) = use_store::<UploadsStore>();
    let items: Vec<&UploadItem> = state
        .items
        .iter()
        .filter(|i| i.chapter_id == props.chapter_id)
        .collect();
    let live = html! { <div class="visually-hidden" aria-live="polite" data-testid="upload-announcer">{ &state.announcement }</div> };
    if items.is_empty() {
        return live;
    }
    let (sent, total) = state.batch(&props.chapter_id);
    let active = items.iter().filter(|i| i.status.is_active()).count();
    let moving = items
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                UploadStatus::Uploading | UploadStatus::Retrying { .. } | UploadStatus::Queued
            )
        })
        .count();
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
    let chapter = props.chapter_id.clone();
    let cancel_all = {
        let chapter = chapter.clone();
        Callback::from(move |_: MouseEvent| upload::cancel_all(&chapter))
    };
    let clear = dispatch.reduce_mut_callback(move |s| s.clear_finished(&chapter));
    let percent = if total > 0.0 {
        sent / total * 100.0
    } else {
        0.0
    };
    html! {
        <section class="card upload-queue" aria-labelledby="queue-title">
            <div class="queue-head">
                <h2 id="queue-title">{ if moving > 0 { format!("Uploading {moving} of {}", items.len()) } else { "Uploads".to_string() } }</h2>
                <div class="queue-actions">
                    { if finished { html! { <button type="button" class="btn btn-small btn-ghost" onclick={clear}>{ "Clear finished" }</button> } } else { html! {} } }
                    { if active > 0 { html! { <button type="button" class="btn btn-small" onclick={cancel_all}>{ "Cancel all" }</button> } } else { html! {} } }
                </div>
            </div>
            { if total > 0.0 { html! {
                <div class="batch">
                    { progress_bar("All uploads".into(), percent, "batch-progress") }
                    <span class="muted">{ format!("{} of {} · {percent:.0}%", human_bytes(sent as u64), human_bytes(total as u64)) }</span>
                </div>
            } } else { html! {} } }
            <ul class="upload-list">{ for items.iter().map(|i| row(i)) }</ul>
            { live }
        </section>
    }
}
