import { expect, test } from './fixtures';
import { createHash } from 'node:crypto';
import { writeFileSync, existsSync, openSync, closeSync, ftruncateSync, statSync } from 'node:fs';
import {
  onceMore,
  answerLeaveSite, copyAs, hdVideo, holdPatchPast, largeVideo, openChapter, openOwnChapter, rememberedUploads, runTag, serverOffset, sha256File, slowPatches, snap,
  uploadRow, useChunkBytes, videoRow,
} from './helpers';

const MiB = 1024 * 1024;

test('three files chosen at once queue at once, show moving progress and land in the list with durations', async ({ page }, testInfo) => {
  // The server checks the three files one after another (sha256 and probe of each).
  test.setTimeout(120_000);
  const files = [hdVideo('two-seconds.mp4', 2), hdVideo('three-seconds.mp4', 3), hdVideo('four-seconds.mp4', 4)];
  await openChapter(page);
  await useChunkBytes(page, 512 * 1024);
  await slowPatches(page, 120);
  let created = 0;
  page.on('response', (r) => { if (r.request().method() === 'POST' && r.url().endsWith('/api/uploads')) created++; });
  // Hold the creation requests until the rows have been looked at, so "before the first
  // request completes" is observable however slow the machine is (a fixed delay was not).
  let releaseCreations!: () => void;
  const creationsHeld = new Promise<void>((r) => { releaseCreations = r; });
  await page.route('**/api/uploads', async (route) => {
    if (route.request().method() === 'POST') await creationsHeld;
    await route.continue();
  });

  await page.getByTestId('file-input').setInputFiles(files);

  await expect(page.getByTestId('upload-row')).toHaveCount(3);
  for (const name of ['two-seconds.mp4', 'three-seconds.mp4', 'four-seconds.mp4']) {
    await expect(uploadRow(page, name)).toBeVisible();
  }
  expect(created).toBe(0);
  releaseCreations();

  // The batch bar moves through several values on its way to 100.
  const batch = page.getByTestId('batch-progress');
  const seen = new Set<number>();
  for (let i = 0; i < 80 && !seen.has(100); i++) {
    const value = Number(await batch.getAttribute('aria-valuenow'));
    seen.add(value);
    if (value > 20 && value < 70 && !testInfo.attachments.some((a) => a.name === 'upload-queue-progress')) {
      await snap(page, testInfo, 'upload-queue-progress');
    }
    await page.waitForTimeout(100);
  }
  const values = [...seen].sort((a, b) => a - b);
  expect(values.filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(3);

  // Other specs share this server and chapter: look at these three rows only.
  for (const [title, duration] of [['two-seconds', '0:02'], ['three-seconds', '0:03'], ['four-seconds', '0:04']]) {
    const row = videoRow(page, title);
    await expect(row).toHaveCount(1, { timeout: 60_000 });
    await expect(row.getByTestId('video-facts')).toContainText(duration);
  }
  await expect(page.getByTestId('upload-status')).toHaveText(['Uploaded', 'Uploaded', 'Uploaded']);
  await expect(page.getByTestId('upload-announcer')).toContainText('uploaded and ready');
  await snap(page, testInfo, 'upload-queue-done');
  // The poster opens the player, which plays from the display URL and can seek (this test's own
  // video: the chapter's first row depends on what other specs uploaded before, and how far
  // down the list it is decides whether its poster shows a frame).
  await videoRow(page, 'two-seconds').getByRole('button', { name: 'Play two-seconds' }).click();
  const player = page.getByRole('dialog', { name: 'two-seconds' });
  const seekable = await player.getByTestId('player-video').evaluate(async (v: HTMLVideoElement) => {
    if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
    v.pause();
    v.currentTime = 1;
    await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
    return { duration: v.duration, at: v.currentTime };
  });
  await page.keyboard.press('Escape');
  await expect(player).toHaveCount(0);
  expect(seekable.duration).toBeGreaterThan(1.5);
  expect(seekable.at).toBeGreaterThan(0.5);
});

test('pause lets the chunk in flight land, resume continues from the server offset; cancel asks, then terminates the upload on the server', async ({ page }, testInfo) => {
  const file = largeVideo(20);
  await openChapter(page);
  await useChunkBytes(page, MiB);
  await slowPatches(page, 150);
  // Pause while a chunk is held on its way: it is about to land, so pausing lets it land
  // rather than throwing it away.
  const hold = await holdPatchPast(page, statSync(file).size, 0.2);
  await page.getByTestId('file-input').setInputFiles(file);
  const row = uploadRow(page, 'lecture-20mib.mp4');
  const held = await hold.held;
  await expect.poll(async () => Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow'))).toBeGreaterThan(15);

  await row.getByRole('button', { name: /^Pause/ }).click();
  await expect(row.getByTestId('upload-status')).toHaveText('Paused');
  const [upload] = await rememberedUploads(page);
  const heldAt = Number(held.headers()['upload-offset']);
  expect(await serverOffset(page, upload.url)).toBe(heldAt);
  await hold.release();
  // The held chunk lands; nothing after it is sent while paused.
  const paused = heldAt + MiB;
  await expect.poll(() => serverOffset(page, upload.url)).toBe(paused);
  await page.waitForTimeout(500);
  expect(await serverOffset(page, upload.url)).toBe(paused);
  await expect(row.getByTestId('upload-detail')).toContainText(`${paused / MiB} MiB of`);
  await snap(page, testInfo, 'upload-paused');

  const nextPatch = page.waitForRequest((r) => r.method() === 'PATCH');
  await row.getByRole('button', { name: /^Resume/ }).click();
  expect(Number((await nextPatch).headers()['upload-offset'])).toBe(paused);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploading');

  // Cancel asks; keeping on changes nothing.
  await row.getByRole('button', { name: /^Cancel/ }).click();
  const question = page.getByTestId('cancel-question');
  await expect(question).toContainText('Cancel the upload of lecture-20mib.mp4?');
  await question.getByRole('button', { name: 'Keep uploading' }).click();
  await expect(question).toHaveCount(0);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploading');
  const termination = page.waitForRequest((r) => r.method() === 'DELETE' && r.url().endsWith(upload.url));
  await row.getByRole('button', { name: /^Cancel/ }).click();
  await question.getByRole('button', { name: 'Cancel upload' }).click();
  await termination;
  await expect(row).toHaveCount(0);
  await expect.poll(() => serverOffset(page, upload.url)).toBeNull();
  await expect.poll(() => rememberedUploads(page)).toEqual([]);
});

test('requests aborted mid-upload are retried and the stored bytes equal the file', async ({ page }) => {
  // Three backoff waits (up to 1.5 s, 3 s and 1.5 s) on top of the upload and the server's check.
  test.setTimeout(120_000);
  // A chapter and a file name of this run's own: the same file already in the chapter would
  // ask "Upload again?" instead of uploading.
  const name = `aborted-${runTag()}.mp4`;
  const file = copyAs(largeVideo(20), name);
  const chunk = 2 * MiB;
  const chunks = Math.ceil(statSync(file).size / chunk);
  // The upload must still be under way at PATCH #6 (#2 and #3 carry the same chunk, so #6 is
  // the 4th chunk's first try), or it could end before the third abort.
  expect(chunks).toBeGreaterThanOrEqual(6);
  const timings: string[] = [];
  page.on('console', (m) => { if (m.text().startsWith('reel:')) timings.push(m.text()); });
  await openOwnChapter(page, 'Flaky network', 'Aborted requests');
  await useChunkBytes(page, chunk);
  // The upload's own video ID, from the creation answer: other uploads in this chapter (other
  // tests, other specs) may share the title.
  let videoId = '';
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && r.url().endsWith('/api/uploads') && r.status() === 201) {
      videoId = r.headers()['reel-video-id'] ?? '';
    }
  });
  // PATCHes #2, #3 (the retry of #2) and #6 are cut off before they reach the server, so the
  // server never sees them: every chunk is sent once more, and nothing else is resent.
  let patches = 0;
  let aborted = 0;
  await page.route('**/api/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH' && [2, 3, 6].includes(++patches)) {
      aborted++;
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });
  await page.getByTestId('file-input').setInputFiles(file);
  const row = uploadRow(page, name);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 90_000 });
  expect(aborted).toBe(3);
  expect(patches).toBe(chunks + aborted);
  // The uploader reports what the per-chunk sha256 cost (the note in BENCHMARKS.md quotes it).
  console.log(timings.join('\n'));
  expect(timings.some((t) => t.includes('checksums took'))).toBe(true);

  expect(videoId).not.toBe('');
  const video = await (await onceMore(() => page.request.get(`/api/videos/${videoId}`))).json();
  expect(video.status).toBe('ready');
  const served = await onceMore(() => page.request.get(video.display_url));
  const digest = createHash('sha256').update(await served.body()).digest('hex');
  expect(digest).toBe(sha256File(file));
});

test('after a reload mid-upload, choosing the same file continues from a non-zero offset', async ({ page }, testInfo) => {
  // The rest of a 20 MiB upload, then the server's sha256 and probe of the whole file.
  test.setTimeout(120_000);
  const file = copyAs(largeVideo(20), 'lecture-reloaded.mp4');
  await openChapter(page);
  await useChunkBytes(page, MiB);
  await slowPatches(page, 150);
  // Reload while a chunk is held in the browser, so no chunk is half way into the server (it
  // would move the offset after we read it).
  const hold = await holdPatchPast(page, statSync(file).size, 0.25);
  await page.getByTestId('file-input').setInputFiles(file);
  const row = uploadRow(page, 'lecture-reloaded.mp4');
  const held = await hold.held;
  await expect.poll(async () => Number(await row.getByTestId('upload-progress').getAttribute('aria-valuenow'))).toBeGreaterThan(20);

  answerLeaveSite(page);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Getting started' })).toBeVisible();
  await hold.release();
  const [upload] = await rememberedUploads(page);
  const offset = await serverOffset(page, upload.url);
  expect(offset).toBeGreaterThan(0);
  expect(offset).toBe(Number(held.headers()['upload-offset']));
  // The limit is asked for again after the reload; the file is checked against it.
  await expect(page.getByTestId('dropzone')).toContainText(/up to .+ each/);

  const firstPatch = page.waitForRequest((r) => r.method() === 'PATCH');
  await page.getByTestId('file-input').setInputFiles(file);
  expect(Number((await firstPatch).headers()['upload-offset'])).toBe(offset);
  await expect(uploadRow(page, 'lecture-reloaded.mp4').getByTestId('upload-detail')).toContainText('resumed at');
  await expect(page.getByTestId('upload-row')).toHaveCount(1);
  await snap(page, testInfo, 'upload-resumed');
  await expect(uploadRow(page, 'lecture-reloaded.mp4').getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 90_000 });
  expect(await rememberedUploads(page)).toEqual([]);
});

test('a text file named .mp4 and a file over the limit are refused before upload', async ({ page }, testInfo) => {
  const text = '.cache/notes.mp4';
  writeFileSync(text, 'These are my lecture notes. '.repeat(200));
  const huge = '.cache/too-big.mp4';
  if (!existsSync(huge)) {
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 201 * MiB); // the e2e server's limit is 200 MiB (scripts/e2e.sh)
    closeSync(fd);
  }
  await openChapter(page);
  const creations: string[] = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/uploads')) creations.push(r.url()); });

  await page.getByTestId('file-input').setInputFiles(huge);
  const big = uploadRow(page, 'too-big.mp4');
  await expect(big.getByTestId('upload-status')).toHaveText("Can't upload");
  await expect(big.getByTestId('upload-detail')).toContainText('the limit is 200 MiB');
  expect(creations).toHaveLength(0);

  await page.getByTestId('file-input').setInputFiles(text);
  const notes = uploadRow(page, 'notes.mp4');
  await expect(notes.getByTestId('upload-status')).toHaveText("Can't upload");
  // The browser reads the first bytes: the server's own words, and nothing was sent.
  await expect(notes.getByTestId('upload-detail')).toContainText('This file is not a video');
  await expect(notes.getByRole('button', { name: /^Retry/ })).toHaveCount(0);
  await expect(page.getByTestId('upload-announcer')).toContainText("notes.mp4 can't be uploaded");
  expect(creations).toHaveLength(0);
  await snap(page, testInfo, 'upload-refusals');
  // Neither can succeed by trying again, so both clear away with the finished rows.
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await expect(page.getByTestId('upload-row')).toHaveCount(0);
});

test('a crash shows a friendly panel with a way to reload', async ({ page }, testInfo) => {
  await page.goto('/_/panic');
  const panel = page.getByRole('alertdialog', { name: 'Something went wrong' });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Reload Reel' })).toBeFocused();
  await snap(page, testInfo, 'crash-panel');
  // The button reloads the page (the app's CSP refuses inline handlers, so it must not be one).
  const refused: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
  await page.evaluate(() => { (window as unknown as { beforeReload: boolean }).beforeReload = true; });
  await Promise.all([page.waitForEvent('load'), panel.getByRole('button', { name: 'Reload Reel' }).click()]);
  expect(await page.evaluate(() => (window as unknown as { beforeReload?: boolean }).beforeReload)).toBeUndefined();
  expect(refused).toEqual([]);
});

test('the uploader works from the keyboard: Tab to "Choose videos", Enter opens the picker', async ({ page }) => {
  const file = hdVideo('keyboard.mp4', 2);
  await openChapter(page);
  const choose = page.getByRole('button', { name: 'Choose videos', exact: true });
  for (let i = 0; i < 20 && !(await choose.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(choose).toBeFocused();
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(file);
  await expect(uploadRow(page, 'keyboard.mp4').getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 50_000 });
  // Each row's controls are real buttons with names that say which file they act on.
  // Everything done: the tray collapses by itself to its summary, and opens from the keyboard.
  const toggle = page.getByTestId('tray-toggle');
  await expect(page.getByTestId('tray-summary')).toHaveText('1 uploaded');
  await expect(toggle).toHaveText('Show uploads');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Clear finished' })).toBeVisible();
  await page.getByRole('button', { name: 'Close the uploads' }).click();
  await expect(page.getByTestId('upload-panel')).toHaveCount(0);
});
