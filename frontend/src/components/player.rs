//! The player: a video opened from its row's poster, in a dialog sized for watching (16:9, up to
//! 960 px wide), with the browser's own controls and the video's facts. Closing it returns focus to the poster.

use crate::components::modal::{close_from, Modal};
use yew::prelude::*;

/// Props: what plays.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The video's title (the dialog's heading).
    pub title: AttrValue,
    /// Its display URL.
    pub url: AttrValue,
    /// Duration, size and upload date, under the video.
    #[prop_or_default]
    pub facts: AttrValue,
    /// Called when the dialog has closed.
    pub on_close: Callback<()>,
}

/// The player dialog.
#[function_component(PlayerDialog)]
pub fn player_dialog(props: &Props) -> Html {
    let close = Callback::from(|e: MouseEvent| {
        if let Some(el) = e.target_dyn_into::<web_sys::Element>() {
            close_from(&el);
        }
    });
    html! {
        <Modal labelled_by="player-title" class="modal-player" on_close={props.on_close.clone()} testid="player-dialog">
            <div class="modal-head">
                <h2 id="player-title">{ &props.title }</h2>
                <button type="button" class="btn btn-small btn-ghost" onclick={close} aria-label="Close the player">{ "Close" }</button>
            </div>
            <video class="player" src={props.url.clone()} controls=true autoplay=true playsinline=true
                data-testid="player-video"></video>
            <p class="muted player-facts" data-testid="player-facts">{ &props.facts }</p>
        </Modal>
    }
}
