//! Deep Linking's two pages: the picker a deep linking launch opens (the course's videos, to
//! choose from), and, once chosen at `POST /lti/deep-link`, the page that carries the signed
//! answer to the platform. Both are plain HTML forms: they work in any LMS frame, with every
//! cookie blocked, since the picker's ticket is all they need.

use super::{escape, page, refused_page};
use crate::db::{self, lti};
use crate::services::audit::{self, Event, Origin};
use crate::services::lti::deep_link::{self, Item, Ticket};
use crate::services::lti::{registry, Refusal};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1f2937}\
    fieldset{border:0;padding:0;margin:1.25rem 0 0}legend{font-weight:600;color:#4b5563;padding:0;margin-bottom:.25rem}\
    ul{list-style:none;padding:0;margin:0}\
    li label{display:flex;gap:.6rem;align-items:center;padding:.5rem .75rem;border:1px solid #e5e7eb;border-radius:8px;margin:.35rem 0;cursor:pointer}\
    li label:hover{background:#f9fafb}.actions{display:flex;gap:.75rem;margin-top:1.5rem}\
    button{font:inherit;padding:.55rem 1.1rem;border-radius:8px;border:1px solid #d1d5db;background:#fff;cursor:pointer}\
    button.primary{background:#4f46e5;border-color:#4f46e5;color:#fff}.problem{color:#b91c1c}.muted{color:#6b7280}";

/// The picker for `ticket`'s course (`problem`: why the last choice was not taken).
pub async fn picker(
    state: &AppState,
    ticket: &Ticket,
    problem: Option<&str>,
) -> Result<HttpResponse, Refusal> {
    let course = ticket.course_id.clone();
    let chapters = db::run(&state.pool, move |conn| {
        let mut out = Vec::new();
        for chapter in db::courses::chapters_of(conn, &course)? {
            let videos = db::videos::in_chapter(conn, &chapter.id)?;
            out.push((chapter, videos));
        }
        Ok(out)
    })
    .await
    .map_err(Refusal::unavailable)?;
    let kind = if ticket.accept_multiple {
        "checkbox"
    } else {
        "radio"
    };
    let mut list = String::new();
    for (chapter, videos) in chapters.iter().filter(|(_, v)| !v.is_empty()) {
        // One group per chapter: a screen reader says which chapter a video is in.
        list.push_str(&format!(
            "<fieldset><legend>{}</legend><ul>",
            escape(&chapter.title)
        ));
        for video in videos {
            list.push_str(&format!(
                "<li><label><input type=\"{kind}\" name=\"video\" value=\"{id}\"> {title}</label></li>",
                id = escape(&video.id),
                title = escape(&video.title),
            ));
        }
        list.push_str("</ul></fieldset>");
    }
    if list.is_empty() {
        list = "<p class=\"muted\" data-testid=\"picker-empty\">This course has no videos yet. Upload \
                some in Reel, then add them here.</p>"
            .into();
    }
    let ask = if ticket.accept_multiple {
        "Choose the videos to add to your course."
    } else {
        "Choose the video to add to your course."
    };
    let problem = problem
        .map(|p| format!("<p class=\"problem\" role=\"alert\">{}</p>", escape(p)))
        .unwrap_or_default();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Add videos from Reel</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head>\
         <body><main><h1>Add videos from Reel</h1><p>{ask}</p>{problem}\
         <form method=\"post\" action=\"/lti/deep-link\" data-testid=\"picker\">\
         <input type=\"hidden\" name=\"ticket\" value=\"{ticket}\">{list}\
         <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"add\">Add to the course</button>\
         <button name=\"action\" value=\"cancel\">Cancel</button></div></form></main></body></html>",
        ticket = escape(&ticket.seal(&state.secret)),
    );
    let status = if problem.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(state, status, "form-action 'self'", body).await)
}

/// `POST /lti/deep-link`: the picker's answer (`ticket`, `action` add or cancel, `video`s).
pub async fn pick(
    state: web::Data<AppState>,
    origin: Origin,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    match answer(&state, &origin, &req, &body).await {
        Ok(res) => res,
        Err(refusal) => refused_page(&state, &origin, "lti.deep_link", refusal).await,
    }
}

async fn answer(
    state: &AppState,
    origin: &Origin,
    req: &HttpRequest,
    body: &[u8],
) -> Result<HttpResponse, Refusal> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| Refusal::new("lti_bad_pick", "the picker's form does not parse"))?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let now = u64::try_from(crate::clock::now_ms() / 1000).unwrap_or_default();
    let ticket = Ticket::open(field("ticket").unwrap_or(""), &state.secret, now)?;
    let chosen: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "video")
        .map(|(_, v)| v.clone())
        .collect();
    let cancelled = field("action") == Some("cancel");
    if !cancelled {
        if chosen.is_empty() {
            return picker(state, &ticket, Some("Choose a video first, or Cancel.")).await;
        }
        if chosen.len() > 1 && !ticket.accept_multiple {
            return picker(
                state,
                &ticket,
                Some("Your course takes one video here: choose one."),
            )
            .await;
        }
    }
    let items = if cancelled {
        Vec::new()
    } else {
        let (course, ids) = (ticket.course_id.clone(), chosen.clone());
        let found = db::run(&state.pool, move |conn| {
            let mut out = Vec::new();
            for id in &ids {
                out.push(db::videos::listed_in_course(conn, &course, id)?);
            }
            Ok(out)
        })
        .await
        .map_err(Refusal::unavailable)?;
        // A video of another course, or deleted meanwhile: the whole choice is refused.
        found
            .into_iter()
            .map(|v| {
                v.map(|v| Item {
                    video_id: v.id,
                    title: v.title,
                })
                .ok_or_else(|| Refusal::new("lti_bad_pick", "a chosen video is not in the course"))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let platform_id = ticket.platform_id.clone();
    let platform = db::run(&state.pool, move |conn| {
        Ok(lti::platform_by_id(conn, &platform_id)?)
    })
    .await
    .map_err(Refusal::unavailable)?
    .ok_or_else(|| Refusal::new("lti_unknown_platform", "the platform was removed"))?;
    let key = registry::ensure_key(&state.pool, &state.secret)
        .await
        .map_err(Refusal::unavailable)?;
    let pem = crate::services::lti::keys::private_pem(&state.secret, &key)
        .map_err(Refusal::unavailable)?;
    let launch_url = match &state.config.public_origin {
        Some(public) => registry::tool_url(Some(public), "/lti/launch"),
        None => {
            let info = req.connection_info();
            format!("{}://{}/lti/launch", info.scheme(), info.host())
        }
    };
    let jwt = deep_link::response_jwt(&platform, &ticket, &items, &launch_url, &key, &pem, now)
        .map_err(Refusal::unavailable)?;
    audit::record(
        &state.pool,
        origin,
        Event::new(
            "lti.deep_link",
            if cancelled { "cancelled" } else { "success" },
        )
        .actor(&ticket.instructor_id)
        .target(&ticket.course_id)
        .details(serde_json::json!({
            "videos": items.iter().map(|i| i.video_id.as_str()).collect::<Vec<_>>()
        })),
    )
    .await;
    // The browser carries the answer to the platform: a form that posts itself.
    let script_nonce = crate::services::tokens::new_token();
    let return_origin = origin_of(&ticket.return_url);
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Back to your course</title>\
         <style>{STYLE}</style></head><body><main>\
         <form method=\"post\" action=\"{url}\" id=\"back\" data-testid=\"deep-link-return\">\
         <input type=\"hidden\" name=\"JWT\" value=\"{jwt}\">\
         <p>{said}</p><button class=\"primary\">Back to your course</button></form></main>\
         <script nonce=\"{script_nonce}\">document.getElementById('back').submit();</script></body></html>",
        url = escape(&ticket.return_url),
        said = if cancelled {
            "Nothing was added."
        } else {
            "Sending your choice to your course…"
        },
    );
    let policy = format!("script-src 'nonce-{script_nonce}'; form-action {return_origin}");
    Ok(page(state, StatusCode::OK, &policy, body).await)
}

/// `scheme://host[:port]` of an http(s) URL (the settings were checked to be one), as a CSP
/// source; `'none'` for anything else, so the URL cannot write the policy.
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", ""));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if matches!(scheme, "http" | "https") && plain {
        format!("{scheme}://{host}")
    } else {
        "'none'".into()
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn the_return_origin_is_a_csp_source_or_none() {
        assert_eq!(
            origin_of("https://lms.test:8443/dl/return?x=1"),
            "https://lms.test:8443"
        );
        assert_eq!(origin_of("http://[::1]:80/r"), "http://[::1]:80");
        for bad in [
            "https://a.test;script-src *",
            "https://user@a.test/",
            "ftp://a.test/",
            "https://",
        ] {
            assert_eq!(origin_of(bad), "'none'", "{bad}");
        }
    }
}
