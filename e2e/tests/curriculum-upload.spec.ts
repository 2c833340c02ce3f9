import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { copyAs, createCourse, expectAccessible, hdVideo, runTag, signIn, smallVideo, snapBoth, throttleUploads, uploadRow, videoRow } from './helpers';

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
