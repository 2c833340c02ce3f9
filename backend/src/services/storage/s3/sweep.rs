//! The janitor's part: temporary objects no row needs, and multipart uploads under the
//! prefix that no row knows (a crash between CreateMultipartUpload and its record).

use super::{millis, S3Storage};
use crate::db::s3_state;
use rusoto_s3::{ListMultipartUploadsRequest, S3};
use std::io;

impl S3Storage {
    /// Removes garbage objects that are due; returns how many.
    pub(super) async fn sweep_garbage(&self) -> io::Result<usize> {
        let before = crate::clock::now_ms() - millis(self.settings.orphan_grace);
        let due = self
            .db(move |conn| s3_state::garbage_due(conn, before))
            .await?;
        let mut removed = 0;
        for object in due {
            self.delete_object(&object).await?;
            let gone = object.clone();
            self.db(move |conn| s3_state::garbage_removed(conn, &gone))
                .await?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Aborts multipart uploads under the prefix that no row knows and that are older than
    /// the grace period (a crash between CreateMultipartUpload and its record).
    pub(super) async fn sweep_multiparts(&self) -> io::Result<usize> {
        let known: std::collections::HashSet<String> = self
            .db(s3_state::multipart_ids)
            .await?
            .into_iter()
            .collect();
        let cutoff = time::OffsetDateTime::now_utc() - self.settings.orphan_grace;
        let mut markers: (Option<String>, Option<String>) = (None, None);
        let mut aborted = 0;
        loop {
            let (bucket, prefix, m) = (
                self.settings.bucket.clone(),
                self.settings.prefix.clone(),
                markers.clone(),
            );
            let page = self
                .call("ListMultipartUploads", self.settings.timeout, move |c| {
                    let req = ListMultipartUploadsRequest {
                        bucket: bucket.clone(),
                        prefix: Some(prefix.clone()).filter(|p| !p.is_empty()),
                        key_marker: m.0.clone(),
                        upload_id_marker: m.1.clone(),
                        ..Default::default()
                    };
                    async move { c.list_multipart_uploads(req).await }
                })
                .await
                .map_err(|f| f.into_io("ListMultipartUploads"))?;
            for upload in page.uploads.unwrap_or_default() {
                let (Some(key), Some(id)) = (upload.key, upload.upload_id) else {
                    continue;
                };
                let old = upload
                    .initiated
                    .and_then(|t| {
                        time::OffsetDateTime::parse(
                            &t,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .ok()
                    })
                    .is_some_and(|t| t <= cutoff);
                if old && !known.contains(&id) {
                    self.abort(&key, &id).await?;
                    aborted += 1;
                }
            }
            if page.is_truncated != Some(true) {
                return Ok(aborted);
            }
            markers = (page.next_key_marker, page.next_upload_id_marker);
        }
    }
}
