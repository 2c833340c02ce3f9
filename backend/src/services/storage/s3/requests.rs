//! The S3 requests the provider makes, one method each: object reads and writes, multipart
//! uploads and their parts. Each goes through [`S3Storage::call`] (timeout and retries) and
//! turns "no such key / upload" into what its caller needs.

use super::spool::{Sealed, Spool};
use super::S3Storage;
use crate::db::leases::Fence;
use crate::db::s3_state::{self, S3Part, S3Upload};
use crate::services::storage::{lease_lost, unavailable, ByteStream};
use futures_util::StreamExt;
use rusoto_s3::{
    AbortMultipartUploadRequest, CreateMultipartUploadRequest, DeleteObjectRequest,
    GetObjectRequest, HeadObjectRequest, PutObjectRequest, UploadPartRequest, S3,
};
use std::io;
use std::ops::Range;

impl S3Storage {
    pub(super) async fn head(&self, object: &str) -> io::Result<Option<(u64, Option<String>)>> {
        let (bucket, key) = (self.settings.bucket.clone(), object.to_string());
        let out = self
            .call("HeadObject", self.settings.timeout, move |c| {
                let req = HeadObjectRequest {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    ..Default::default()
                };
                async move { c.head_object(req).await }
            })
            .await;
        match out {
            Ok(o) => Ok(Some((
                o.content_length
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                o.e_tag,
            ))),
            Err(f) if f.is_not_found() => Ok(None),
            Err(f) => Err(f.into_io("HeadObject")),
        }
    }

    /// Streams a range of any object (a tail or a final object).
    pub(super) async fn get(&self, object: &str, range: Range<u64>) -> io::Result<ByteStream> {
        if range.is_empty() {
            return Ok(Box::pin(futures_util::stream::empty()));
        }
        let (bucket, key) = (self.settings.bucket.clone(), object.to_string());
        let header = format!("bytes={}-{}", range.start, range.end - 1);
        let out = self
            .call("GetObject", self.settings.timeout, move |c| {
                let req = GetObjectRequest {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    range: Some(header.clone()),
                    ..Default::default()
                };
                async move { c.get_object(req).await }
            })
            .await
            .map_err(|f| f.into_io("GetObject"))?;
        let body = out
            .body
            .ok_or_else(|| io::Error::other("GetObject: no body"))?;
        Ok(Box::pin(body))
    }

    pub(super) async fn put(&self, object: &str, sealed: Sealed) -> io::Result<()> {
        let (bucket, key) = (self.settings.bucket.clone(), object.to_string());
        self.call("PutObject", self.body_timeout(sealed.len), move |c| {
            let req = PutObjectRequest {
                bucket: bucket.clone(),
                key: key.clone(),
                content_length: i64::try_from(sealed.len).ok(),
                content_md5: Some(sealed.md5.clone()),
                body: Some(sealed.body()),
                ..Default::default()
            };
            async move { c.put_object(req).await }
        })
        .await
        .map_err(|f| f.into_io("PutObject"))?;
        Ok(())
    }

    pub(super) async fn delete_object(&self, object: &str) -> io::Result<()> {
        let (bucket, key) = (self.settings.bucket.clone(), object.to_string());
        match self
            .call("DeleteObject", self.settings.timeout, move |c| {
                let req = DeleteObjectRequest {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    ..Default::default()
                };
                async move { c.delete_object(req).await }
            })
            .await
        {
            Ok(_) => Ok(()),
            Err(f) if f.is_not_found() => Ok(()),
            Err(f) => Err(f.into_io("DeleteObject")),
        }
    }

    pub(super) async fn abort(&self, object: &str, upload_id: &str) -> io::Result<()> {
        let (bucket, key, id) = (
            self.settings.bucket.clone(),
            object.to_string(),
            upload_id.to_string(),
        );
        match self
            .call("AbortMultipartUpload", self.settings.timeout, move |c| {
                let req = AbortMultipartUploadRequest {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    upload_id: id.clone(),
                    ..Default::default()
                };
                async move { c.abort_multipart_upload(req).await }
            })
            .await
        {
            Ok(_) => Ok(()),
            Err(f) if f.is_not_found() => Ok(()),
            Err(f) => Err(f.into_io("AbortMultipartUpload")),
        }
    }

    /// Copies a range of an object into a spool.
    pub(super) async fn spool_from(
        &self,
        object: &str,
        range: Range<u64>,
        spool: &mut Spool,
    ) -> io::Result<()> {
        let want = range.end - range.start;
        let mut body = self.get(object, range).await?;
        let mut got = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|_| unavailable("GetObject body"))?;
            got += chunk.len() as u64;
            spool.write(&chunk).await?;
        }
        if got != want {
            return Err(unavailable("GetObject body came back short"));
        }
        Ok(())
    }

    /// The upload's multipart upload, created (and recorded) on first use.
    pub(super) async fn multipart(
        &self,
        object: &str,
        upload: &mut S3Upload,
        fence: Option<&Fence>,
    ) -> io::Result<String> {
        if let Some(id) = &upload.multipart_id {
            return Ok(id.clone());
        }
        let (bucket, key) = (self.settings.bucket.clone(), object.to_string());
        let id = self
            .call("CreateMultipartUpload", self.settings.timeout, move |c| {
                let req = CreateMultipartUploadRequest {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    ..Default::default()
                };
                async move { c.create_multipart_upload(req).await }
            })
            .await
            .map_err(|f| f.into_io("CreateMultipartUpload"))?
            .upload_id
            .ok_or_else(|| io::Error::other("CreateMultipartUpload: no upload ID"))?;
        let (skey, recorded) = (upload.storage_key.clone(), id.clone());
        let fence = fence.cloned();
        self.db(move |conn| s3_state::set_multipart(conn, &skey, &recorded, fence.as_ref()))
            .await?
            .map_err(|_| lease_lost())?;
        upload.multipart_id = Some(id.clone());
        Ok(id)
    }

    pub(super) async fn upload_part(
        &self,
        object: &str,
        upload: &mut S3Upload,
        number: i32,
        spool: &mut Spool,
        fence: Option<&Fence>,
    ) -> io::Result<S3Part> {
        let upload_id = self.multipart(object, upload, fence).await?;
        let sealed = spool.seal().await?;
        let (bucket, key, len) = (self.settings.bucket.clone(), object.to_string(), sealed.len);
        let etag = self
            .call("UploadPart", self.body_timeout(len), move |c| {
                let req = UploadPartRequest {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    upload_id: upload_id.clone(),
                    part_number: i64::from(number),
                    content_length: i64::try_from(sealed.len).ok(),
                    content_md5: Some(sealed.md5.clone()),
                    body: Some(sealed.body()),
                    ..Default::default()
                };
                async move { c.upload_part(req).await }
            })
            .await
            .map_err(|f| f.into_io("UploadPart"))?
            .e_tag
            .ok_or_else(|| io::Error::other("UploadPart: no ETag"))?;
        Ok(S3Part {
            storage_key: upload.storage_key.clone(),
            part_number: number,
            size: i64::try_from(len).unwrap_or(i64::MAX),
            etag,
        })
    }

    /// Puts a spool's bytes as a new tail object. It is noted as garbage first, so a crash
    /// before it is recorded leaves nothing the janitor does not know of.
    pub(super) async fn put_tail(&self, spool: &mut Spool) -> io::Result<(String, i64)> {
        let key = self.new_tail_key();
        let (noted, now) = (key.clone(), crate::clock::now_ms());
        self.db(move |conn| s3_state::note_garbage(conn, &noted, now))
            .await?;
        let sealed = spool.seal().await?;
        let len = i64::try_from(sealed.len).unwrap_or(i64::MAX);
        self.put(&key, sealed).await?;
        Ok((key, len))
    }
}
