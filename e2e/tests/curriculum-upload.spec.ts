import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { copyAs, createCourse, expectAccessible, hdVideo, largeVideo, rememberedUploads, runTag, seedVideos, serverOffset, signIn, smallVideo, snapBoth, throttleUploads, uploadRow, videoRow } from './helpers';

// Udemy's curriculum editor adds lecture content inline: so does Reel's course page.
const MiB = 1024 * 1024;

test('from the course page: each chapter card uploads (button or dropped files) and shows its uploads in progress', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const tag = runTag();
  const ids = createCourse(`Inline uploads ${tag}`, 'Shooting');
  await signIn(page);
  await page.goto(`/courses/${ids.courseId}`);
  const card = page.getByTestId('chapter').filter({ hasText: 'Shooting' });
  await expect(card).toContainText('drop lecture videos here or press Upload');

  // The card's Upload button opens a picker; the file goes to that chapter.
  await throttleUploads(page, MiB / 4);
  const chooser = page.waitForEvent('filechooser');
  await card.getByRole('button', { name: 'Upload videos to chapter “Shooting”' }).click();
  await (await chooser).setFiles(copyAs(hdVideo('inline-upload.mp4', 4), `inline-${tag}.mp4`));
  const row = uploadRow(page, `inline-${tag}.mp4`);
  await expect(row.getByRole('link', { name: 'Shooting' })).toBeVisible();
  await expect(card.getByTestId('chapter-uploading')).toHaveText(/^1 uploading · \d+%$/);
  await expectAccessible(page, 'course page uploading');
  await snapBoth(page, testInfo, 'curriculum-card-uploading');
  await throttleUploads(page, null);
  await expect(row.getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 60_000 });
  await expect(card.getByTestId('chapter-uploading')).toHaveCount(0);
  await expect(card.getByTestId('chapter-count')).toHaveText('1 video');

  // Files dragged from the desktop onto a card go into that chapter.
  const clip = readFileSync(copyAs(smallVideo('inline-drop.mp4', 2), `dropped-${tag}.mp4`)).toString('base64');
  const files = await page.evaluateHandle(({ clip, name }) => {
    const bytes = Uint8Array.from(atob(clip), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'video/mp4' }));
    return dt;
  }, { clip, name: `dropped-${tag}.mp4` });
  await card.dispatchEvent('dragover', { dataTransfer: files });
  await expect(card).toHaveClass(/chapter-drop-files/);
  await card.dispatchEvent('drop', { dataTransfer: files });
  await expect(uploadRow(page, `dropped-${tag}.mp4`).getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 60_000 });
  await expect(card.getByTestId('chapter-count')).toHaveText('2 videos');
  await card.getByRole('link', { name: 'Shooting' }).click();
  await expect(videoRow(page, `dropped-${tag}`)).toBeVisible();
  await expect(videoRow(page, `inline-${tag}`)).toBeVisible();
});

test('deleting a chapter while it uploads names the uploads it stops, counts agree, and Undo lets them go on', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const tag = runTag();
  const ids = createCourse(`Held uploads ${tag}`, 'Doomed');
  await signIn(page);
  await seedVideos(page, ids.chapterId, ['already-there']);
  await page.goto(`/courses/${ids.courseId}`);
  const card = page.getByTestId('chapter').filter({ hasText: 'Doomed' });
  await expect(card.getByTestId('chapter-count')).toHaveText('1 video');

  // Two lectures going into the chapter; each sends its first chunk, then its next PATCH waits
  // in the browser (as on a slow link) until the test lets it go.
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  await page.route('**/api/uploads/*', async (route) => {
    const r = route.request();
    if (r.method() === 'PATCH' && Number(r.headers()['upload-offset']) > 0) await released;
    await route.fallback().catch(() => {}); // aborted meanwhile: nothing to send
  });
  const names = [`held-a-${tag}.mp4`, `held-b-${tag}.mp4`];
  const chooser = page.waitForEvent('filechooser');
  await card.getByRole('button', { name: 'Upload videos to chapter “Doomed”' }).click();
  await (await chooser).setFiles(names.map((n) => copyAs(largeVideo(20), n)));
  await expect(card.getByTestId('chapter-uploading')).toHaveText(/^2 uploading/);
  // Both are on the server with some bytes.
  await expect.poll(async () => (await rememberedUploads(page)).length, { timeout: 20_000 }).toBe(2);
  const uploads = await rememberedUploads(page);
  for (const u of uploads) {
    await expect.poll(async () => (await serverOffset(page, u.url)) ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
  }

  // The instructor folds the tray to its one line first (it opens again by itself below).
  await page.getByTestId('tray-toggle').click();
  await expect(page.getByTestId('tray-toggle')).toHaveText('Show uploads');
  // The question counts what the delete takes now and names the uploads it stops.
  await card.getByRole('button', { name: 'Delete chapter “Doomed”' }).click();
  const ask = page.getByRole('dialog', { name: 'Delete “Doomed” and its 3 videos?' });
  await expect(ask).toBeVisible();
  await expect(ask).toContainText(`This stops 2 uploads: ${names[0]}, ${names[1]}.`);
  await expect(ask).toContainText('the uploads go on where they stopped');
  await expectAccessible(page, 'chapter delete question with uploads');
  await snapBoth(page, testInfo, 'chapter-delete-uploading-question');
  const kept = await Promise.all(uploads.map(async (u) => (await serverOffset(page, u.url))!));
  await ask.getByRole('button', { name: 'Delete chapter' }).click();

  // The toast agrees with the question; the uploads leave the tray with the chapter.
  const toasts = page.locator('.toasts');
  await expect(toasts).toContainText('Deleted the chapter “Doomed” and 3 videos. 2 uploads stopped; Undo lets them go on.');
  // The countdown starts from the window the server granted (30 s here), even on a page that
  // has been open for minutes.
  const left = Number((await toasts.getByTestId('toast-countdown').textContent())!.replace(/\D/g, ''));
  expect(left).toBeGreaterThan(20);
  expect(left).toBeLessThanOrEqual(30);
  for (const n of names) await expect(uploadRow(page, n)).toHaveCount(0);
  for (const u of uploads) expect(await serverOffset(page, u.url)).toBeNull();
  await snapBoth(page, testInfo, 'chapter-delete-uploading-deleted');

  // Undo: the chapter comes back, and the uploads go on from what the server kept.
  await toasts.getByRole('button', { name: 'Undo' }).click();
  await expect(toasts).toContainText('Restored the chapter “Doomed”.');
  for (const n of names) await expect(uploadRow(page, n).getByTestId('upload-status')).not.toHaveText(/Failed|Canceled/);
  for (const [i, u] of uploads.entries()) {
    expect(await serverOffset(page, u.url)).toBe(kept[i]);
  }
  // The tray opens again by itself for the uploads that came back.
  await expect(page.getByTestId('tray-toggle')).toHaveText('Hide');
  for (const n of names) await expect(uploadRow(page, n).getByTestId('upload-status')).toHaveText('Uploading');
  await snapBoth(page, testInfo, 'chapter-delete-uploading-undone');
  release();
  for (const n of names) {
    await expect(uploadRow(page, n).getByTestId('upload-status')).toHaveText('Uploaded', { timeout: 90_000 });
  }
  await expect(card.getByTestId('chapter-count')).toHaveText('3 videos');
});
