//! A video's poster in the list: the server's poster frame, and while the pointer is over it (or
//! it has keyboard focus) a scrub through the thumbnail strip, so an instructor can tell similar
//! lectures apart without opening them. Without a poster (no ffmpeg on the server, or not ready)
//! it is a neutral placeholder.

use crate::components::format;
use gloo_timers::callback::Interval;
use yew::prelude::*;

/// Frames in the server's thumbnail strip (side by side, in time order).
pub const STRIP_FRAMES: u32 = 10;

/// Props: what the poster shows and what it opens.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The video's title, for the button's name.
    pub title: AttrValue,
    /// The poster frame's signed URL.
    pub poster_url: Option<AttrValue>,
    /// The thumbnail strip's signed URL.
    pub strip_url: Option<AttrValue>,
    /// The duration, shown in the corner.
    pub duration_ms: Option<i64>,
    /// Load the picture now (rows near the screen).
    pub load: bool,
    /// The video can be played (it has a display URL).
    pub playable: bool,
    /// Opens the player.
    pub on_play: Callback<()>,
    /// The button, for lazy loading and focus.
    pub node: NodeRef,
}

/// The strip frame under a pointer at `x` of `width` pixels.
pub fn frame_at(x: f64, width: f64) -> u32 {
    if width <= 0.0 {
        return 0;
    }
    ((x / width * f64::from(STRIP_FRAMES)).floor() as i64).clamp(0, i64::from(STRIP_FRAMES) - 1)
        as u32
}

/// The CSS that shows frame `n` of the strip.
fn strip_style(url: &str, n: u32) -> String {
    let at = f64::from(n) * 100.0 / f64::from(STRIP_FRAMES - 1);
    format!(
        "background-image:url('{url}');background-size:{}% 100%;background-position:{at:.3}% 0",
        STRIP_FRAMES * 100
    )
}

/// The poster.
#[function_component(Poster)]
pub fn poster(props: &Props) -> Html {
    let frame = use_state(|| None::<u32>);
    let cycling = use_mut_ref(|| None::<Interval>);
    let duration = props.duration_ms.map(|ms| html! { <span class="poster-duration" aria-hidden="true">{ format::duration(ms) }</span> });
    if !props.playable {
        return html! { <div class="poster poster-empty" aria-hidden="true">{ "▶" }</div> };
    }
    let on_move = {
        // Yew delegates events to its root, so the event's current target is not the button.
        let (frame, node) = (frame.clone(), props.node.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(el) = node.cast::<web_sys::Element>() else {
                return;
            };
            let rect = el.get_bounding_client_rect();
            frame.set(Some(frame_at(
                f64::from(e.client_x()) - rect.left(),
                rect.width(),
            )));
        })
    };
    let stop = {
        let (frame, cycling) = (frame.clone(), cycling.clone());
        Callback::from(move |()| {
            cycling.borrow_mut().take();
            frame.set(None);
        })
    };
    // Keyboard focus has no pointer position: the strip plays through on its own.
    let on_focus = {
        let (frame, cycling) = (frame.clone(), cycling.clone());
        let has_strip = props.strip_url.is_some();
        Callback::from(move |_: FocusEvent| {
            if !has_strip {
                return;
            }
            let frame = frame.clone();
            let step = std::rc::Rc::new(std::cell::Cell::new(0u32));
            frame.set(Some(0));
            *cycling.borrow_mut() = Some(Interval::new(500, move || {
                step.set((step.get() + 1) % STRIP_FRAMES);
                frame.set(Some(step.get()));
            }));
        })
    };
    let picture = match (&props.poster_url, props.load) {
        (Some(url), true) => html! {
            <img class="poster-frame" src={url.clone()} alt="" loading="lazy" decoding="async" data-testid="video-poster" />
        },
        (Some(_), false) => html! {},
        (None, _) => {
            html! { <span class="poster-placeholder" aria-hidden="true" data-testid="poster-placeholder"></span> }
        }
    };
    let strip = match (&props.strip_url, *frame, props.load) {
        (Some(url), Some(n), true) => html! {
            <span class="poster-strip" style={strip_style(url, n)} aria-hidden="true" data-testid="poster-strip" data-frame={n.to_string()}></span>
        },
        _ => html! {},
    };
    let on_play = props.on_play.reform(|_: MouseEvent| ());
    html! {
        <button ref={props.node.clone()} type="button" class="poster" onclick={on_play} aria-haspopup="dialog"
            aria-label={format!("Play {}", props.title)} aria-keyshortcuts="Delete F2 Alt+ArrowUp Alt+ArrowDown" data-testid="video-play"
            onmousemove={props.strip_url.is_some().then_some(on_move)}
            onmouseleave={stop.reform(|_: MouseEvent| ())} onfocus={on_focus} onblur={stop.reform(|_: FocusEvent| ())}>
            { picture }
            { strip }
            <span class="poster-play" aria-hidden="true">{ "▶" }</span>
            { duration.unwrap_or_default() }
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pointer_picks_the_frame_under_it() {
        assert_eq!(frame_at(0.0, 200.0), 0);
        assert_eq!(frame_at(19.9, 200.0), 0);
        assert_eq!(frame_at(20.0, 200.0), 1);
        assert_eq!(frame_at(199.9, 200.0), 9);
        assert_eq!(frame_at(250.0, 200.0), 9);
        assert_eq!(frame_at(-5.0, 200.0), 0);
        assert_eq!(frame_at(5.0, 0.0), 0);
    }
}
