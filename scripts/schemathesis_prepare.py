"""Prepares a schemathesis run for scripts/schemathesis.sh.

Signs in as the demo instructor and writes, into the run's directory, the session cookie
(`session`, the document's `session` scheme key) and the run's config: the checked-in
scripts/schemathesis.toml plus creation metadata naming the demo chapter and the IDs of a few
unfinished uploads, so that some generated tus requests meet real uploads (the rest stay
fuzzed), and a genuine signed URL of a ready video for the media route.

Usage: python scripts/schemathesis_prepare.py URL DEMO_PASSWORD RUN_DIR
"""

import base64
import json
import sys
import time
import urllib.parse
import urllib.request


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def main() -> None:
    url, password, run_dir = sys.argv[1:4]
    body = json.dumps({"email": "demo@reel.local", "password": password}).encode()
    req = urllib.request.Request(
        url + "/api/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        cookies = dict(
            c.split(";", 1)[0].split("=", 1) for c in res.headers.get_all("Set-Cookie") or []
        )
    session = cookies["reel_session"]
    req = urllib.request.Request(url + "/api/courses", headers={"Cookie": "reel_session=" + session})
    with urllib.request.urlopen(req, timeout=10) as res:
        chapter = json.load(res)[0]["chapters"][0]["id"]
    metadata = [
        f"filename {b64('Lecture 1.mp4')},filetype {b64('video/mp4')},chapter_id {b64(chapter)}",
        f"filename {b64('clip.webm')},chapter_id {b64(chapter)},title {b64('Week 1: intro')}",
    ]
    # A few unfinished uploads, so HEAD, PATCH and DELETE on an upload meet real ones too.
    uploads = []
    for i in range(4):
        req = urllib.request.Request(
            url + "/api/uploads",
            data=b"",
            method="POST",
            headers={
                "Cookie": "reel_session=" + session,
                "Tus-Resumable": "1.0.0",
                "Upload-Length": "4096",
                "Upload-Metadata": metadata[i % len(metadata)],
            },
        )
        with urllib.request.urlopen(req, timeout=10) as res:
            uploads.append(res.headers["Location"].rsplit("/", 1)[1])
    # One ready video, so the media route is tested with a genuine signed URL (its Range and
    # If-Range headers fuzzed) and video reads meet a display URL.
    with open("backend/tests/fixtures/clip.mp4", "rb") as f:
        clip = f.read()
    req = urllib.request.Request(
        url + "/api/uploads",
        data=clip,
        method="POST",
        headers={
            "Cookie": "reel_session=" + session,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(clip)),
            "Upload-Metadata": metadata[0],
            "Content-Type": "application/offset+octet-stream",
        },
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        video_id = res.headers["Reel-Video-Id"]
    display_url = None
    for _ in range(200):
        req = urllib.request.Request(
            url + "/api/videos/" + video_id, headers={"Cookie": "reel_session=" + session}
        )
        with urllib.request.urlopen(req, timeout=10) as res:
            video = json.load(res)
        if video["status"] not in ("uploading", "processing"):
            display_url = video["display_url"]
            break
        time.sleep(0.05)
    if not display_url:
        sys.exit(f"the fixture video did not become ready: {video}")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(display_url).query)
    media = {"path.video_id": video_id, "query.exp": query["exp"][0], "query.sig": query["sig"][0]}

    with open(run_dir + "/session", "w") as f:
        f.write(session)
    with open("scripts/schemathesis.toml") as base, open(run_dir + "/schemathesis.toml", "w") as f:
        f.write(base.read())
        f.write("\n# Added by scripts/schemathesis_prepare.py for this run.\n")
        f.write("[dictionaries.upload-metadata]\nvalues = " + json.dumps(metadata) + "\n\n")
        f.write("[dictionaries.uploads]\nvalues = " + json.dumps(uploads) + "\n\n")
        f.write('[[operations]]\ninclude-operation-id = "tus_create"\n')
        f.write(
            'parameters = { "header.Upload-Metadata" = '
            '{ dictionary = "upload-metadata", probability = 0.5 } }\n\n'
        )
        f.write('[[operations]]\ninclude-path = "/media/{video_id}"\nparameters = { ')
        f.write(", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in media.items()) + " }\n\n")
        f.write('[[operations]]\ninclude-path = "/api/uploads/{upload_id}"\n')
        f.write(
            'parameters = { "path.upload_id" = { dictionary = "uploads", probability = 0.5 } }\n'
        )


if __name__ == "__main__":
    main()
