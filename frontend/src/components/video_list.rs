//! A chapter's videos: title, duration, size, upload date, status and a preview that plays and
//! seeks through its display URL.

use crate::components::format;
use shared::dto::{VideoDto, VideoStatus};
use shared::media::human_bytes;
use yew::prelude::*;

/// Props: the videos.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// In chapter order.
    pub videos: Vec<VideoDto>,
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

/// One row; keyed by video ID so a change re-renders only that row.
#[function_component(VideoRow)]
fn video_row(props: &RowProps) -> Html {
    let v = &props.video;
    let preview = match &v.display_url {
        Some(url) => {
            html! { <video class="preview" src={url.clone()} controls=true preload="metadata"
            aria-label={format!("Preview of {}", v.title)} data-testid="video-preview"></video> }
        }
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
    html! {
        <li class="video-row" data-testid="video-row" data-video-id={v.id.to_string()}>
            { preview }
            <div class="video-main">
                <div class="video-title">{ &v.title }</div>
                <div class="muted video-facts" data-testid="video-facts">{ facts.join(" · ") }</div>
                { v.failure_reason.as_ref().map(|r| html! { <p class="video-error">{ r }</p> }).unwrap_or_default() }
            </div>
            { status_badge(v.status) }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    video: VideoDto,
}

/// The list, or an empty state.
#[function_component(VideoList)]
pub fn video_list(props: &Props) -> Html {
    if props.videos.is_empty() {
        return html! {
            <div class="empty empty-small" data-testid="videos-empty">
                <p><strong>{ "No videos in this chapter yet." }</strong></p>
                <p class="muted">{ "Upload the lectures for this chapter above; they appear here when they are ready to watch." }</p>
            </div>
        };
    }
    html! {
        <ul class="video-list" data-testid="video-list">
            { for props.videos.iter().map(|v| html! { <VideoRow key={v.id.to_string()} video={v.clone()} /> }) }
        </ul>
    }
}
