//! An inline title editor: the title with a Rename button; while editing, a text field where
//! Enter saves and Escape cancels (Save and Cancel buttons do the same for the pointer). A title
//! the server would refuse is refused here first, with the same words.

use shared::titles::clean_title;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props: the title and what saving does.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The current title.
    pub value: AttrValue,
    /// What is renamed, for labels ("the chapter", "the video").
    pub what: AttrValue,
    /// Called with the cleaned new title, only when it changed.
    pub on_save: Callback<String>,
    /// Editing starts from outside too (F2 on a row): bump this number.
    #[prop_or_default]
    pub start: u32,
    /// Shows the Rename button (rows hide it from the Tab order and offer F2 instead).
    #[prop_or(true)]
    pub tab_stop: bool,
    /// The title while not editing (a heading with a link, say); the Rename button sits beside it.
    #[prop_or_default]
    pub children: Html,
}

/// The editor.
#[function_component(InlineEdit)]
pub fn inline_edit(props: &Props) -> Html {
    let editing = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let input = use_node_ref();
    {
        let editing = editing.clone();
        use_effect_with(props.start, move |start| {
            if *start > 0 {
                editing.set(true);
            }
        });
    }
    {
        let input = input.clone();
        use_effect_with(*editing, move |on| {
            if *on {
                if let Some(el) = input.cast::<HtmlInputElement>() {
                    let _ = el.focus();
                    el.select();
                }
            }
        });
    }
    let save = {
        let (editing, problem, input) = (editing.clone(), problem.clone(), input.clone());
        let (on_save, old) = (props.on_save.clone(), props.value.to_string());
        Callback::from(move |()| {
            let Some(el) = input.cast::<HtmlInputElement>() else {
                return;
            };
            match clean_title(&el.value()) {
                Ok(title) => {
                    problem.set(None);
                    editing.set(false);
                    if title != old {
                        on_save.emit(title);
                    }
                }
                Err(p) => problem.set(Some(p.message())),
            }
        })
    };
    let cancel = {
        let (editing, problem) = (editing.clone(), problem.clone());
        Callback::from(move |()| {
            problem.set(None);
            editing.set(false);
        })
    };
    if !*editing {
        let start = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(true))
        };
        return html! {
            <div class="inline-edit">
                { props.children.clone() }
                <button type="button" class="btn btn-small btn-ghost inline-edit-start" onclick={start}
                    tabindex={if props.tab_stop { "0" } else { "-1" }}
                    aria-label={format!("Rename {} “{}”", props.what, props.value)} data-testid="rename">
                    { "Rename" }
                </button>
            </div>
        };
    }
    let on_key = {
        let (save, cancel) = (save.clone(), cancel.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                e.stop_propagation();
                save.emit(());
            }
            "Escape" => {
                e.prevent_default();
                e.stop_propagation();
                cancel.emit(());
            }
            _ => e.stop_propagation(),
        })
    };
    let error_id = "inline-edit-error";
    html! {
        <div class="inline-edit inline-edit-open">
            <input ref={input} type="text" value={props.value.clone()} onkeydown={on_key}
                aria-label={format!("New title for {} “{}”", props.what, props.value)}
                aria-invalid={problem.is_some().to_string()}
                aria-describedby={problem.is_some().then_some(error_id)} data-testid="rename-input" />
            <button type="button" class="btn btn-small btn-primary" onclick={save.reform(|_: MouseEvent| ())}>{ "Save" }</button>
            <button type="button" class="btn btn-small btn-ghost" onclick={cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
            { problem.as_ref().map(|p| html! { <span id={error_id} class="field-error" role="alert">{ p }</span> }).unwrap_or_default() }
        </div>
    }
}
