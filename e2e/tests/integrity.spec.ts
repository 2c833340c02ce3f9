import { expect, test } from './fixtures';
import { writeFileSync, readFileSync } from 'node:fs';
import { cancelUpload,
  answerLeaveSite, copyAs, createdVideoIds, largeVideo, openChapter, rowTitles, smallVideo, snapBoth, throttleUploads,
  uploadRow, videoRow, videoStatus,
} from './helpers';

const MiB = 1024 * 1024;

// Uploads here crawl at 1 MiB/s through the browser's own throttling, so a PATCH is on its
// way into the server (holding the upload) when the test acts.
const CRAWL = 1 * MiB;

test('Cancel during a PATCH ends the upload on the server: no "Uploading" ghost, not even after a reload', async ({ page }, testInfo) => {
  const file = copyAs(largeVideo(20), 'cancel-in-flight.mp4');
  await openChapter(page);
  const ids = createdVideoIds(page);
  await throttleUploads(page, CRAWL);
  const patching = page.waitForRequest((r) => r.method() === 'PATCH');
  await page.getByTestId('file-input').setInputFiles(file);
  await patching;
  const row = uploadRow(page, 'cancel-in-flight.mp4');
  await expect.poll(async () => Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow'))).toBeGreaterThan(2);
  await expect(videoRow(page, 'cancel-in-flight')).toBeVisible();

  const ended = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes('/api/uploads/'));
  await cancelUpload(page, row);
  expect((await ended).status()).toBe(204);
  await expect(row).toHaveCount(0);
  // The library drops it without a reload, and the server agrees.
  await expect(videoRow(page, 'cancel-in-flight')).toHaveCount(0);
  expect(await videoStatus(page, ids[0])).toBeNull(); // ended uploads are "not found"

  answerLeaveSite(page);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Getting started' })).toBeVisible();
  await expect(page.getByTestId('video-row').first().or(page.getByTestId('videos-empty'))).toBeVisible();
  expect(await rowTitles(page)).not.toContain('cancel-in-flight');
  await snapBoth(page, testInfo, 'cancel-leaves-no-ghost');
});

test('Cancel all ends every upload at once and leaves no stale rows', async ({ page }, testInfo) => {
  const files = [copyAs(largeVideo(20), 'cancel-all-1.mp4'), copyAs(largeVideo(20), 'cancel-all-2.mp4')];
  await openChapter(page);
  const ids = createdVideoIds(page);
  await throttleUploads(page, CRAWL);
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(videoRow(page, 'cancel-all-1')).toBeVisible();
  await expect(videoRow(page, 'cancel-all-2')).toBeVisible();
  await expect.poll(() => ids.length).toBe(2);

  await snapBoth(page, testInfo, 'cancel-all-before');
  await page.getByRole('button', { name: 'Cancel all' }).click();
  // Cancel asks first (what was sent is deleted), with the safe answer focused.
  const question = page.getByTestId('cancel-question');
  await expect(question).toContainText('Cancel 2 uploads?');
  await expect(question.getByRole('button', { name: 'Keep uploading' })).toBeFocused();
  await question.getByRole('button', { name: 'Cancel all' }).click();
  await expect(page.getByTestId('upload-row')).toHaveCount(0);
  await expect(videoRow(page, 'cancel-all-1')).toHaveCount(0);
  await expect(videoRow(page, 'cancel-all-2')).toHaveCount(0);
  for (const id of ids) await expect.poll(() => videoStatus(page, id)).toBeNull();
});

test('deleting a video that is still uploading stops the upload, and it never comes back', async ({ page }, testInfo) => {
  const file = copyAs(largeVideo(20), 'delete-while-uploading.mp4');
  await openChapter(page);
  const ids = createdVideoIds(page);
  await throttleUploads(page, CRAWL);
  await page.getByTestId('file-input').setInputFiles(file);
  const library = videoRow(page, 'delete-while-uploading');
  await expect(library).toBeVisible();
  await expect(library).toContainText('Uploading');
  let patchesAfterDelete = 0;
  let deleted = false;
  page.on('request', (r) => { if (deleted && r.method() === 'PATCH') patchesAfterDelete++; });

  await library.getByRole('button', { name: 'Delete delete-while-uploading' }).click();
  deleted = true;
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 1 video.' })).toBeVisible();
  // The upload stops in the browser too: its row leaves the panel and no more bytes go out.
  await expect(uploadRow(page, 'delete-while-uploading.mp4')).toHaveCount(0);
  await snapBoth(page, testInfo, 'delete-while-uploading');
  await throttleUploads(page, null);
  await page.waitForTimeout(2_000);
  expect(patchesAfterDelete).toBe(0);
  expect(await videoStatus(page, ids[0])).toBeNull();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Getting started' })).toBeVisible();
  await page.waitForTimeout(500);
  expect(await rowTitles(page)).not.toContain('delete-while-uploading');
  expect(await videoStatus(page, ids[0])).toBeNull();
});

test('Undo of a video deleted while it uploads brings its upload back, going on from what the server kept', async ({ page }) => {
  const file = copyAs(largeVideo(20), 'undo-while-uploading.mp4');
  await openChapter(page);
  const ids = createdVideoIds(page);
  await throttleUploads(page, CRAWL);
  await page.getByTestId('file-input').setInputFiles(file);
  const library = videoRow(page, 'undo-while-uploading');
  await expect(library).toContainText('Uploading');
  const row = uploadRow(page, 'undo-while-uploading.mp4');
  await expect.poll(async () => Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(3);

  await library.getByRole('button', { name: 'Delete undo-while-uploading' }).click();
  const toast = page.getByRole('status').filter({ hasText: 'Deleted 1 video.' });
  await expect(toast).toBeVisible();
  await expect(row).toHaveCount(0);
  expect(await videoStatus(page, ids[0])).toBeNull();

  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('.toasts')).toContainText('Restored 1 video.');
  // The row is back in the tray, uploading, not failed; the video is "uploading" again.
  await expect(row.getByTestId('upload-status')).toHaveText('Uploading');
  expect(await videoStatus(page, ids[0])).toBe('uploading');
  await throttleUploads(page, null);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 60_000 });
  await expect(library.locator('.badge')).toHaveText('Ready', { timeout: 60_000 });
});

test('a file the server cannot read as a video shows as failed in the list at once, without a reload', async ({ page }, testInfo) => {
  // Starts like an MP4 (the browser's sniff lets it through), then is not one.
  const real = readFileSync(smallVideo('library-clip.mp4', 2));
  const broken = Buffer.concat([real.subarray(0, 32), Buffer.alloc(MiB, 7)]);
  writeFileSync('.cache/broken-lecture.mp4', broken);
  await openChapter(page);
  await page.getByTestId('file-input').setInputFiles('.cache/broken-lecture.mp4');
  const row = uploadRow(page, 'broken-lecture.mp4');
  await expect(row.getByTestId('upload-status')).toHaveText('Failed', { timeout: 30_000 });
  await expect(videoRow(page, 'broken-lecture')).toContainText('Failed');
  await expect(videoRow(page, 'broken-lecture').locator('.video-error')).not.toBeEmpty();
  await snapBoth(page, testInfo, 'upload-failed-in-list');
});
