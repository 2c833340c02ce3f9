//! The drop zone and file picker. Chosen files go to the upload mutation at once, so they show
//! in the upload panel before any byte is sent. On touch screens, where nothing can be dragged
//! in, it only offers the picker.

use crate::mutations::upload;
use crate::query::QueryClient;
use crate::stores::uploads::Destination;
use shared::media::{human_bytes, picker_accept};
use web_sys::{DragEvent, FileList, HtmlInputElement};
use yew::prelude::*;

/// Props: where the files go.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The signed-in instructor (part of the resume fingerprint).
    pub instructor_id: String,
    /// Where the files go.
    pub to: Destination,
    /// The server's limit, once known.
    pub max_bytes: Option<u64>,
}

fn files_of(list: Option<FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A touch screen without a fine pointer (a phone or tablet): nothing to drag from.
fn touch_screen() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let coarse = window
        .match_media("(pointer: coarse)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    let fine = window
        .match_media("(any-pointer: fine)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    !fine && (coarse || window.navigator().max_touch_points() > 0)
}

/// The uploader.
#[function_component(Uploader)]
pub fn uploader(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let input = use_node_ref();
    let dragging = use_state(|| false);
    let add = {
        let (client, instructor, chapter, max) = (
            client.clone(),
            props.instructor_id.clone(),
            props.to.clone(),
            props.max_bytes,
        );
        Callback::from(move |files: Vec<web_sys::File>| {
            if !files.is_empty() {
                upload::add_files(&client, &instructor, &chapter, files, max);
            }
        })
    };
    let on_change = {
        let add = add.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            add.emit(files_of(input.files()));
            // Let the same file be chosen again (to resume it after a reload).
            input.set_value("");
        })
    };
    let open_picker = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                el.click();
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let (dragging, add) = (dragging.clone(), add.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            add.emit(files_of(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let touch = *use_memo((), |()| touch_screen());
    let limit = props
        .max_bytes
        .map(|m| format!(" · up to {} each", human_bytes(m)))
        .unwrap_or_default();
    html! {
        <div class={classes!("dropzone", dragging.then_some("dropzone-active"))}
            ondragover={on_drag_over} ondragenter={Callback::from(|e: DragEvent| e.prevent_default())}
            ondragleave={on_drag_leave} ondrop={on_drop} data-testid="dropzone">
            <div class="dropzone-icon" aria-hidden="true">{ "⬆" }</div>
            <p class="dropzone-title">{ if touch { "Choose lecture videos to upload" } else { "Drag and drop lecture videos here" } }</p>
            <p class="muted">{ format!("MP4, MOV, M4V, WebM or MKV{limit}") }</p>
            <button type="button" class="btn btn-primary" onclick={open_picker}>{ "Choose videos" }</button>
            <input ref={input} type="file" multiple=true accept={picker_accept()} class="visually-hidden"
                aria-label="Choose videos to upload" tabindex="-1" onchange={on_change}
                data-testid="file-input" />
        </div>
    }
}
