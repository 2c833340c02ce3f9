//! A modal dialog on the browser's own `<dialog>`: it traps focus, closes on Escape, makes the
//! page behind it inert, and gives focus back where it was when it closes.

use web_sys::HtmlDialogElement;
use yew::prelude::*;

/// Props: what the dialog holds and what happens when it closes.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The ID of the element that names the dialog (its heading).
    pub labelled_by: AttrValue,
    /// Extra classes (size).
    #[prop_or_default]
    pub class: Classes,
    /// Called once the dialog has closed (Escape, a close button, `dialog.close()`).
    pub on_close: Callback<()>,
    /// The content.
    pub children: Html,
    /// For tests.
    #[prop_or_default]
    pub testid: AttrValue,
}

/// The dialog, open while it is rendered.
#[function_component(Modal)]
pub fn modal(props: &Props) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |()| {
            let el = dialog.cast::<HtmlDialogElement>();
            if let Some(el) = &el {
                let _ = el.show_modal();
            }
            move || {
                if let Some(el) = el {
                    el.close();
                }
            }
        });
    }
    let on_close = props.on_close.reform(|_: Event| ());
    html! {
        <dialog ref={dialog} class={classes!("modal", props.class.clone())} aria-labelledby={props.labelled_by.clone()}
            onclose={on_close} data-testid={props.testid.clone()}>
            { props.children.clone() }
        </dialog>
    }
}

/// Closes the `<dialog>` around `el` (for close buttons inside one).
pub fn close_from(el: &web_sys::Element) {
    if let Some(dialog) = el
        .closest("dialog")
        .ok()
        .flatten()
        .and_then(|d| wasm_bindgen::JsCast::dyn_into::<HtmlDialogElement>(d).ok())
    {
        dialog.close();
    }
}
