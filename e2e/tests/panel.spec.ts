import { expect, test } from './fixtures';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { cancelUpload,
  onceMore,
  answerLeaveSite, copyAs, cutNetwork, createdVideoIds, DEMO_COURSE, hdVideo, holdPatchPast, largeVideo, openChapter,
  rememberedUploads, serverOffset, sha256File, smallVideo, snapBoth, throttleUploads, uploadRow, useChunkBytes,
  videoRow,
} from './helpers';

const MiB = 1024 * 1024;

test('one upload panel for the whole app: progress stays in view on other pages and says where each file goes', async ({ page }, testInfo) => {
  const file = copyAs(largeVideo(20), 'panel-across-pages.mp4');
  await openChapter(page);
  // 1 MiB/s: 20 s of sending, so the upload is still on its way after two page changes even
  // on a busy machine; the throttle is lifted once the panel has been seen moving.
  await throttleUploads(page, 1 * MiB);
  await page.getByTestId('file-input').setInputFiles(file);
  const row = uploadRow(page, 'panel-across-pages.mp4');
  await expect(row.getByRole('link', { name: 'Getting started' })).toBeVisible();

  // Another chapter, then the course list: the same panel, still moving.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: DEMO_COURSE }).click();
  await page.getByRole('main').getByTestId('chapter').getByRole('link', { name: 'Lighting and sound' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Lighting and sound' })).toBeVisible();
  const panel = page.getByTestId('upload-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('tray-summary')).toHaveText(/^1 uploading/);
  const at = Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow'));
  await expect.poll(async () => Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow'))).toBeGreaterThan(at);
  // Sizes and speeds in one unit system.
  await expect(row.getByTestId('upload-detail')).toContainText(/MiB of 2\d(\.\d)? MiB · [\d.]+ (MiB|KiB)\/s/);
  await snapBoth(page, testInfo, 'upload-panel-other-chapter');
  await page.getByRole('link', { name: 'Reel' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your courses' })).toBeVisible();
  await expect(row).toBeVisible();
  // The row's link goes back to its chapter.
  await row.getByRole('link', { name: 'Getting started' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Getting started' })).toBeVisible();
  await throttleUploads(page, null);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 60_000 });
});

test('leaving or reloading the page while uploading asks first', async ({ page }) => {
  const file = copyAs(largeVideo(20), 'leave-guard.mp4');
  await openChapter(page);
  await throttleUploads(page, MiB);
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(uploadRow(page, 'leave-guard.mp4').getByTestId('upload-status')).toHaveText('Uploading');

  // "Stay": the reload does not happen and the upload goes on.
  const asked = page.waitForEvent('dialog');
  const reload = page.reload({ timeout: 3_000 }).catch(() => 'stayed');
  const dialog = await asked;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.dismiss();
  expect(await reload).toBe('stayed');
  await expect(uploadRow(page, 'leave-guard.mp4').getByTestId('upload-status')).toHaveText('Uploading');

  // Nothing uploading: no question.
  await cancelUpload(page, uploadRow(page, 'leave-guard.mp4'));
  await expect(page.getByTestId('upload-row')).toHaveCount(0);
  let questions = 0;
  page.on('dialog', (d) => { questions++; void d.accept(); });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Getting started' })).toBeVisible();
  expect(questions).toBe(0);
});

test('after a reload, unfinished uploads are listed; Resume matches the file by fingerprint, Discard ends it', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const file = copyAs(largeVideo(20), 'resume-list.mp4');
  const other = copyAs(largeVideo(20), 'resume-list-other.mp4');
  const discard = copyAs(largeVideo(20), 'discard-me.mp4');
  await openChapter(page);
  await useChunkBytes(page, MiB);
  const hold = await holdPatchPast(page, statSync(file).size, 0.25);
  await page.getByTestId('file-input').setInputFiles([file, discard]);
  await hold.held;
  await expect.poll(async () => (await rememberedUploads(page)).length).toBe(2);

  answerLeaveSite(page);
  await page.reload();
  await hold.release();
  const row = uploadRow(page, 'resume-list.mp4');
  await expect(row.getByTestId('upload-status')).toHaveText('Unfinished');
  await expect(row.getByTestId('upload-detail')).toContainText('on the server');
  // One notice says what to do, not every row.
  await expect(page.getByTestId('unfinished-note')).toHaveCount(1);
  await expect(page.getByTestId('unfinished-note')).toContainText('choose each file again');
  const shown = Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow'));
  expect(shown).toBeGreaterThan(20);
  await expect(uploadRow(page, 'discard-me.mp4').getByTestId('upload-status')).toHaveText('Unfinished');
  // No client is sending it now: the library does not pretend it is uploading.
  await expect(videoRow(page, 'resume-list')).toContainText('Upload unfinished');
  await expect(videoRow(page, 'resume-list').getByTestId('video-facts')).not.toContainText('uploaded');
  await expect(page.getByTestId('video-unfinished')).toHaveCount(1);
  await snapBoth(page, testInfo, 'upload-resume-list');

  // A different file is refused, saying which one is needed.
  let chooser = page.waitForEvent('filechooser');
  await row.getByRole('button', { name: 'Resume resume-list.mp4: choose the file again' }).click();
  await (await chooser).setFiles(other);
  await expect(row.getByTestId('upload-note')).toContainText('is not the file this upload started with');
  await expect(row.getByTestId('upload-note')).toContainText('Choose “resume-list.mp4”');
  await expect(row.getByTestId('upload-status')).toHaveText('Unfinished');

  // The right file continues from the server's offset.
  const [entry] = (await rememberedUploads(page)).filter((u) => u.url);
  const offsets = await Promise.all((await rememberedUploads(page)).map((u) => serverOffset(page, u.url)));
  const firstPatch = page.waitForRequest((r) => r.method() === 'PATCH');
  chooser = page.waitForEvent('filechooser');
  await row.getByRole('button', { name: 'Resume resume-list.mp4: choose the file again' }).click();
  await (await chooser).setFiles(file);
  expect(offsets).toContain(Number((await firstPatch).headers()['upload-offset']));
  expect(Number((await firstPatch).headers()['upload-offset'])).toBeGreaterThan(0);
  await expect(videoRow(page, 'resume-list').locator('.badge')).toHaveText(/Uploading|Processing|Ready/);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 90_000 });
  expect(entry).toBeTruthy();

  // Discard terminates the other on the server.
  const left = await rememberedUploads(page);
  expect(left).toHaveLength(1);
  const ended = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(left[0].url));
  await uploadRow(page, 'discard-me.mp4').getByRole('button', { name: 'Discard discard-me.mp4' }).click();
  expect((await ended).status()).toBe(204);
  await expect(uploadRow(page, 'discard-me.mp4')).toHaveCount(0);
  await expect.poll(() => serverOffset(page, left[0].url)).toBeNull();
  await expect.poll(() => rememberedUploads(page)).toEqual([]);
});

test('offline: the panel says so, shows the next try, and resumes the moment the connection is back', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const file = copyAs(largeVideo(20), 'offline-lecture.mp4');
  await openChapter(page);
  await useChunkBytes(page, MiB);
  const ids = createdVideoIds(page);
  await throttleUploads(page, 2 * MiB);
  await page.getByTestId('file-input').setInputFiles(file);
  const row = uploadRow(page, 'offline-lecture.mp4');
  await expect.poll(async () => Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow'))).toBeGreaterThan(10);

  await cutNetwork(page, true);
  await expect(page.getByTestId('offline-note')).toHaveText("You're offline — uploads continue when the connection is back.");
  await expect(row.getByTestId('upload-status')).toHaveText('Offline — waiting');
  await expect(row.getByTestId('upload-detail')).toContainText(/continues when the connection is back \(retrying in \d+ s\)/);
  await snapBoth(page, testInfo, 'upload-offline');
  // Longer than any backoff's first step: coming back must not wait for a timer.
  await page.waitForTimeout(3_000);
  const back = Date.now();
  // Tries made while offline fail; the first one that gets through is the resumption.
  const resumed = page.waitForEvent('requestfinished', (r) => r.method() === 'PATCH' || r.method() === 'HEAD');
  await cutNetwork(page, false);
  await resumed;
  // At once, not after a backoff timer (those run to 16 s); a loaded machine may take a moment.
  expect(Date.now() - back).toBeLessThan(5_000);
  await expect(page.getByTestId('offline-note')).toHaveCount(0);
  await throttleUploads(page, null);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 90_000 });
  const video = await (await onceMore(() => page.request.get(`/api/videos/${ids[0]}`))).json();
  const served = await onceMore(() => page.request.get(video.display_url));
  expect(createHash('sha256').update(await served.body()).digest('hex')).toBe(sha256File(file));
});

test('a server in trouble: the row counts down to the next try', async ({ page }, testInfo) => {
  const file = copyAs(hdVideo('two-seconds.mp4', 2), 'retry-clock.mp4');
  await openChapter(page);
  let refusals = 0;
  await page.route('**/api/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH' && refusals < 3) {
      refusals++;
      await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'unavailable', message: 'Reel is busy right now.' }) });
      return;
    }
    await route.fallback();
  });
  await page.getByTestId('file-input').setInputFiles(file);
  const row = uploadRow(page, 'retry-clock.mp4');
  await expect(row.getByTestId('upload-status')).toHaveText('Connection lost — retrying');
  await expect(row.getByTestId('upload-detail')).toContainText(/· retrying in \d+ s$/);
  await snapBoth(page, testInfo, 'upload-retrying');
  await expect(row.getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 30_000 });
});

test('a file that is not a video is refused before it is sent; the same file twice asks "Upload again?"', async ({ page }, testInfo) => {
  await openChapter(page);
  const posts: string[] = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/uploads')) posts.push(r.url()); });
  await page.getByTestId('file-input').setInputFiles({ name: 'slides.mp4', mimeType: 'video/mp4', buffer: Buffer.from('%PDF-1.7 these are slides '.repeat(100)) });
  const slides = uploadRow(page, 'slides.mp4');
  await expect(slides.getByTestId('upload-status')).toHaveText("Can't upload");
  await expect(slides.getByTestId('upload-detail')).toContainText('This file is not a video');
  expect(posts).toHaveLength(0);

  const clip = copyAs(smallVideo('library-clip.mp4', 2), 'twice.mp4');
  await page.getByTestId('file-input').setInputFiles(clip);
  await expect(uploadRow(page, 'twice.mp4').getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 30_000 });
  await expect(videoRow(page, 'twice')).toBeVisible();
  expect(posts).toHaveLength(1);

  await page.getByTestId('file-input').setInputFiles(clip);
  const dialog = page.getByRole('dialog', { name: 'Upload “twice.mp4” again?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('already in Getting started');
  await snapBoth(page, testInfo, 'upload-again-question');
  await dialog.getByRole('button', { name: 'Skip' }).click();
  await expect(dialog).toHaveCount(0);
  expect(posts).toHaveLength(1);

  await page.getByTestId('file-input').setInputFiles(clip);
  await page.getByRole('dialog').getByRole('button', { name: 'Upload again' }).click();
  await expect(page.getByTestId('upload-row').filter({ hasText: 'twice.mp4' })).toHaveCount(2);
  await expect.poll(() => posts.length).toBe(2);
});
