//! Deleting videos, as instructors expect it to feel: the rows leave the list in the click's
//! frame (optimistic removal in the query cache), a toast offers Undo for the grace period,
//! and only the rows the server refused come back, in their places, saying why with Retry.
//! A video still uploading from this browser stops uploading, and goes on after Undo. Focus goes to the next row (one
//! video) or the toast's Undo (several), and after Undo to the first restored row.

use crate::api::{self, ClientError};
use crate::mutations::upload;
use crate::query::{QueryClient, QueryKey};
use crate::stores::library::LibraryStore;
use crate::stores::{toast, toast_with, ToastAction, ToastKind};
use shared::dto::{DeleteResult, VideoDto};
use shared::VideoId;
use yew::Callback;
use yewdux::Dispatch;

fn library() -> Dispatch<LibraryStore> {
    crate::stores::dispatch()
}

/// Rows taken out of a list, with where each was.
pub type Removed<T> = Vec<(usize, T)>;

/// Splits `list` into what stays and what `is_removed` takes out (with original positions).
pub fn take_out<T: Clone>(list: &[T], is_removed: impl Fn(&T) -> bool) -> (Vec<T>, Removed<T>) {
    let mut kept = Vec::with_capacity(list.len());
    let mut removed = Vec::new();
    for (i, item) in list.iter().enumerate() {
        if is_removed(item) {
            removed.push((i, item.clone()));
        } else {
            kept.push(item.clone());
        }
    }
    (kept, removed)
}

/// Puts rows back where they were (rows already present are left alone).
pub fn put_back<T: Clone>(list: &[T], rows: &Removed<T>, same: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut out = list.to_vec();
    let mut rows = rows.clone();
    rows.sort_by_key(|(i, _)| *i);
    for (i, row) in rows {
        if !out.iter().any(|x| same(x, &row)) {
            let at = i.min(out.len());
            out.insert(at, row);
        }
    }
    out
}

fn key(chapter_id: &str) -> QueryKey {
    QueryKey::ChapterVideos(chapter_id.to_string())
}

fn same(a: &VideoDto, b: &VideoDto) -> bool {
    a.id == b.id
}

/// Deletes `ids` from a chapter: optimistic removal now, the server's verdict per video later.
pub fn delete_videos(client: &QueryClient, chapter_id: &str, ids: Vec<VideoId>) {
    let key = key(chapter_id);
    let Some(list) = client.get::<Vec<VideoDto>>(&key) else {
        return;
    };
    let (kept, removed) = take_out(&list, |v| ids.contains(&v.id));
    if removed.is_empty() {
        return;
    }
    let id_texts: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let bulk = removed.len() > 1;
    let next = next_row(&list, &removed);
    let window = undo_window_ms(client, []);
    upload::held::hold_videos(&id_texts, window);
    client.begin_mutation(&key);
    client.set_data(&key, kept);
    library().reduce_mut(|s| s.begin(&id_texts));
    crate::focus::later(
        next.map(|id| row_focus(&id))
            .into_iter()
            .chain([VIDEOS_HEADING.to_string()])
            .collect(),
    );
    let (client, chapter) = (client.clone(), chapter_id.to_string());
    wasm_bindgen_futures::spawn_local(async move {
        let results = send(&ids).await;
        let failed: Vec<(String, String)> = results
            .iter()
            .filter(|r| !r.ok)
            .map(|r| {
                (
                    r.id.to_string(),
                    r.message
                        .clone()
                        .unwrap_or_else(|| "The video could not be deleted.".into()),
                )
            })
            .collect();
        // Per-row rollback: only refused rows return, to where they were.
        let back: Removed<VideoDto> = removed
            .iter()
            .filter(|(_, v)| failed.iter().any(|(id, _)| *id == v.id.to_string()))
            .cloned()
            .collect();
        if !back.is_empty() {
            client.update::<Vec<VideoDto>>(&key, |now| put_back(now, &back, same));
            let refused: Vec<String> = failed.iter().map(|(id, _)| id.clone()).collect();
            upload::held::give_back_videos(&refused);
        }
        client.end_mutation(&key);
        library().reduce_mut(|s| s.finish(&id_texts, &failed));
        let deleted: Removed<VideoDto> = removed
            .iter()
            .filter(|(_, v)| !back.iter().any(|(_, b)| b.id == v.id))
            .cloned()
            .collect();
        let toast = announce(&client, &chapter, &deleted, &results, &failed);
        if let (true, Some(toast)) = (bulk, toast) {
            crate::focus::later(vec![format!(
                "{} .toast-action",
                crate::stores::toasts::selector(toast)
            )]);
        }
        client.invalidate(|k| *k == QueryKey::Courses);
    });
}

/// The list's heading, where focus goes when no row is left to take it.
const VIDEOS_HEADING: &str = "#videos-title";

/// What takes focus in a row: its checkbox.
fn row_focus(id: &str) -> String {
    format!("[data-video-id='{id}'] .row-check")
}

/// The row that takes focus after `removed` leave `list`: the first one after the last removed
/// row, else the nearest one before it.
fn next_row(list: &[VideoDto], removed: &Removed<VideoDto>) -> Option<String> {
    let gone = |i: usize| removed.iter().any(|(at, _)| *at == i);
    let last = removed.iter().map(|(at, _)| *at).max()?;
    (last + 1..list.len())
        .chain((0..last).rev())
        .find(|i| !gone(*i))
        .map(|i| list[i].id.to_string())
}

/// One DELETE for one video, one bulk request for several; a failed call fails every ID.
async fn send(ids: &[VideoId]) -> Vec<DeleteResult> {
    let failed_all = |e: ClientError| {
        ids.iter()
            .map(|id| DeleteResult {
                id: id.clone(),
                ok: false,
                code: e.code(),
                message: Some(e.message()),
                restorable_until: None,
            })
            .collect()
    };
    if let [only] = ids {
        return match api::videos::delete(only.to_string()).await {
            Ok(result) => vec![result],
            Err(e) => failed_all(e),
        };
    }
    match api::videos::bulk_delete(ids.to_vec()).await {
        Ok(response) => response.results,
        Err(e) => failed_all(e),
    }
}

/// How long the Undo toast stays: until the server's `restorable_until`, read against this
/// browser's clock, but never longer than the grace the server grants (`MeDto::undo_secs`):
/// a browser clock behind the server's must not promise 41 s of a 30 s window.
pub(crate) fn undo_window_ms<'a>(
    client: &QueryClient,
    until: impl IntoIterator<Item = &'a str>,
) -> u32 {
    let granted = client
        .get::<shared::dto::MeDto>(&crate::query::QueryKey::Me)
        .map_or(30_000.0, |me| me.undo_secs as f64 * 1000.0);
    let now = js_sys::Date::now();
    capped_window_ms(
        until
            .into_iter()
            .map(|t| js_sys::Date::new(&t.into()).get_time() - now),
        granted,
    )
}

/// The shortest of the windows left (ms), never more than `granted` nor under 3 s.
fn capped_window_ms(left: impl Iterator<Item = f64>, granted: f64) -> u32 {
    left.fold(granted, f64::min)
        .clamp(3_000.0, granted.max(3_000.0)) as u32
}

fn plural(n: usize) -> String {
    crate::components::format::count(n, "video")
}

/// Says how the delete went; returns the Undo toast's ID when there is one.
fn announce(
    client: &QueryClient,
    chapter: &str,
    deleted: &Removed<VideoDto>,
    results: &[DeleteResult],
    failed: &[(String, String)],
) -> Option<u32> {
    let total = deleted.len() + failed.len();
    if deleted.is_empty() {
        let why = failed.first().map(|(_, w)| w.clone()).unwrap_or_default();
        toast(
            ToastKind::Error,
            format!(
                "Couldn't delete {}. {why} Use Retry on the row.",
                plural(total)
            ),
        );
        return None;
    }
    let text = if failed.is_empty() {
        format!("Deleted {}.", plural(deleted.len()))
    } else {
        format!(
            "Deleted {} of {} — {} could not be deleted.",
            deleted.len(),
            total,
            failed.len()
        )
    };
    let mut actions = Vec::new();
    {
        let (client, chapter, deleted) = (client.clone(), chapter.to_string(), deleted.clone());
        actions.push(ToastAction {
            label: "Undo".into(),
            run: Callback::from(move |()| restore_videos(&client, &chapter, deleted.clone())),
        });
    }
    if !failed.is_empty() {
        let (client, chapter) = (client.clone(), chapter.to_string());
        let ids: Vec<VideoId> = failed.iter().map(|(id, _)| VideoId(id.clone())).collect();
        actions.push(ToastAction {
            label: "Retry".into(),
            run: Callback::from(move |()| delete_videos(&client, &chapter, ids.clone())),
        });
    }
    let kind = if failed.is_empty() {
        ToastKind::Success
    } else {
        ToastKind::Error
    };
    Some(toast_with(
        kind,
        text,
        actions,
        undo_window_ms(
            client,
            results.iter().filter_map(|r| r.restorable_until.as_deref()),
        ),
    ))
}

/// Undo: the rows come back at once where they were; the server restores each.
pub fn restore_videos(client: &QueryClient, chapter_id: &str, rows: Removed<VideoDto>) {
    let key = key(chapter_id);
    client.begin_mutation(&key);
    client.update::<Vec<VideoDto>>(&key, |now| put_back(now, &rows, same));
    let ids: Vec<String> = rows.iter().map(|(_, v)| v.id.to_string()).collect();
    crate::focus::later(
        ids.first()
            .map(|id| row_focus(id))
            .into_iter()
            .chain([VIDEOS_HEADING.to_string()])
            .collect(),
    );
    library().reduce_mut(|s| s.begin(&ids));
    let client = client.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let outcomes =
            one_after_another(ids.iter().map(|id| api::videos::restore(id.clone()))).await;
        let lost: Vec<String> = ids
            .iter()
            .zip(&outcomes)
            .filter(|(_, r)| r.is_err())
            .map(|(id, _)| id.clone())
            .collect();
        if !lost.is_empty() {
            client.update::<Vec<VideoDto>>(&key, |now| {
                now.iter()
                    .filter(|v| !lost.contains(&v.id.to_string()))
                    .cloned()
                    .collect()
            });
            let why = outcomes
                .iter()
                .find_map(|r| r.as_ref().err())
                .map(ClientError::message)
                .unwrap_or_default();
            toast(
                ToastKind::Error,
                format!("Couldn't restore {}. {why}", plural(lost.len())),
            );
        } else {
            toast(
                ToastKind::Success,
                format!("Restored {}.", plural(ids.len())),
            );
        }
        // Uploads the delete held go on from where they stopped.
        let back: Vec<String> = ids
            .iter()
            .filter(|id| !lost.contains(id))
            .cloned()
            .collect();
        upload::held::give_back_videos(&back);
        client.end_mutation(&key);
        library().reduce_mut(|s| s.finish(&ids, &[]));
        // The server's copy is the truth (e.g. fresh display URLs).
        let key = key.clone();
        client.invalidate(move |k| *k == key || *k == QueryKey::Courses);
    });
}

/// Awaits futures one after another (restores are few and quick; this keeps the server's audit
/// trail in the instructor's order).
async fn one_after_another<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut out = Vec::new();
    let pending: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    for f in pending {
        out.push(f.await);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_taken_out_go_back_exactly_where_they_were() {
        let list = vec![1, 2, 3, 4, 5, 6];
        let (kept, removed) = take_out(&list, |x| [2, 5, 6].contains(x));
        assert_eq!(kept, vec![1, 3, 4]);
        let only_some: Removed<i32> = removed.iter().filter(|(_, x)| *x != 5).cloned().collect();
        assert_eq!(
            put_back(&kept, &only_some, |a, b| a == b),
            vec![1, 2, 3, 4, 6]
        );
        assert_eq!(put_back(&kept, &removed, |a, b| a == b), list);
    }

    fn video(id: &str) -> VideoDto {
        VideoDto {
            id: VideoId(id.into()),
            chapter_id: shared::ChapterId("ch".into()),
            title: id.into(),
            status: shared::dto::VideoStatus::Ready,
            size_bytes: 1,
            duration_ms: None,
            width: None,
            height: None,
            created_at: String::new(),
            display_url: None,
            poster_url: None,
            thumbnails_url: None,
            failure_reason: None,
        }
    }

    #[test]
    fn focus_goes_to_the_row_after_the_deleted_ones_or_else_before() {
        let list: Vec<VideoDto> = ["a", "b", "c", "d"].iter().map(|i| video(i)).collect();
        let next = |gone: &[&str]| {
            let (_, removed) = take_out(&list, |v| gone.contains(&v.id.as_str()));
            next_row(&list, &removed)
        };
        assert_eq!(next(&["b"]).as_deref(), Some("c"));
        assert_eq!(next(&["b", "c"]).as_deref(), Some("d"));
        assert_eq!(next(&["d"]).as_deref(), Some("c"));
        assert_eq!(next(&["c", "d"]).as_deref(), Some("b"));
        assert_eq!(next(&["a", "b", "c", "d"]), None);
    }

    #[test]
    fn putting_back_twice_does_not_duplicate_rows() {
        let (kept, removed) = take_out(&[1, 2, 3], |x| *x == 2);
        let once = put_back(&kept, &removed, |a, b| a == b);
        assert_eq!(put_back(&once, &removed, |a, b| a == b), vec![1, 2, 3]);
    }

    #[test]
    fn the_undo_window_never_exceeds_what_the_server_grants() {
        // A browser clock 11 s behind the server's reads 41 s left of a 30 s window.
        assert_eq!(capped_window_ms([41_000.0].into_iter(), 30_000.0), 30_000);
        // Ahead of it: less is promised, never more.
        assert_eq!(capped_window_ms([19_000.0].into_iter(), 30_000.0), 19_000);
        assert_eq!(
            capped_window_ms([25_000.0, 22_000.0].into_iter(), 30_000.0),
            22_000
        );
        // Nearly over (or clocks far apart): still long enough to press Undo.
        assert_eq!(capped_window_ms([-5_000.0].into_iter(), 30_000.0), 3_000);
    }
}
