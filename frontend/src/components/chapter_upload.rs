//! Uploading from the curriculum (as Udemy adds lecture content inline): each chapter card has
//! an Upload button and takes dropped files, and says what of it is uploading right now. The
//! files join the one upload queue, so the tray shows them like any other.

use crate::mutations::upload;
use crate::query::{QueryClient, QueryKey};
use crate::stores::uploads::{Destination, UploadsStore};
use shared::dto::MeDto;
use shared::media::picker_accept;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};
use yew::prelude::*;
use yewdux::prelude::*;

/// Whether a drag carries files (not a chapter or a video being reordered).
pub fn carries_files(e: &DragEvent) -> bool {
    e.data_transfer()
        .is_some_and(|dt| dt.types().includes(&"Files".into(), 0))
}

fn files_of(list: Option<FileList>) -> Vec<File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

/// Queues `files` for the chapter `to`, with the signed-in instructor and the upload limit the
/// app holds once a chapter page has asked for it (before that, the server refuses a file too
/// large when its upload is created, and the tray says so).
pub fn upload_to(client: &QueryClient, to: &Destination, files: Vec<File>) {
    let Some(me) = client.get::<MeDto>(&QueryKey::Me) else {
        return;
    };
    let limit = client.get::<u64>(&QueryKey::UploadLimit).map(|m| *m);
    if !files.is_empty() {
        upload::add_files(client, &me.id.to_string(), to, files, limit);
    }
}

/// The files a drop carries.
pub fn dropped_files(e: &DragEvent) -> Vec<File> {
    files_of(e.data_transfer().and_then(|d| d.files()))
}

/// Props: where the files go.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The chapter, named, and its course.
    pub to: Destination,
}

/// The card's Upload button (with its own file picker) and its uploads in progress.
#[function_component(ChapterUpload)]
pub fn chapter_upload(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let input = use_node_ref();
    let chapter = props.to.chapter_id.clone();
    // (uploading, percent of their bytes) for this chapter only: a tick elsewhere changes nothing.
    let progress = use_selector(move |s: &UploadsStore| {
        let (mut n, mut sent, mut total) = (0, 0.0, 0.0);
        for i in s
            .items
            .iter()
            .filter(|i| i.to.chapter_id == chapter && i.status.is_sending())
        {
            n += 1;
            sent += i.sent;
            total += i.size;
        }
        (
            n,
            if total > 0.0 {
                (sent / total * 100.0) as u32
            } else {
                0
            },
        )
    });
    let open = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                el.click();
            }
        })
    };
    let on_change = {
        let (client, to) = (client.clone(), props.to.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            upload_to(&client, &to, files_of(input.files()));
            input.set_value("");
        })
    };
    let (uploading, percent) = *progress;
    html! {
        <>
            if uploading > 0 {
                <span class="badge badge-neutral chapter-uploading" data-testid="chapter-uploading">
                    { format!("{} uploading · {percent}%", uploading) }
                </span>
            }
            <button type="button" class="btn btn-small" onclick={open}
                aria-label={format!("Upload videos to chapter “{}”", props.to.chapter_title)}>{ "Upload" }</button>
            <input ref={input} type="file" multiple=true accept={picker_accept()} class="visually-hidden"
                tabindex="-1" aria-hidden="true" onchange={on_change} data-testid="chapter-file-input" />
        </>
    }
}
