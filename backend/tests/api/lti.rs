//! LTI 1.3 launches against a fake platform in the test: its own RSA key and JWK set served
//! over HTTP, id_tokens it signs. A good launch opens the LMS course as a Reel course; each bad
//! one is a 4xx page with a stable code and an audit event.

use crate::support::app::{spawn_app, spawn_peer, TestApp};
use actix_web::{web, App, HttpResponse, HttpServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use openssl::rsa::Rsa;
use reel::services::lti::registry::{self, NewPlatform};
use serde_json::{json, Value};

const ISS: &str = "https://lms.test";
const CLIENT: &str = "reel-client";
const DEPLOYMENT: &str = "dep-1";
const KID: &str = "lms-key-1";

/// The fake platform: a key, and its JWK set on a port of its own.
struct Platform {
    key: EncodingKey,
    jwks_url: String,
}

fn rsa_pair() -> (EncodingKey, Value) {
    let rsa = Rsa::generate(2048).expect("key");
    let jwk = json!({
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": KID,
        "n": URL_SAFE_NO_PAD.encode(rsa.n().to_vec()),
        "e": URL_SAFE_NO_PAD.encode(rsa.e().to_vec()),
    });
    let pem = rsa.private_key_to_pem().expect("pem");
    (EncodingKey::from_rsa_pem(&pem).expect("encoding key"), jwk)
}

async fn platform() -> Platform {
    let (key, jwk) = rsa_pair();
    let set = json!({ "keys": [jwk] });
    let server = HttpServer::new(move || {
        let set = set.clone();
        App::new().route(
            "/jwks",
            web::get().to(move || {
                let set = set.clone();
                async move { HttpResponse::Ok().json(set) }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("bind");
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    Platform {
        key,
        jwks_url: format!("http://127.0.0.1:{port}/jwks"),
    }
}

async fn register(app: &TestApp, platform: &Platform) {
    registry::add_platform(
        &app.pool,
        &app.state.secret,
        None,
        NewPlatform {
            issuer: ISS.into(),
            client_id: CLIENT.into(),
            deployment_ids: vec![DEPLOYMENT.into()],
            auth_url: format!("{ISS}/auth"),
            jwks_url: platform.jwks_url.clone(),
            token_url: None,
            frame_origins: vec![ISS.into()],
        },
    )
    .await
    .expect("registered");
}

fn lms_browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Starts a login as the LMS would; returns the state and nonce Reel sent to the platform.
async fn login(app: &TestApp, browser: &reqwest::Client) -> (String, String) {
    let res = browser
        .get(app.url("/lti/login"))
        .query(&[
            ("iss", ISS),
            ("login_hint", "user-1"),
            ("target_link_uri", &app.url("/lti/launch")),
            ("client_id", CLIENT),
            ("lti_message_hint", "hint-1"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 302);
    let location = res.headers()["location"]
        .to_str()
        .expect("text")
        .to_string();
    assert!(location.starts_with(&format!("{ISS}/auth?")), "{location}");
    let url = reqwest::Url::parse(&location).expect("url");
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(param("response_mode"), "form_post");
    assert_eq!(param("client_id"), CLIENT);
    assert_eq!(param("login_hint"), "user-1");
    assert_eq!(param("lti_message_hint"), "hint-1");
    assert_eq!(param("redirect_uri"), app.url("/lti/launch"));
    (param("state"), param("nonce"))
}

fn now() -> i64 {
    reel::clock::now_ms() / 1000
}

/// The claims of an instructor's resource-link launch.
fn claims(nonce: &str) -> Value {
    let lti = "https://purl.imsglobal.org/spec/lti/claim/";
    json!({
        "iss": ISS, "aud": CLIENT, "sub": "user-1", "iat": now(), "exp": now() + 300,
        "nonce": nonce, "name": "Ada Lovelace",
        format!("{lti}message_type"): "LtiResourceLinkRequest",
        format!("{lti}version"): "1.3.0",
        format!("{lti}deployment_id"): DEPLOYMENT,
        format!("{lti}roles"): ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        format!("{lti}context"): { "id": "ctx-1", "title": "Film studies 101" },
        format!("{lti}resource_link"): { "id": "rl-1" },
    })
}

fn sign(platform: &Platform, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.into());
    encode(&header, claims, &platform.key).expect("signed")
}

async fn post_launch(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    state: &str,
) -> reqwest::Response {
    browser
        .post(app.url("/lti/launch"))
        .header("origin", ISS)
        .form(&[("id_token", token), ("state", state)])
        .send()
        .await
        .expect("sent")
}

/// A refused launch: the status, the code on the page, no internals, and its audit event.
async fn assert_refused(app: &TestApp, res: reqwest::Response, status: u16, code: &str) {
    assert_eq!(res.status().as_u16(), status, "status for {code}");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'self' https://lms.test"),
        "{csp}"
    );
    let page = res.text().await.expect("body");
    assert!(
        page.contains(&format!(
            "<code data-testid=\"lti-error-code\">{code}</code>"
        )),
        "{page}"
    );
    for leak in ["jwks", "127.0.0.1", "panicked", "diesel", "SELECT"] {
        assert!(!page.contains(leak), "{leak} in {page}");
    }
    let events = app.audit_events().await;
    assert!(
        events.iter().any(|e| e.action == "lti.launch"
            && e.outcome == "denied"
            && e.target.as_deref() == Some(code)),
        "no audit event for {code}"
    );
}

#[actix_web::test]
async fn an_instructor_launch_opens_the_lms_course_as_a_reel_course() {
    let app = spawn_app().await;
    let platform = platform().await;
    register(&app, &platform).await;
    let browser = lms_browser();
    let (state, nonce) = login(&app, &browser).await;
    let res = post_launch(&app, &browser, &sign(&platform, &claims(&nonce)), &state).await;
    assert_eq!(res.status().as_u16(), 303, "{:?}", res.text().await);
    let to = res.headers()["location"]
        .to_str()
        .expect("text")
        .to_string();
    assert!(to.starts_with("/courses/"), "{to}");
    let (to, refresh) = to
        .split_once("#lti-refresh=")
        .expect("a refresh token in the fragment");
    // The LMS page's registered origins ride along, for the app's messages to it.
    let (refresh, origins) = refresh.split_once("&lti-origins=").expect("origins");
    assert_eq!(origins, "https%3A%2F%2Flms.test");
    let (to, refresh) = (to.to_string(), refresh.to_string());
    assert!(res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap_or("").starts_with("reel_session=")));
    let courses: Value = app.get_json(&browser, "/api/courses").await;
    assert_eq!(courses[0]["title"], "Film studies 101");
    assert_eq!(
        format!("/courses/{}", courses[0]["id"].as_str().expect("id")),
        to
    );
    let me: Value = app.get_json(&browser, "/api/auth/me").await;
    assert_eq!(me["name"], "Ada Lovelace");
    assert!(app.audited("lti.launch", Some("success")).await);

    // Without any cookie: the refresh token buys an access token, sent as a bearer token.
    let bare = reqwest::Client::new();
    let pair: Value = bare
        .post(app.url("/api/auth/refresh"))
        .json(&json!({ "refresh_token": refresh }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let access = pair["access_token"].as_str().expect("access").to_string();
    let listed: Value = bare
        .get(app.url("/api/courses"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(listed[0]["title"], "Film studies 101");

    // The next launch of the same user and context comes back to the same course.
    let again = browser_client_launch(&app, &platform, claims).await;
    assert_eq!(again.split('#').next(), Some(to.as_str()));
}

async fn browser_client_launch(
    app: &TestApp,
    platform: &Platform,
    make: fn(&str) -> Value,
) -> String {
    let browser = lms_browser();
    let (state, nonce) = login(app, &browser).await;
    let res = post_launch(app, &browser, &sign(platform, &make(&nonce)), &state).await;
    assert_eq!(res.status().as_u16(), 303);
    res.headers()["location"]
        .to_str()
        .expect("text")
        .to_string()
}

#[actix_web::test]
async fn bad_launches_are_refused_with_a_page_and_an_audit_event() {
    let app = spawn_app().await;
    let platform = platform().await;
    register(&app, &platform).await;

    // Each case: a fresh login, a token made wrong in one way.
    type Spoil = Box<dyn Fn(&Platform, &str) -> String>;
    let cases: Vec<(&str, u16, Spoil)> = vec![
        (
            "lti_bad_signature",
            401,
            Box::new(|_, nonce: &str| {
                let (other, _) = rsa_pair();
                let mut header = Header::new(Algorithm::RS256);
                header.kid = Some(KID.into());
                encode(&header, &claims(nonce), &other).expect("signed")
            }),
        ),
        (
            "lti_wrong_issuer",
            401,
            Box::new(|p: &Platform, nonce: &str| {
                let mut c = claims(nonce);
                c["iss"] = json!("https://evil.test");
                sign(p, &c)
            }),
        ),
        (
            "lti_wrong_audience",
            401,
            Box::new(|p: &Platform, nonce: &str| {
                let mut c = claims(nonce);
                c["aud"] = json!("someone-else");
                sign(p, &c)
            }),
        ),
        (
            "lti_wrong_audience",
            401,
            Box::new(|p: &Platform, nonce: &str| {
                // Several audiences, and azp names another.
                let mut c = claims(nonce);
                c["aud"] = json!([CLIENT, "other"]);
                c["azp"] = json!("other");
                sign(p, &c)
            }),
        ),
        (
            "lti_expired",
            401,
            Box::new(|p: &Platform, nonce: &str| {
                let mut c = claims(nonce);
                c["iat"] = json!(now() - 900);
                c["exp"] = json!(now() - 600);
                sign(p, &c)
            }),
        ),
        (
            "lti_unknown_deployment",
            401,
            Box::new(|p: &Platform, nonce: &str| {
                let mut c = claims(nonce);
                c["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = json!("dep-unknown");
                sign(p, &c)
            }),
        ),
        (
            "lti_unknown_key",
            401,
            Box::new(|p: &Platform, nonce: &str| {
                let mut header = Header::new(Algorithm::RS256);
                header.kid = Some("not-published".into());
                encode(&header, &claims(nonce), &p.key).expect("signed")
            }),
        ),
        (
            "lti_bad_algorithm",
            401,
            Box::new(|_, nonce: &str| {
                // alg none: a header and a payload, no signature.
                let head = URL_SAFE_NO_PAD
                    .encode(json!({ "alg": "none", "typ": "JWT", "kid": KID }).to_string());
                let body = URL_SAFE_NO_PAD.encode(claims(nonce).to_string());
                format!("{head}.{body}.")
            }),
        ),
        (
            "lti_bad_algorithm",
            401,
            Box::new(|_, nonce: &str| {
                // HS256 keyed with something public: the classic confusion attack.
                let mut header = Header::new(Algorithm::HS256);
                header.kid = Some(KID.into());
                encode(
                    &header,
                    &claims(nonce),
                    &EncodingKey::from_secret(b"public"),
                )
                .expect("signed")
            }),
        ),
        (
            "lti_state_mismatch",
            401,
            Box::new(|p: &Platform, _nonce: &str| {
                // Signed well, for another login's nonce.
                sign(p, &claims("another-nonce"))
            }),
        ),
        (
            "lti_bad_message",
            400,
            Box::new(|p: &Platform, nonce: &str| {
                let mut c = claims(nonce);
                c["https://purl.imsglobal.org/spec/lti/claim/version"] = json!("1.1");
                sign(p, &c)
            }),
        ),
        (
            "lti_malformed_token",
            400,
            Box::new(|_, _| "not.a.jwt".into()),
        ),
    ];
    for (code, status, spoil) in cases {
        let browser = lms_browser();
        let (state, nonce) = login(&app, &browser).await;
        let res = post_launch(&app, &browser, &spoil(&platform, &nonce), &state).await;
        assert_refused(&app, res, status, code).await;
    }

    // No id_token at all.
    let browser = lms_browser();
    let (state, _) = login(&app, &browser).await;
    let res = browser
        .post(app.url("/lti/launch"))
        .form(&[("state", state.as_str())])
        .send()
        .await
        .expect("sent");
    assert_refused(&app, res, 400, "lti_missing_token").await;

    // A state this browser was not given (another browser's login).
    let (theirs, nonce) = login(
        &app,
        &reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("c"),
    )
    .await;
    let mine = lms_browser();
    let _ = login(&app, &mine).await;
    let res = post_launch(&app, &mine, &sign(&platform, &claims(&nonce)), &theirs).await;
    assert_refused(&app, res, 401, "lti_state_mismatch").await;

    // A learner is not let in to manage videos (yet: learners' playback is to come).
    let browser = lms_browser();
    let (state, nonce) = login(&app, &browser).await;
    let mut c = claims(&nonce);
    c["https://purl.imsglobal.org/spec/lti/claim/roles"] =
        json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]);
    let res = post_launch(&app, &browser, &sign(&platform, &c), &state).await;
    assert_refused(&app, res, 403, "lti_role_not_supported").await;

    // An unknown platform's login.
    let res = browser
        .get(app.url("/lti/login"))
        .query(&[
            ("iss", "https://unknown.test"),
            ("login_hint", "x"),
            ("target_link_uri", "x"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 400);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("lti_unknown_platform"));
}

#[actix_web::test]
async fn a_launch_is_good_once_on_any_instance() {
    let app = spawn_app().await;
    let peer = spawn_peer(&app, |_| {}).await;
    let platform = platform().await;
    register(&app, &platform).await;
    let browser = lms_browser();
    let (state, nonce) = login(&app, &browser).await;
    let token = sign(&platform, &claims(&nonce));
    let first = post_launch(&app, &browser, &token, &state).await;
    assert_eq!(first.status().as_u16(), 303);
    // The same form posted again, here and on the other instance.
    for server in [&app, &peer] {
        let res = post_launch(server, &browser, &token, &state).await;
        assert_refused(server, res, 401, "lti_replayed").await;
    }
}

#[actix_web::test]
async fn the_tools_keys_are_published_and_a_rotated_key_stays_a_day() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let set: Value = client
        .get(app.url("/lti/jwks"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let keys = set["keys"].as_array().expect("keys").clone();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["alg"], "RS256");
    assert!(keys[0].get("d").is_none());
    let first = keys[0]["kid"].as_str().expect("kid").to_string();
    let rotated = registry::rotate_key(&app.pool, &app.state.secret)
        .await
        .expect("rotated");
    let set: Value = client
        .get(app.url("/lti/jwks"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let kids: Vec<&str> = set["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid"))
        .collect();
    assert_eq!(kids, vec![rotated.kid.as_str(), first.as_str()]);
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/auth/refresh"))
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
        .expect("sent")
}

#[actix_web::test]
async fn refresh_tokens_are_good_once_and_a_reused_one_ends_the_whole_sign_in() {
    use crate::support::app::{assert_error, spawn_app_with};
    let app = spawn_app_with(|c| c.access_token_secs = 1).await;
    let who = app.instructor("tokens@example.com").await;
    let first = reel::services::token_pairs::start_family(&app.pool, &who.id)
        .await
        .expect("family");
    let pair: Value = refresh(&app, &first).await.json().await.expect("json");
    assert_eq!(pair["expires_in_secs"], 1);
    let (access, next) = (
        pair["access_token"].as_str().expect("a"),
        pair["refresh_token"].as_str().expect("r"),
    );
    let me = |token: String| {
        let url = app.url("/api/auth/me");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("sent")
        }
    };
    assert_eq!(me(access.to_string()).await.status().as_u16(), 200);
    // The access token ends on time; the next refresh token buys another.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_error(me(access.to_string()).await, 401, "unauthenticated").await;
    let pair: Value = refresh(&app, next).await.json().await.expect("json");
    let live = pair["access_token"].as_str().expect("a").to_string();
    assert_eq!(me(live.clone()).await.status().as_u16(), 200);

    // Unknown or made up: refused alike.
    assert_error(
        refresh(&app, "not-a-token").await,
        401,
        "invalid_refresh_token",
    )
    .await;
    // The spent one again (a stolen copy): refused, and every token of the family ends.
    assert_error(refresh(&app, next).await, 401, "invalid_refresh_token").await;
    assert_error(me(live).await, 401, "unauthenticated").await;
    let newest = pair["refresh_token"].as_str().expect("r");
    assert_error(refresh(&app, newest).await, 401, "invalid_refresh_token").await;
    assert!(app.audited("auth.refresh", Some("revoked")).await);

    // Signing out with an access token ends its launch's tokens too.
    let first = reel::services::token_pairs::start_family(&app.pool, &who.id)
        .await
        .expect("family");
    let pair: Value = refresh(&app, &first).await.json().await.expect("json");
    let out = reqwest::Client::new()
        .post(app.url("/api/auth/logout"))
        .bearer_auth(pair["access_token"].as_str().expect("a"))
        .send()
        .await
        .expect("sent");
    assert_eq!(out.status().as_u16(), 200);
    let next = pair["refresh_token"].as_str().expect("r");
    assert_error(refresh(&app, next).await, 401, "invalid_refresh_token").await;
}

const RETURN_URL: &str = "https://lms.test/deep-link/return";

/// The claims of an instructor's deep linking request (several items accepted).
fn deep_link_claims(nonce: &str) -> Value {
    let mut claims = claims(nonce);
    claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] =
        json!("LtiDeepLinkingRequest");
    claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = json!({
        "deep_link_return_url": RETURN_URL,
        "accept_types": ["ltiResourceLink"],
        "accept_multiple": true,
        "data": "opaque-42",
    });
    claims
}

/// The value of the first `name="…" value="…"` field of a page.
fn field(page: &str, name: &str) -> String {
    let start = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + name.len()
        + 15;
    page[start..start + page[start..].find('"').expect("closed")].to_string()
}

async fn pick(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/lti/deep-link"))
        .form(fields)
        .send()
        .await
        .expect("sent")
}

/// What Reel answered, checked as the platform checks it: against `/lti/jwks` by `kid`,
/// issued by Reel's client ID to the platform.
async fn verified_answer(app: &TestApp, res: reqwest::Response) -> Value {
    assert_eq!(res.status().as_u16(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(csp.contains("form-action https://lms.test;"), "{csp}");
    let page = res.text().await.expect("page");
    assert!(page.contains(&format!("action=\"{RETURN_URL}\"")), "{page}");
    let jwt = field(&page, "JWT");
    let keys: jsonwebtoken::jwk::JwkSet = app.get_json(&reqwest::Client::new(), "/lti/jwks").await;
    let kid = jsonwebtoken::decode_header(&jwt)
        .expect("header")
        .kid
        .expect("a kid");
    let key =
        jsonwebtoken::DecodingKey::from_jwk(keys.find(&kid).expect("published")).expect("key");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.set_audience(&[ISS]);
    validation.set_issuer(&[CLIENT]);
    let claims = jsonwebtoken::decode::<Value>(&jwt, &key, &validation)
        .expect("verifies")
        .claims;
    let lti = "https://purl.imsglobal.org/spec/lti/claim/";
    assert_eq!(
        claims[format!("{lti}message_type")],
        "LtiDeepLinkingResponse"
    );
    assert_eq!(claims[format!("{lti}version")], "1.3.0");
    assert_eq!(claims[format!("{lti}deployment_id")], DEPLOYMENT);
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"],
        "opaque-42"
    );
    assert!(claims["nonce"].as_str().is_some_and(|n| n.len() >= 16));
    claims
}

/// A whole launch from `browser`: the login, then an id_token of `make(nonce)`'s claims.
async fn launch_with(
    app: &TestApp,
    platform: &Platform,
    browser: &reqwest::Client,
    make: impl FnOnce(&str) -> Value,
) -> reqwest::Response {
    let (state, nonce) = login(app, browser).await;
    post_launch(app, browser, &sign(platform, &make(&nonce)), &state).await
}

#[actix_web::test]
async fn deep_linking_hands_the_lms_videos_of_its_course_in_a_jwt_it_can_verify() {
    use crate::support::tus::Reel;
    let app = spawn_app().await;
    let platform = platform().await;
    register(&app, &platform).await;
    // A first launch makes the course; its instructor adds a chapter and two videos.
    let browser = lms_browser();
    let res = launch_with(&app, &platform, &browser, claims).await;
    assert_eq!(res.status().as_u16(), 303);
    let courses: Value = app.get_json(&browser, "/api/courses").await;
    let course = courses[0]["id"].as_str().expect("id").to_string();
    let chapter: Value = browser
        .post(app.url(&format!("/api/courses/{course}/chapters")))
        .json(&json!({ "title": "Week 1" }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("chapter");
    let chapter = chapter["id"].as_str().expect("id").to_string();
    let intro = app
        .create_upload(&browser, &chapter, "Intro.mp4", 1000)
        .await
        .video_id;
    let lab = app
        .create_upload(&browser, &chapter, "Lab <1>.mp4", 1000)
        .await
        .video_id;
    let (other, other_chapter) = app.instructor_with_chapter("other@example.com").await;
    let foreign = app
        .create_upload(&other, &other_chapter, "theirs.mp4", 1000)
        .await
        .video_id;

    // The deep linking launch opens the picker of this course's videos.
    let res = launch_with(&app, &platform, &browser, deep_link_claims).await;
    assert_eq!(res.status().as_u16(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(
        csp.contains("form-action 'self'")
            && csp.contains("frame-ancestors 'self' https://lms.test"),
        "{csp}"
    );
    let page = res.text().await.expect("page");
    for id in [&intro, &lab] {
        assert!(
            page.contains(&format!("type=\"checkbox\" name=\"video\" value=\"{id}\"")),
            "{page}"
        );
    }
    assert!(
        page.contains("Lab &lt;1&gt;") && !page.contains(&foreign),
        "{page}"
    );
    let ticket = field(&page, "ticket");

    // Nothing chosen: asked again. Another course's video, or a forged ticket: refused.
    let res = pick(&app, &[("ticket", &ticket), ("action", "add")]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .expect("page")
        .contains("Choose a video first"));
    for fields in [
        vec![
            ("ticket", ticket.as_str()),
            ("video", intro.as_str()),
            ("video", foreign.as_str()),
            ("action", "add"),
        ],
        vec![
            ("ticket", "forged.ticket"),
            ("video", intro.as_str()),
            ("action", "add"),
        ],
    ] {
        let res = pick(&app, &fields).await;
        assert_eq!(res.status().as_u16(), 400);
        let page = res.text().await.expect("page");
        assert!(
            page.contains("lti_bad_pick") && !page.contains("eyJ"),
            "{page}"
        );
    }

    // Two videos: resource links to Reel's launch, each naming its video.
    let res = pick(
        &app,
        &[
            ("ticket", &ticket),
            ("video", &intro),
            ("video", &lab),
            ("action", "add"),
        ],
    )
    .await;
    let answer = verified_answer(&app, res).await;
    let items = answer["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        .as_array()
        .expect("items")
        .clone();
    let named: Vec<&str> = items
        .iter()
        .map(|i| i["custom"]["reel_video_id"].as_str().expect("id"))
        .collect();
    assert_eq!(named, [intro.as_str(), lab.as_str()]);
    assert_eq!(items[0]["type"], "ltiResourceLink");
    assert_eq!(items[0]["title"], "Intro");
    assert_eq!(items[0]["url"], app.url("/lti/launch"));
    assert!(app.audited("lti.deep_link", Some("success")).await);

    // A link the LMS made from the answer opens its video's chapter; a video of another
    // course named in one opens the course, nothing of the other's.
    for (video, lands) in [
        (
            &lab,
            format!("/courses/{course}/chapters/{chapter}#lti-refresh="),
        ),
        (&foreign, format!("/courses/{course}#lti-refresh=")),
    ] {
        let res = launch_with(&app, &platform, &browser, |nonce| {
            let mut link = claims(nonce);
            link["https://purl.imsglobal.org/spec/lti/claim/custom"] =
                json!({ "reel_video_id": video });
            link
        })
        .await;
        assert_eq!(res.status().as_u16(), 303);
        let to = res.headers()["location"].to_str().expect("text");
        assert!(to.starts_with(&lands), "{to}");
    }

    // Cancel: an answer with no items.
    let res = pick(&app, &[("ticket", &ticket), ("action", "cancel")]).await;
    let claims = verified_answer(&app, res).await;
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"],
        json!([])
    );

    // A platform that takes one item gets radio buttons, and two chosen are asked again.
    let res = launch_with(&app, &platform, &browser, |nonce| {
        let mut one = deep_link_claims(nonce);
        one["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
            ["accept_multiple"] = json!(false);
        one
    })
    .await;
    let page = res.text().await.expect("page");
    assert!(
        page.contains(&format!("type=\"radio\" name=\"video\" value=\"{intro}\"")),
        "{page}"
    );
    let ticket = field(&page, "ticket");
    let res = pick(
        &app,
        &[
            ("ticket", &ticket),
            ("video", &intro),
            ("video", &lab),
            ("action", "add"),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.expect("page").contains("takes one video"));
}
