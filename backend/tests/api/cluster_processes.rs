//! Two real `reel serve` processes on one database and one data directory: the instance
//! holding an upload's lease is SIGKILLed, or SIGSTOPped past its lease, mid-PATCH, and the
//! upload is finished on the other. The video must come out byte-identical, and the stopped
//! instance's late writes must be refused when it wakes up.

use crate::support::{paced_body, padded_mp4, sha256, Reel, Server};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

const MIB: usize = 1 << 20;

struct Pair {
    a: Server,
    b: Server,
    client: reqwest::Client,
    location: String,
    video_id: String,
    data: Arc<Vec<u8>>,
}

async fn pair(data_dir: &Path) -> Pair {
    let mut a = Server::new(data_dir);
    let course = a.seed_instructor().await;
    let mut b = a.peer();
    a.start().await;
    b.start().await;
    let client = a.signed_in().await;
    let data = Arc::new(padded_mp4(24 * MIB, |i| (i * 7 % 251) as u8));
    let created = a
        .create_upload(&client, &course.chapters[0].id, "lecture.mp4", data.len())
        .await;
    Pair {
        location: created.location,
        video_id: created.video_id,
        a,
        b,
        client,
        data,
    }
}

impl Pair {
    /// Starts streaming the whole upload to instance A at about 5 MiB/s.
    fn stream_to_a(&self) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
        let body = paced_body(
            self.data.clone(),
            0,
            128 << 10,
            Duration::from_millis(25),
            Arc::new(AtomicU64::new(0)),
        );
        actix_web::rt::spawn(
            self.a
                .patch_request(&self.client, &self.location, 0, body)
                .send(),
        )
    }

    /// Finishes the upload on instance B as a tus client would: HEAD, PATCH the rest, and
    /// again after a 423 (the lease is not free yet) or a 409 (the offset moved).
    async fn finish_on_b(&self) -> u64 {
        self.send_on_b_up_to(self.data.len()).await
    }

    /// [`Pair::finish_on_b`] up to byte `end` only.
    async fn send_on_b_up_to(&self, end: usize) -> u64 {
        for _ in 0..40 {
            let offset = self.b.offset(&self.client, &self.location).await;
            if offset as usize >= end {
                return offset;
            }
            let rest = self.data[offset as usize..end].to_vec();
            let res = self
                .b
                .patch_request(&self.client, &self.location, offset as usize, rest)
                .send()
                .await
                .expect("sent");
            match res.status().as_u16() {
                204 => return self.b.offset(&self.client, &self.location).await,
                409 | 423 => actix_web::rt::time::sleep(Duration::from_millis(200)).await,
                other => panic!("unexpected {other}: {:?}", res.text().await),
            }
        }
        panic!("instance B never finished the upload");
    }

    async fn served_by_b(&self) -> Vec<u8> {
        self.b.served_bytes(&self.client, &self.video_id).await
    }
}

fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[actix_web::test]
async fn the_lease_holder_killed_mid_patch_then_the_upload_finishes_on_another_instance() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut p = pair(&root.path().join("data")).await;
    let streaming = p.stream_to_a();
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert!(!streaming.is_finished());
    p.a.kill();
    let _ = streaming.await;
    let before = p.b.offset(&p.client, &p.location).await;
    assert!(before > 0, "the killed PATCH kept what it had recorded");
    assert_eq!(p.finish_on_b().await as usize, p.data.len());
    assert_eq!(sha256(&p.served_by_b().await), sha256(&p.data));
}

#[actix_web::test]
async fn an_instance_stopped_past_its_lease_wakes_up_to_refused_writes() {
    let root = tempfile::tempdir().expect("tempdir");
    let p = pair(&root.path().join("data")).await;
    let streaming = p.stream_to_a();
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    assert!(!streaming.is_finished());
    let a = p.a.pid();
    signal(a, "STOP");
    // Past the lease (REEL_UPLOAD_LEASE_MS=1500 in the harness): B takes over and sends
    // all but the last 4 MiB, so the upload is still active when A wakes.
    actix_web::rt::time::sleep(Duration::from_millis(2000)).await;
    let end = p.data.len() - 4 * MIB;
    assert_eq!(p.send_on_b_up_to(end).await as usize, end);
    signal(a, "CONT");
    // A wakes up with its body still streaming: its renewal finds the lease gone, and its
    // records are refused by the fence. Its request fails; nothing it does moves the offset.
    let late = streaming.await.expect("joined");
    assert!(
        late.as_ref().map_or(true, |r| r.status() != 204),
        "the stopped instance's PATCH succeeded late: {late:?}"
    );
    assert_eq!(
        p.b.offset(&p.client, &p.location).await as usize,
        end,
        "a late write moved the offset"
    );
    assert_eq!(p.finish_on_b().await as usize, p.data.len());
    assert_eq!(sha256(&p.served_by_b().await), sha256(&p.data));
}
