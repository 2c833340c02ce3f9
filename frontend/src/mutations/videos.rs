//! Arranging a chapter's videos: renames, reorders within the chapter and moves to another
//! chapter of the course, each optimistic on the chapter's list (`QueryKey::ChapterVideos`).

use super::delete::{put_back, take_out, Removed};
use super::optimistic::{self, current_order, ordered_by, say_refused, STALE_ORDER};
use crate::api::{self, ClientError};
use crate::components::format;
use crate::in_turn::in_turn;
use crate::query::{QueryClient, QueryKey};
use crate::stores::announce::announce;
use crate::stores::{toast, ToastKind};
use shared::dto::VideoDto;
use shared::ChapterId;

type Videos = Vec<VideoDto>;

fn key(chapter_id: &str) -> QueryKey {
    QueryKey::ChapterVideos(chapter_id.to_string())
}

fn replace(list: &Videos, video: &VideoDto) -> Videos {
    list.iter()
        .map(|v| {
            if v.id == video.id {
                video.clone()
            } else {
                v.clone()
            }
        })
        .collect()
}

/// Renames a video.
pub fn rename_video(client: &QueryClient, chapter_id: &str, video_id: &str, title: String) {
    let (id, shown) = (video_id.to_string(), title.clone());
    let k = key(chapter_id);
    optimistic::run(
        client,
        k.clone(),
        move |list: &Videos| {
            list.iter()
                .map(|v| {
                    let mut v = v.clone();
                    if v.id.as_str() == id {
                        v.title = shown.clone();
                    }
                    v
                })
                .collect()
        },
        api::videos::rename(video_id.to_string(), title.clone()),
        move |client, video: VideoDto| client.update::<Videos>(&k, |list| replace(list, &video)),
        say_refused(format!("Couldn't rename the video to “{title}”.")),
    );
}

/// Moves a video from `from` to `to` within its chapter and says where it went.
pub fn move_video(client: &QueryClient, chapter_id: &str, from: usize, to: usize) {
    let k = key(chapter_id);
    let Some(list) = client.get::<Videos>(&k) else {
        return;
    };
    if from == to || from >= list.len() || to >= list.len() {
        return;
    }
    let seen: Vec<String> = list.iter().map(|v| v.id.to_string()).collect();
    let next = optimistic::moved(&list, from, to);
    let ids: Vec<String> = next.iter().map(|v| v.id.to_string()).collect();
    let title = next[to].title.clone();
    announce(format!(
        "Moved “{title}” to position {} of {}.",
        to + 1,
        next.len()
    ));
    optimistic::run(
        client,
        k.clone(),
        move |_: &Videos| next,
        // One move after another (`in_turn`): a second quick move sent beside the first could
        // reach another instance first and be refused as stale.
        in_turn(
            format!("video-order-of-{chapter_id}"),
            api::videos::reorder(chapter_id.to_string(), ids, seen),
        ),
        // The server took the order the screen shows: writing its answer could undo a newer
        // change (a second move, a rename) whose answer came first.
        |_, _: Videos| {},
        move |client, e| match current_order(e) {
            Some(order) => {
                client.update::<Videos>(&k, |list| ordered_by(list, &order, |v| v.id.to_string()));
                let again = k.clone();
                client.invalidate(move |x| *x == again);
                toast(ToastKind::Error, STALE_ORDER);
                announce(STALE_ORDER);
            }
            None => {
                let why = format!("Couldn't move “{title}”. {}", e.message());
                announce(why.clone());
                toast(ToastKind::Error, why);
            }
        },
    );
}

/// Moves videos to the end of another chapter of the same course: they leave this list at once
/// (and join the other chapter's, if it is cached); those the server refuses come back where
/// they were, with the reason.
pub fn move_videos(
    client: &QueryClient,
    from_chapter: &str,
    to_chapter: &str,
    to_title: &str,
    ids: Vec<String>,
) {
    let (from, to) = (key(from_chapter), key(to_chapter));
    let Some(list) = client.get::<Videos>(&from) else {
        return;
    };
    let (kept, removed) = take_out(&list, |v| ids.contains(&v.id.to_string()));
    if removed.is_empty() || from_chapter == to_chapter {
        return;
    }
    client.begin_mutation(&from);
    client.begin_mutation(&to);
    client.set_data(&from, kept);
    let arriving: Videos = removed
        .iter()
        .map(|(_, v)| VideoDto {
            chapter_id: ChapterId(to_chapter.to_string()),
            ..v.clone()
        })
        .collect();
    client.update::<Videos>(&to, |list| [list.clone(), arriving].concat());
    let (client, target, to_title) = (client.clone(), to_chapter.to_string(), to_title.to_string());
    wasm_bindgen_futures::spawn_local(async move {
        let mut refused: Option<ClientError> = None;
        let mut back: Removed<VideoDto> = Vec::new();
        // One after another: the server appends each at the end, so they keep their order.
        for (at, video) in &removed {
            if let Err(e) = api::videos::move_to(video.id.to_string(), target.clone()).await {
                back.push((*at, video.clone()));
                refused.get_or_insert(e);
            }
        }
        if !back.is_empty() {
            client.update::<Videos>(&from, |now| put_back(now, &back, |a, b| a.id == b.id));
            client.update::<Videos>(&to, |now| {
                now.iter()
                    .filter(|v| !back.iter().any(|(_, b)| b.id == v.id))
                    .cloned()
                    .collect()
            });
        }
        client.end_mutation(&from);
        client.end_mutation(&to);
        let moved = removed.len() - back.len();
        let text = match (moved, &refused) {
            (_, None) => format!("Moved {} to “{to_title}”.", format::count(moved, "video")),
            (0, Some(e)) => format!(
                "Couldn't move {} to “{to_title}”. {}",
                format::count(back.len(), "video"),
                e.message()
            ),
            (_, Some(e)) => format!(
                "Moved {} of {} to “{to_title}”; {} stayed here. {}",
                moved,
                removed.len(),
                back.len(),
                e.message()
            ),
        };
        let kind = if refused.is_some() {
            ToastKind::Error
        } else {
            ToastKind::Success
        };
        announce(text.clone());
        toast(kind, text);
        client.invalidate(move |k| *k == QueryKey::Courses || *k == to);
    });
}
