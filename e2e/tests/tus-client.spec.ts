import { expect, test } from './fixtures';
import { createHash } from 'node:crypto';
import { statSync, createReadStream } from 'node:fs';
import * as tus from 'tus-js-client';
import { demoChapters, largeVideo, sessionCookie, sha256File } from './helpers';

// A standard tus client (tus-js-client, in Node) against the real server: a real 20+ MiB
// video in 5 MiB chunks, aborted half way, resumed from the server's offset, and the bytes
// the display URL serves are the file's bytes.
test('tus-js-client uploads a 20 MiB video in 5 MiB chunks, survives an abort and resumes', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const base = baseURL!;
  const path = largeVideo(20);
  const size = statSync(path).size;
  const cookie = await sessionCookie(base);
  const courses = await (await fetch(`${base}/api/courses`, { headers: { cookie } })).json();
  // By title: other specs add courses of their own to the same server.
  const chapterId: string = demoChapters(courses)[0].id;

  let videoId = '';
  let uploadUrl = '';
  const options = (onProgress: (sent: number) => void): tus.UploadOptions => ({
    endpoint: `${base}/api/uploads`,
    chunkSize: 5 * 1024 * 1024,
    headers: { cookie },
    metadata: { filename: 'lecture-large.mp4', filetype: 'video/mp4', chapter_id: chapterId },
    retryDelays: [],
    onProgress,
    onAfterResponse: (_req, res) => {
      const id = res.getHeader('Reel-Video-Id');
      if (id) videoId = id;
    },
  });

  // First attempt: abort once at least half the bytes are on the server.
  await new Promise<void>((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(createReadStream(path), {
      ...options(() => {}),
      uploadSize: size,
      onChunkComplete: (_chunk, accepted) => {
        if (accepted >= size / 2) {
          uploadUrl = upload.url!;
          upload.abort(false).then(() => resolve(), reject);
        }
      },
      onError: reject,
      onSuccess: () => reject(new Error('the upload finished before it could be aborted')),
    });
    upload.start();
  });
  expect(uploadUrl).toContain('/api/uploads/');
  expect(videoId).not.toBe('');

  const head = await fetch(uploadUrl, { method: 'HEAD', headers: { cookie, 'Tus-Resumable': '1.0.0' } });
  const serverOffset = Number(head.headers.get('upload-offset'));
  expect(serverOffset).toBeGreaterThanOrEqual(size / 2);
  expect(serverOffset).toBeLessThan(size);

  // Second attempt: the same file, resumed from the server's offset rather than from zero.
  let firstProgress = -1;
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(path), {
      ...options((sent) => { if (firstProgress < 0) firstProgress = sent; }),
      uploadSize: size,
      uploadUrl,
      onError: reject,
      onSuccess: () => resolve(),
    });
    upload.start();
  });
  expect(firstProgress).toBeGreaterThanOrEqual(serverOffset);

  // Processing finishes; the display URL serves exactly the file's bytes.
  let video: any;
  await expect.poll(async () => {
    video = await (await fetch(`${base}/api/videos/${videoId}`, { headers: { cookie } })).json();
    return video.status;
  }, { timeout: 60_000 }).toBe('ready');
  expect(video.size_bytes).toBe(size);
  expect(video.duration_ms).toBeGreaterThan(10_000);
  expect(video.width).toBe(1280);
  const served = await fetch(`${base}${video.display_url}`);
  expect(served.status).toBe(200);
  const digest = createHash('sha256').update(Buffer.from(await served.arrayBuffer())).digest('hex');
  expect(digest).toBe(sha256File(path));
});
