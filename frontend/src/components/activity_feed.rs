//! A course's "Activity" tab: its audit trail, newest first, a page at a time ("Show older"),
//! filtered by kind. Each page is its own query, so a refresh re-reads only what is shown.

use crate::api;
use crate::components::format;
use crate::components::status::{ErrorPanel, Loading};
use crate::query::{use_query, QueryKey};
use shared::dto::{ActivityEventDto, ActivityKind};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Props: which course.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The course ID.
    pub course_id: AttrValue,
}

const KINDS: [(ActivityKind, &str); 7] = [
    (ActivityKind::Upload, "Uploads"),
    (ActivityKind::Delete, "Deletes"),
    (ActivityKind::Restore, "Restores"),
    (ActivityKind::Purge, "Purges"),
    (ActivityKind::Edit, "Edits"),
    (ActivityKind::Move, "Moves"),
    (ActivityKind::Denied, "Blocked attempts by others"),
];

/// What happened, in words.
fn describe(e: &ActivityEventDto) -> String {
    let thing = e
        .target_title
        .as_ref()
        .map(|t| format!("“{t}”"))
        .unwrap_or_else(|| "an item".to_string());
    if e.outcome == "denied" {
        return format!("Blocked attempt ({}) on {thing}", e.action);
    }
    let verb = match e.action.as_str() {
        "upload.created" | "upload.started" => "Upload started:",
        "upload.completed" | "upload.finished" => "Upload finished:",
        "upload.failed" => "Upload failed:",
        "upload.canceled" | "upload.terminated" => "Upload canceled:",
        "upload.expired" => "Upload expired:",
        "video.deleted" => "Deleted video",
        "video.restored" => "Restored video",
        "video.purged" => "Removed for good:",
        "video.renamed" => "Renamed video to",
        "video.moved" => "Moved video",
        "videos.reordered" => "Reordered the videos of",
        "chapter.added" | "chapter.created" => "Added chapter",
        "chapter.renamed" => "Renamed chapter to",
        "chapter.deleted" => "Deleted chapter",
        "chapter.restored" => "Restored chapter",
        "chapters.reordered" => "Reordered the chapters of",
        "course.created" => "Created course",
        "course.updated" => "Updated course",
        other => return format!("{other} {thing}"),
    };
    let between = match (&e.from_chapter, &e.to_chapter) {
        (Some(from), Some(to)) => format!(" from “{from}” to “{to}”"),
        (None, Some(to)) => format!(" into “{to}”"),
        _ => String::new(),
    };
    format!("{verb} {thing}{between}")
}

fn badge(kind: ActivityKind) -> Html {
    let class = match kind {
        ActivityKind::Denied => "badge-error",
        ActivityKind::Delete | ActivityKind::Purge => "badge-warning",
        ActivityKind::Upload | ActivityKind::Restore => "badge-success",
        ActivityKind::Edit | ActivityKind::Move => "badge-neutral",
    };
    let label = match kind {
        ActivityKind::Upload => "Upload",
        ActivityKind::Delete => "Delete",
        ActivityKind::Restore => "Restore",
        ActivityKind::Purge => "Purge",
        ActivityKind::Edit => "Edit",
        ActivityKind::Move => "Move",
        ActivityKind::Denied => "Blocked",
    };
    html! { <span class={classes!("badge", class)}>{ label }</span> }
}

#[derive(Properties, PartialEq)]
struct PageProps {
    course_id: AttrValue,
    kind: Option<ActivityKind>,
    before: Option<i64>,
    /// Only the last page shows "Show older".
    last: bool,
    on_older: Callback<i64>,
}

#[function_component(ActivityPageView)]
fn activity_page(props: &PageProps) -> Html {
    let key = QueryKey::Activity(props.course_id.to_string(), props.kind, props.before);
    let page = {
        let (course, kind, before) = (props.course_id.to_string(), props.kind, props.before);
        use_query(key.clone(), move || {
            api::courses::activity(course.clone(), before, kind)
        })
    };
    let Some(data) = &page.data else {
        return match &page.error {
            Some(e) => html! { <ErrorPanel message={e.message()} query={key} /> },
            None => html! { <Loading label="Loading activity…" /> },
        };
    };
    if data.events.is_empty() && props.before.is_none() {
        return html! {
            <div class="empty empty-small" data-testid="activity-empty">
                <p><strong>{ "Nothing here yet." }</strong></p>
                <p class="muted">{ "Uploads, edits, moves and deletes in this course show up here." }</p>
            </div>
        };
    }
    let older = match (props.last, data.next_before) {
        (true, Some(before)) => {
            let on_older = props.on_older.clone();
            html! { <button type="button" class="btn" onclick={move |_| on_older.emit(before)} data-testid="activity-older">{ "Show older activity" }</button> }
        }
        _ => html! {},
    };
    html! {
        <>
            { for data.events.iter().map(|e| html! {
                <li class="activity-item" key={e.id} data-testid="activity-item" data-kind={e.kind.as_str()}>
                    { badge(e.kind) }
                    <div class="activity-main">
                        <span class="activity-what">{ describe(e) }</span>
                        { e.reason.as_ref().map(|r| html! { <span class="activity-reason">{ format!(" — {r}") }</span> }).unwrap_or_default() }
                        <div class="muted activity-meta">
                            { format!("{} {}", format::date(&e.at), format::clock(js_sys::Date::new(&e.at.as_str().into()).get_time())) }
                            { e.actor_name.as_ref().map(|n| html! { <>{ " · " }{ n }</> }).unwrap_or_default() }
                            if e.outcome != "success" { { format!(" · {}", e.outcome) } }
                            if e.repeats > 1 { { format!(" · {} times", e.repeats) } }
                        </div>
                    </div>
                </li>
            }) }
            <li class="activity-more">{ older }</li>
        </>
    }
}

/// The tab's content.
#[function_component(ActivityFeed)]
pub fn activity_feed(props: &Props) -> Html {
    let kind = use_state(|| None::<ActivityKind>);
    // The `before` cursor of every page shown after the first.
    let pages = use_state(Vec::<i64>::new);
    let on_kind = {
        let (kind, pages) = (kind.clone(), pages.clone());
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            kind.set(
                KINDS
                    .iter()
                    .find(|(k, _)| k.as_str() == value)
                    .map(|(k, _)| *k),
            );
            pages.set(Vec::new());
        })
    };
    let on_older = {
        let pages = pages.clone();
        Callback::from(move |before: i64| {
            let mut next = (*pages).clone();
            next.push(before);
            pages.set(next);
        })
    };
    let cursors: Vec<Option<i64>> = std::iter::once(None)
        .chain(pages.iter().map(|b| Some(*b)))
        .collect();
    let last = cursors.len() - 1;
    html! {
        <section class="activity" aria-labelledby="activity-title">
            <div class="activity-toolbar">
                <h2 id="activity-title">{ "Activity" }</h2>
                <label class="activity-filter">
                    { "Show " }
                    <select onchange={on_kind} data-testid="activity-kind">
                        <option value="" selected={kind.is_none()}>{ "Everything" }</option>
                        { for KINDS.iter().map(|(k, label)| html! {
                            <option value={k.as_str()} selected={*kind == Some(*k)}>{ *label }</option>
                        }) }
                    </select>
                </label>
            </div>
            <ol class="card activity-list" data-testid="activity-list">
                { for cursors.iter().enumerate().map(|(i, before)| html! {
                    <ActivityPageView key={format!("{}-{}", kind.map_or("all", |k| k.as_str()), before.unwrap_or(0))} course_id={props.course_id.clone()}
                        kind={*kind} before={*before} last={i == last} on_older={on_older.clone()} />
                }) }
            </ol>
        </section>
    }
}
