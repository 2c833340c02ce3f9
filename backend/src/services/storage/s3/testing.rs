//! Test support: the local S3 servers `make test` starts (`scripts/s3-servers.sh`), and a
//! fresh bucket on one of them per test. Not used by the server itself.

use super::{Retry, S3Settings};
use rusoto_core::{HttpClient, Region};
use rusoto_credential::StaticProvider;
use rusoto_s3::{
    CreateBucketRequest, ListMultipartUploadsRequest, ListObjectsV2Request, S3Client, S3,
};
use std::path::Path;
use std::time::Duration;

/// One local S3 server.
#[derive(Clone, Debug)]
pub struct TestServer {
    /// `s3s` (s3s-fs) or `moto`.
    pub name: String,
    /// Its URL.
    pub endpoint: String,
}

/// The servers in `REEL_TEST_S3` (`name=url,name=url`). Panics with what to do when it is not
/// set: the S3 tests never pass by skipping.
pub fn servers() -> Vec<TestServer> {
    let list = std::env::var("REEL_TEST_S3").unwrap_or_default();
    let servers: Vec<TestServer> = list
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, endpoint)| TestServer {
            name: name.trim().to_string(),
            endpoint: endpoint.trim().to_string(),
        })
        .collect();
    assert!(
        !servers.is_empty(),
        "REEL_TEST_S3 is not set: run the tests with `make test`, or start the local S3 \
         servers with `eval \"$(scripts/s3-servers.sh start)\"` first"
    );
    servers
}

/// The server called `name`.
pub fn server(name: &str) -> TestServer {
    servers()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("REEL_TEST_S3 has no server called {name}"))
}

/// Runs `work` with a client for `endpoint`, on a runtime of its own on a thread of its own:
/// tests call this from inside theirs.
pub fn with_client<T: Send + 'static, F>(
    endpoint: &str,
    work: impl FnOnce(S3Client) -> F + Send + 'static,
) -> T
where
    F: std::future::Future<Output = T>,
{
    let endpoint = endpoint.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let client = S3Client::new_with(
                HttpClient::new().expect("http client"),
                StaticProvider::new_minimal(key_id(), secret()),
                Region::Custom {
                    name: "us-east-1".into(),
                    endpoint,
                },
            );
            work(client).await
        })
    })
    .join()
    .expect("S3 client thread")
}

/// Objects under the settings' prefix (final objects and tails) and multipart uploads in
/// progress: what a test expects to see come and go.
pub fn stored_things(settings: &S3Settings) -> usize {
    let (bucket, prefix) = (settings.bucket.clone(), settings.prefix.clone());
    let endpoint = settings.endpoint.clone().unwrap_or_default();
    with_client(&endpoint, move |client| async move {
        let objects = client
            .list_objects_v2(ListObjectsV2Request {
                bucket: bucket.clone(),
                prefix: Some(prefix.clone()),
                ..Default::default()
            })
            .await
            .expect("list objects")
            .contents
            .unwrap_or_default()
            .len();
        let uploads = client
            .list_multipart_uploads(ListMultipartUploadsRequest {
                bucket,
                prefix: Some(prefix),
                ..Default::default()
            })
            .await
            .map(|o| o.uploads.unwrap_or_default().len())
            .unwrap_or(0);
        objects + uploads
    })
}

/// Creates a new bucket on `server` and returns settings for it (spooling under `data_dir`).
pub fn fresh_bucket(server: &TestServer, data_dir: &Path) -> S3Settings {
    let bucket = format!("reel-test-{}", uuid::Uuid::new_v4().simple());
    let name = bucket.clone();
    with_client(&server.endpoint, move |client| async move {
        client
            .create_bucket(CreateBucketRequest {
                bucket: name,
                ..Default::default()
            })
            .await
            .expect("create the test bucket");
    });
    S3Settings {
        bucket,
        region: "us-east-1".into(),
        endpoint: Some(server.endpoint.clone()),
        prefix: "reel/".into(),
        min_part_bytes: super::MIN_PART,
        timeout: Duration::from_secs(10),
        retry: Retry {
            attempts: 4,
            base: Duration::from_millis(50),
            max_backoff: Duration::from_millis(500),
        },
        orphan_grace: Duration::from_secs(3600),
        spool_dir: data_dir.join("s3-spool"),
    }
}

/// The access key the test servers take (`scripts/s3-servers.sh` exports the same).
pub fn key_id() -> String {
    std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "reel-test".into())
}

fn secret() -> String {
    std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| "reel-test-secret".into())
}
