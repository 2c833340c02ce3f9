//! "Upload again?": files that look already uploaded to the chapter are held back behind a
//! question; the rest start at once.

use super::{enqueue, store};
use crate::query::{QueryClient, QueryKey};
use crate::stores::dialogs::{self, Question};
use crate::stores::uploads::{Destination, UploadStatus};
use shared::dto::{VideoDto, VideoStatus};
use web_sys::File;
use yew::Callback;

/// Adds chosen files to the queue at once (refused ones are marked with the reason) and starts
/// as many as may run. Files that look already uploaded to this chapter (same name and size in
/// its list, or a row of this browser with the same fingerprint) are held back behind
/// "Upload again?".
pub fn add_files(
    client: &QueryClient,
    instructor_id: &str,
    to: &Destination,
    files: Vec<File>,
    max_bytes: Option<u64>,
) {
    let listed = client
        .get::<Vec<VideoDto>>(&QueryKey::ChapterVideos(to.chapter_id.clone()))
        .unwrap_or_default();
    let rows = store().get();
    let (again, fresh): (Vec<File>, Vec<File>) = files.into_iter().partition(|f| {
        // Unfinished and failed videos are not copies: choosing their file again is the fix.
        let in_list = listed.iter().any(|v| {
            matches!(v.status, VideoStatus::Ready | VideoStatus::Processing)
                && v.size_bytes as f64 == f.size()
                && (v.title == f.name() || v.title == stem(&f.name()))
        });
        let in_panel = rows.items.iter().any(|i| {
            i.to.chapter_id == to.chapter_id
                && i.name == f.name()
                && i.size == f.size()
                && i.status != UploadStatus::Interrupted
                && !matches!(i.status, UploadStatus::Rejected(_))
        });
        in_list || in_panel
    });
    enqueue(client, instructor_id, to, fresh, max_bytes);
    if again.is_empty() {
        return;
    }
    let names: Vec<String> = again.iter().map(File::name).collect();
    let (title, body, label) = if let [only] = names.as_slice() {
        (
            format!("Upload “{only}” again?"),
            format!("A video named “{only}” of the same size is already in {}. Uploading it again adds a second copy.", to.chapter_title),
            "Upload again".to_string(),
        )
    } else {
        (
            format!("Upload {} files again?", names.len()),
            format!(
                "These files are already in {}: {}. Uploading them again adds second copies.",
                to.chapter_title,
                names.join(", ")
            ),
            format!("Upload {} again", names.len()),
        )
    };
    let (client, instructor, to) = (client.clone(), instructor_id.to_string(), to.clone());
    dialogs::ask(Question {
        title,
        body,
        confirm_label: label,
        cancel_label: "Skip".into(),
        danger: false,
        on_confirm: Callback::from(move |()| {
            enqueue(&client, &instructor, &to, again.clone(), max_bytes)
        }),
        on_cancel: Callback::noop(),
    });
}

/// "lecture 1" from "lecture 1.mp4" (the server titles videos by their file name's stem).
fn stem(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}
