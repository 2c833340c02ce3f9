//! A full disk and a read-only disk during a PATCH, caused for real: the storage directory is
//! a small tmpfs mounted for the test (CI runs as root; mounting needs it). The client gets a
//! clear tus error, HEAD never counts bytes the disk does not hold, nothing half-written is
//! served, and the upload resumes once the disk is back.

use crate::support::padded_mp4;
use crate::support::Reel;
use crate::support::{assert_error, spawn_app_with, TestApp};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted at a directory until dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Self {
        std::fs::create_dir_all(at).expect("mount point");
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "the disk fault tests mount a tmpfs, which needs root (CI runs as root)"
        );
        Self(at.to_path_buf())
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .expect("mount runs");
        assert!(status.success(), "remount {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

async fn offset_of(app: &TestApp, client: &reqwest::Client, location: &str) -> u64 {
    let head = app.head_offset(client, location).await;
    assert_eq!(head.status(), 200);
    head.headers()["upload-offset"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number")
}

async fn video(app: &TestApp, client: &reqwest::Client, id: &str) -> serde_json::Value {
    app.get_json(client, &format!("/api/videos/{id}")).await
}

fn partial_size(media: &Path) -> u64 {
    fn walk(dir: &Path) -> u64 {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
    }
    walk(&media.join("partial"))
}

#[actix_web::test]
async fn a_disk_that_fills_up_mid_patch_gives_507_a_truthful_head_and_resumes_later() {
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let media = data_dir.join("media");
    let _disk = Tmpfs::mount(&media, "8m");
    let app = spawn_app_with(|c| {
        c.data_dir = data_dir.clone();
        c.min_free_bytes = 0;
    })
    .await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = padded_mp4(6 << 20, |i| (i % 251) as u8);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    // Something else takes most of the disk after the upload was accepted.
    let filler = media.join("filler");
    std::fs::write(&filler, vec![1u8; 5 << 20]).expect("filler");

    let res = app.patch(&client, &created.location, 0, data.clone()).await;

    let message = assert_error(res, 507, "insufficient_storage").await;
    assert!(message.contains("resume"), "{message}");
    let offset = offset_of(&app, &client, &created.location).await;
    let on_disk = partial_size(&media);
    assert!(
        offset <= on_disk,
        "HEAD says {offset}, the disk holds {on_disk}"
    );
    let video = video(&app, &client, &created.video_id).await;
    assert_eq!(video["status"], "uploading");
    assert!(
        video["display_url"].is_null(),
        "nothing half-written is served"
    );

    // The operator makes room; the client resumes from HEAD.
    std::fs::remove_file(&filler).expect("room made");
    let res = app
        .patch(
            &client,
            &created.location,
            offset as usize,
            data[offset as usize..].to_vec(),
        )
        .await;
    assert_eq!(res.status(), 204, "{:?}", res.text().await);
    assert_eq!(app.served_bytes(&client, &created.video_id).await, data);
}

#[actix_web::test]
async fn a_read_only_disk_gives_503_keeps_the_offset_and_the_upload_resumes_when_writable() {
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let media = data_dir.join("media");
    let disk = Tmpfs::mount(&media, "16m");
    let app = spawn_app_with(|c| {
        c.data_dir = data_dir.clone();
        c.min_free_bytes = 0;
    })
    .await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = padded_mp4(1 << 20, |i| (i % 251) as u8);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let half = data.len() / 2;
    let res = app
        .patch(&client, &created.location, 0, data[..half].to_vec())
        .await;
    assert_eq!(res.status(), 204);

    disk.remount("ro");
    let res = app
        .patch(&client, &created.location, half, data[half..].to_vec())
        .await;
    assert_error(res, 503, "unavailable").await;
    assert_eq!(
        offset_of(&app, &client, &created.location).await,
        half as u64
    );
    let video = video(&app, &client, &created.video_id).await;
    assert!(
        video["display_url"].is_null(),
        "nothing half-written is served"
    );

    disk.remount("rw");
    let res = app
        .patch(&client, &created.location, half, data[half..].to_vec())
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.served_bytes(&client, &created.video_id).await, data);
}
