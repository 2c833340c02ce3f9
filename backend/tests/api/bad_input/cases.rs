//! The table itself, endpoint by endpoint. Every case is one request that a well-behaved
//! server refuses with a 4xx.

use super::{Case, Targets};
use crate::tus::{fixture, metadata};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::Method;

/// IDs no server would ever have made: traversal, NUL and control characters, bad UTF-8,
/// quotes, and sheer length. Every `{id}` of every route gets each of them.
fn hostile_ids() -> Vec<(&'static str, String)> {
    vec![
        ("path traversal", "..%2F..%2F..%2Fetc%2Fpasswd".into()),
        ("an encoded dot-dot and slash", ".%2E%2F.%2E%2Fetc".into()),
        ("backslash traversal", "..%5C..%5Cwindows%5Cwin.ini".into()),
        ("a NUL", "abc%00def".into()),
        ("CR LF and ESC", "a%0d%0aSet-Cookie:%20x%1b".into()),
        ("invalid UTF-8", "%FF%FE%FD".into()),
        ("an SQL quote", "x'%20OR%20'1'%3D'1".into()),
        ("4096 characters", "a".repeat(4096)),
    ]
}

/// `levels` nested arrays: past serde_json's recursion limit, under the body size limit.
fn nested(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Every case, in table order.
pub fn all(t: &Targets) -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(auth());
    cases.extend(courses_and_chapters(t));
    cases.extend(videos(t));
    cases.extend(bulk_delete());
    cases.extend(tus_creation(t));
    cases.extend(tus_upload(t));
    cases.extend(media(t));
    cases
}

fn auth() -> Vec<Case> {
    let login = |name: &str| {
        Case::new(format!("login: {name}"), Method::POST, "/api/auth/login").anonymous()
    };
    let huge = format!(
        r#"{{"email": "a@b.c", "password": "{}"}}"#,
        "x".repeat(200 * 1024)
    );
    vec![
        login("malformed JSON").json(r#"{"email": "#),
        login("an empty body").json(""),
        login("trailing garbage").json(r#"{"email": "a@b.c", "password": "x"} x"#),
        login("a text/plain body")
            .header("Content-Type", "text/plain")
            .body("email=a&password=b"),
        login("a form body")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("email=a&password=b"),
        login("no content type").body(r#"{"email": "a@b.c", "password": "x"}"#),
        login("wrong types").json(r#"{"email": 5, "password": []}"#),
        login("a missing password").json(r#"{"email": "a@b.c"}"#),
        login("an empty object").json("{}"),
        login("an array").json("[]"),
        login("null").json("null"),
        login("a bare string").json(r#""a@b.c""#),
        login("a duplicated field")
            .json(r#"{"email": "a@b.c", "email": "b@b.c", "password": "x"}"#),
        login("a 200 KiB body").json(huge),
        login("a deeply nested body").json(format!(
            r#"{{"email": {}, "password": "x"}}"#,
            nested(20_000)
        )),
        login("an overflowing number").json(r#"{"email": 1e400, "password": "x"}"#),
        login("invalid UTF-8").json(b"{\"email\": \"\xff\xfe\", \"password\": \"x\"}"),
        // The table's one wrong password.
        login("NUL and control characters in the email")
            .json(r#"{"email": "a\u0000b\u001b@c.d", "password": "x"}"#),
        login("an email over 320 characters").json(format!(
            r#"{{"email": "{}@b.c", "password": "x"}}"#,
            "a".repeat(400)
        )),
        login("an empty email and password").json(r#"{"email": " ", "password": ""}"#),
        Case::new("logout: GET", Method::GET, "/api/auth/logout"),
        Case::new("me: no session", Method::GET, "/api/auth/me").anonymous(),
        Case::new(
            "me: a traversal session cookie",
            Method::GET,
            "/api/auth/me",
        )
        .anonymous()
        .header("Cookie", "reel_session=../../../etc/passwd"),
        Case::new(
            "me: a session cookie of raw bytes",
            Method::GET,
            "/api/auth/me",
        )
        .anonymous()
        .header("Cookie", b"reel_session=\xff\xfe\x80"),
        Case::new("me: DELETE", Method::DELETE, "/api/auth/me"),
    ]
}

fn courses_and_chapters(t: &Targets) -> Vec<Case> {
    let mut cases = vec![
        Case::new("courses: no session", Method::GET, "/api/courses").anonymous(),
        Case::new("courses: a forged session", Method::GET, "/api/courses")
            .anonymous()
            .header("Cookie", format!("reel_session={}", "A".repeat(43))),
        Case::new("courses: PUT", Method::PUT, "/api/courses").json("{}"),
        Case::new(
            "chapter videos: another instructor's chapter",
            Method::GET,
            format!("/api/chapters/{}/videos", t.other_chapter),
        ),
        Case::new(
            "chapter videos: no session",
            Method::GET,
            format!("/api/chapters/{}/videos", t.chapter),
        )
        .anonymous(),
        Case::new(
            "chapter videos: DELETE",
            Method::DELETE,
            format!("/api/chapters/{}/videos", t.chapter),
        ),
    ];
    for (what, id) in hostile_ids() {
        cases.push(Case::new(
            format!("chapter videos: {what} in the chapter ID"),
            Method::GET,
            format!("/api/chapters/{id}/videos"),
        ));
    }
    cases
}

fn videos(t: &Targets) -> Vec<Case> {
    let mut cases = vec![
        Case::new(
            "video: another instructor's",
            Method::GET,
            format!("/api/videos/{}", t.other_video),
        ),
        Case::new(
            "delete: another instructor's video",
            Method::DELETE,
            format!("/api/videos/{}", t.other_video),
        ),
        Case::new(
            "restore: another instructor's video",
            Method::POST,
            format!("/api/videos/{}/restore", t.other_video),
        ),
        Case::new(
            "video: no session",
            Method::GET,
            format!("/api/videos/{}", t.video),
        )
        .anonymous(),
        Case::new(
            "delete: no session",
            Method::DELETE,
            format!("/api/videos/{}", t.video),
        )
        .anonymous(),
        Case::new(
            "video: PUT",
            Method::PUT,
            format!("/api/videos/{}", t.video),
        )
        .json(r#"{"title": "x"}"#),
    ];
    for (what, id) in hostile_ids() {
        cases.push(Case::new(
            format!("video: {what} in the ID"),
            Method::GET,
            format!("/api/videos/{id}"),
        ));
        cases.push(Case::new(
            format!("delete: {what} in the ID"),
            Method::DELETE,
            format!("/api/videos/{id}"),
        ));
        cases.push(Case::new(
            format!("restore: {what} in the ID"),
            Method::POST,
            format!("/api/videos/{id}/restore"),
        ));
    }
    cases
}

fn bulk_delete() -> Vec<Case> {
    let bulk = |name: &str| {
        Case::new(
            format!("bulk delete: {name}"),
            Method::POST,
            "/api/videos/bulk-delete",
        )
    };
    let too_many: Vec<String> = (0..501).map(|i| format!("id-{i}")).collect();
    vec![
        bulk("malformed JSON").json(r#"{"ids": ["#),
        bulk("IDs that are not a list").json(r#"{"ids": "abc"}"#),
        bulk("IDs that are numbers").json(r#"{"ids": [1, 2]}"#),
        bulk("null IDs").json(r#"{"ids": null}"#),
        bulk("no IDs field").json(r#"{"id": ["x"]}"#),
        bulk("an empty list").json(r#"{"ids": []}"#),
        bulk("501 IDs").json(serde_json::json!({ "ids": too_many }).to_string()),
        bulk("a duplicated field").json(r#"{"ids": ["a"], "ids": ["b"]}"#),
        bulk("a deeply nested list").json(format!(r#"{{"ids": {}}}"#, nested(20_000))),
        bulk("an overflowing number").json(r#"{"ids": [1e400]}"#),
        bulk("a NUL-riddled non-list").json(r#"{"ids": "\u0000\u0000"}"#),
        bulk("a 200 KiB body").json(format!(r#"{{"ids": ["{}"]}}"#, "x".repeat(200 * 1024))),
        bulk("a text/plain body")
            .header("Content-Type", "text/plain")
            .body(r#"{"ids": ["x"]}"#),
        bulk("no session").json(r#"{"ids": ["x"]}"#).anonymous(),
        Case::new("bulk delete: GET", Method::GET, "/api/videos/bulk-delete"),
    ]
}

/// A valid creation request for the instructor's chapter; each case spoils one thing.
fn creation(name: &str, t: &Targets) -> Case {
    Case::new(
        format!("tus creation: {name}"),
        Method::POST,
        "/api/uploads",
    )
    .header("Tus-Resumable", "1.0.0")
    .header("Upload-Length", "4096")
    .header(
        "Upload-Metadata",
        metadata(&[
            ("filename", "lecture.mp4"),
            ("filetype", "video/mp4"),
            ("chapter_id", &t.chapter),
        ]),
    )
}

fn with_metadata(name: &str, t: &Targets, pairs: &[(&str, &str)]) -> Case {
    creation(name, t).set("Upload-Metadata", Some(&metadata(pairs)))
}

fn tus_creation(t: &Targets) -> Vec<Case> {
    let chapter = t.chapter.as_str();
    let raw_metadata =
        |name: &str, value: String| creation(name, t).set("Upload-Metadata", Some(&value));
    let chunk = |case: Case| case.header("Content-Type", "application/offset+octet-stream");
    vec![
        creation("no Tus-Resumable", t).set("Tus-Resumable", None),
        creation("an old Tus-Resumable", t).set("Tus-Resumable", Some("0.2.2")),
        creation("a duplicated Tus-Resumable", t).header("Tus-Resumable", "1.0.0"),
        creation("no session", t).anonymous(),
        creation("no Upload-Length", t).set("Upload-Length", None),
        creation("a negative Upload-Length", t).set("Upload-Length", Some("-1")),
        creation("a non-numeric Upload-Length", t).set("Upload-Length", Some("abc")),
        creation("an overflowing Upload-Length", t)
            .set("Upload-Length", Some("99999999999999999999999")),
        creation("an Upload-Length in exponent form", t).set("Upload-Length", Some("1e3")),
        creation("a zero Upload-Length", t).set("Upload-Length", Some("0")),
        creation("an Upload-Length over the limit", t)
            .set("Upload-Length", Some("9223372036854775807")),
        creation("a duplicated Upload-Length", t).header("Upload-Length", "8192"),
        creation("a deferred length", t)
            .set("Upload-Length", None)
            .header("Upload-Defer-Length", "1"),
        creation("no Upload-Metadata", t).set("Upload-Metadata", None),
        creation("a duplicated Upload-Metadata", t).header(
            "Upload-Metadata",
            metadata(&[("filename", "other.mp4"), ("chapter_id", chapter)]),
        ),
        raw_metadata(
            "bad base64 in the metadata",
            format!(
                "filename !!!not-base64!!!,chapter_id {}",
                b64(chapter.as_bytes())
            ),
        ),
        raw_metadata(
            "a metadata key twice",
            format!(
                "filename {},filename {},chapter_id {}",
                b64(b"a.mp4"),
                b64(b"b.mp4"),
                b64(chapter.as_bytes())
            ),
        ),
        raw_metadata(
            "three parts in one metadata pair",
            format!(
                "filename {} extra,chapter_id {}",
                b64(b"a.mp4"),
                b64(chapter.as_bytes())
            ),
        ),
        raw_metadata(
            "metadata that is not UTF-8",
            format!(
                "filename {},chapter_id {}",
                b64(b"\xff\xfe.mp4"),
                b64(chapter.as_bytes())
            ),
        ),
        raw_metadata(
            "8 KiB of metadata that is not base64",
            format!(
                "filename {},chapter_id {}",
                "*".repeat(8 * 1024),
                b64(chapter.as_bytes())
            ),
        ),
        creation("raw bytes in the metadata header", t)
            .set("Upload-Metadata", None)
            .header("Upload-Metadata", b"filename \xff\xfe\xfd,chapter_id \x80"),
        with_metadata("no chapter", t, &[("filename", "a.mp4")]),
        with_metadata(
            "path traversal in the chapter ID",
            t,
            &[("filename", "a.mp4"), ("chapter_id", "../../../etc/passwd")],
        ),
        with_metadata(
            "a NUL in the chapter ID",
            t,
            &[("filename", "a.mp4"), ("chapter_id", "abc\0def")],
        ),
        with_metadata(
            "another instructor's chapter",
            t,
            &[("filename", "a.mp4"), ("chapter_id", &t.other_chapter)],
        ),
        with_metadata("no file name", t, &[("chapter_id", chapter)]),
        with_metadata(
            "path traversal as the file name",
            t,
            &[
                ("filename", "../../../../etc/passwd"),
                ("chapter_id", chapter),
            ],
        ),
        with_metadata(
            "path traversal in a video's file name",
            t,
            &[
                ("filename", "../../media/evil.mp4"),
                ("chapter_id", chapter),
            ],
        ),
        with_metadata(
            "backslash traversal in the file name",
            t,
            &[("filename", "..\\..\\evil.mp4"), ("chapter_id", chapter)],
        ),
        with_metadata(
            "an absolute file name",
            t,
            &[
                ("filename", "/etc/cron.d/evil.mp4"),
                ("chapter_id", chapter),
            ],
        ),
        with_metadata(
            "a NUL in the file name",
            t,
            &[("filename", "evil\0.mp4"), ("chapter_id", chapter)],
        ),
        with_metadata(
            "CR LF in the file name",
            t,
            &[("filename", "a\r\nX-Evil: 1.mp4"), ("chapter_id", chapter)],
        ),
        with_metadata(
            "control characters in the title",
            t,
            &[
                ("filename", "a.mp4"),
                ("chapter_id", chapter),
                ("title", "a\u{1b}[31m\0b"),
            ],
        ),
        with_metadata(
            "an HTML file type",
            t,
            &[
                ("filename", "a.mp4"),
                ("filetype", "text/html"),
                ("chapter_id", chapter),
            ],
        ),
        chunk(creation(
            "an unknown checksum algorithm with the first bytes",
            t,
        ))
        .header("Upload-Checksum", "crc32 AAAAAA==")
        .body([0u8; 64]),
        chunk(creation("a malformed checksum with the first bytes", t))
            .header("Upload-Checksum", "sha1")
            .body([0u8; 64]),
        chunk(creation("a checksum that is not base64", t))
            .header("Upload-Checksum", "sha256 !!!")
            .body([0u8; 64]),
        chunk(creation("more first bytes than the declared length", t))
            .set("Upload-Length", Some("16"))
            .body([0u8; 64]),
        Case::new("tus creation: GET", Method::GET, "/api/uploads"),
    ]
}

fn tus_upload(t: &Targets) -> Vec<Case> {
    // The start of a real video: only the defect a case is about may get its chunk refused.
    let video_head = &fixture("clip.mp4")[..100];
    let at = |id: &str| format!("/api/uploads/{id}");
    let patch = |name: &str| {
        Case::new(format!("tus PATCH: {name}"), Method::PATCH, at(&t.upload))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(video_head)
    };
    let head = |name: &str, id: &str| {
        Case::new(format!("tus HEAD: {name}"), Method::HEAD, at(id))
            .header("Tus-Resumable", "1.0.0")
    };
    let terminate = |name: &str, id: &str| {
        Case::new(format!("tus termination: {name}"), Method::DELETE, at(id))
            .header("Tus-Resumable", "1.0.0")
    };
    let mut cases = vec![
        head("another instructor's upload", &t.other_upload),
        head("no Tus-Resumable", &t.upload).set("Tus-Resumable", None),
        head("no session", &t.upload).anonymous(),
        patch("a JSON body").set("Content-Type", Some("application/json")),
        patch("no content type").set("Content-Type", None),
        patch("no Upload-Offset").set("Upload-Offset", None),
        patch("a negative Upload-Offset").set("Upload-Offset", Some("-1")),
        patch("a non-numeric Upload-Offset").set("Upload-Offset", Some("zero")),
        patch("an overflowing Upload-Offset").set("Upload-Offset", Some("18446744073709551616")),
        patch("the largest Upload-Offset").set("Upload-Offset", Some("9223372036854775807")),
        patch("a wrong Upload-Offset").set("Upload-Offset", Some("100")),
        patch("a duplicated Upload-Offset").header("Upload-Offset", "100"),
        patch("an unknown checksum algorithm").header("Upload-Checksum", "crc32 AAAAAA=="),
        patch("a checksum without a digest").header("Upload-Checksum", "sha1"),
        patch("a checksum digest that is not base64").header("Upload-Checksum", "md5 %%%%"),
        patch("a checksum that does not match")
            .header("Upload-Checksum", format!("sha1 {}", b64(&[0u8; 20]))),
        patch("more bytes than the declared length").body(&fixture("clip.mp4")[..5000]),
        patch("no Tus-Resumable").set("Tus-Resumable", None),
        patch("no session").anonymous(),
        Case::new(
            "tus PATCH: another instructor's upload",
            Method::PATCH,
            at(&t.other_upload),
        )
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(video_head),
        terminate("another instructor's upload", &t.other_upload),
        terminate("a finished upload", &t.finished_upload),
        terminate("no Tus-Resumable", &t.upload).set("Tus-Resumable", None),
        terminate("no session", &t.upload).anonymous(),
        Case::new("tus upload: PUT", Method::PUT, at(&t.upload)).header("Tus-Resumable", "1.0.0"),
    ];
    for (what, id) in hostile_ids() {
        cases.push(head(&format!("{what} in the upload ID"), &id));
        cases.push(
            Case::new(
                format!("tus PATCH: {what} in the upload ID"),
                Method::PATCH,
                at(&id),
            )
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(video_head),
        );
        cases.push(terminate(&format!("{what} in the upload ID"), &id));
    }
    cases
}

fn media(t: &Targets) -> Vec<Case> {
    let signed = |name: &str, id: &str, query: String| {
        Case::new(
            format!("media: {name}"),
            Method::GET,
            format!("/media/{id}?{query}"),
        )
        .anonymous()
        .bare()
    };
    let genuine = format!("exp={}&sig={}", t.exp, t.sig);
    let video = t.video.as_str();
    let mut cases = vec![
        Case::new(
            "media: no signature",
            Method::GET,
            format!("/media/{video}"),
        )
        .anonymous()
        .bare(),
        signed(
            "a wrong signature",
            video,
            format!("exp={}&sig={}", t.exp, "A".repeat(43)),
        ),
        signed(
            "a signature that is not base64",
            video,
            format!("exp={}&sig=%25%25%25", t.exp),
        ),
        signed("no sig", video, format!("exp={}", t.exp)),
        signed("no exp", video, format!("sig={}", t.sig)),
        signed(
            "an overflowing exp",
            video,
            format!("exp=99999999999999999999999&sig={}", t.sig),
        ),
        signed("a negative exp", video, format!("exp=-1&sig={}", t.sig)),
        signed(
            "an exp that is not a number",
            video,
            format!("exp=soon&sig={}", t.sig),
        ),
        signed("an expired exp", video, format!("exp=1&sig={}", t.sig)),
        signed("a duplicated sig", video, format!("{genuine}&sig=AAAA")),
        signed(
            "a NUL in the signature",
            video,
            format!("exp={}&sig=%00{}", t.exp, t.sig),
        ),
        signed("another video's ID", &t.other_video, genuine.clone()),
        signed("a range past the end", video, genuine.clone()).header("Range", "bytes=999999999-"),
        signed("a range at the largest offset", video, genuine.clone())
            .header("Range", "bytes=18446744073709551615-"),
        signed("an empty suffix range", video, genuine.clone()).header("Range", "bytes=-0"),
        signed(
            "a garbage range with a wrong signature",
            video,
            "exp=1&sig=AAAA".into(),
        )
        .header("Range", "bytes=abc-def,--,999999999999999999999999-"),
        Case::new(
            "media: HEAD with a wrong signature",
            Method::HEAD,
            format!("/media/{video}?exp={}&sig=AAAA", t.exp),
        )
        .anonymous(),
        Case::new(
            "media: POST",
            Method::POST,
            format!("/media/{video}?{genuine}"),
        )
        .anonymous(),
        Case::new(
            "api: traversal out of /api",
            Method::GET,
            "/api/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        ),
        Case::new(
            "api: a NUL in an unknown path",
            Method::GET,
            "/api/no%00such",
        ),
    ];
    for (what, id) in hostile_ids() {
        cases.push(signed(
            &format!("{what} in the video ID"),
            &id,
            genuine.clone(),
        ));
    }
    cases
}
