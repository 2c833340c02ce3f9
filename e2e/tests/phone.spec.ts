import { expect, test } from './fixtures';
import { cancelUpload,
  copyAs, DEMO_COURSE, expectAccessible, largeVideo, PHONE, seedChapter, signIn, snap, throttleUploads,
  uploadRow, videoRow,
} from './helpers';

// A phone: 390×844, touch, no mouse.
test.use({ viewport: PHONE, hasTouch: true, isMobile: true });

const MiB = 1024 * 1024;

test('on a phone: "Choose videos" without drag and drop, upload rows fit their card, rows show a poster', async ({ page }, testInfo) => {
  await signIn(page);
  await seedChapter(page, 'Getting started', ['phone-poster']);
  await page.getByRole('main').getByRole('link', { name: DEMO_COURSE }).first().click();
  await page.getByRole('main').getByTestId('chapter').getByRole('link', { name: 'Getting started' }).click();
  const dropzone = page.getByTestId('dropzone');
  await expect(dropzone).toContainText(/up to .+ each/);
  await expect(dropzone).not.toContainText('Drag and drop');
  await expect(dropzone.getByRole('button', { name: 'Choose videos', exact: true })).toBeVisible();

  await throttleUploads(page, MiB);
  await page.getByTestId('file-input').setInputFiles(copyAs(largeVideo(20), 'a-rather-long-lecture-file-name-on-a-phone.mp4'));
  const row = uploadRow(page, 'a-rather-long-lecture-file-name-on-a-phone.mp4');
  await expect(row.getByTestId('upload-status')).toHaveText('Uploading');
  // The status is whole (not clipped), and the bar stays inside the card.
  const status = row.getByTestId('upload-status');
  expect(await status.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  const card = (await row.boundingBox())!;
  for (const part of [status, row.getByTestId('upload-progress'), row.getByRole('button', { name: /^Cancel/ })]) {
    const box = (await part.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(card.x);
    expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

  // A row shows a small poster beside its title, not a full-width player.
  const video = videoRow(page, 'phone-poster');
  const poster = (await video.getByRole('button', { name: 'Play phone-poster' }).boundingBox())!;
  expect(poster.width).toBeLessThan(PHONE.width / 2);
  await expect(page.locator('.video-list video[controls]')).toHaveCount(0);
  // Touch targets: 24 px at least; Rename beside the title it renames, not under it.
  for (const target of [video.getByTestId('video-select'), page.getByTestId('select-all'), video.getByRole('button', { name: /^Rename/ })]) {
    const box = (await target.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
  }
  const title = (await video.locator('.video-title').boundingBox())!;
  const rename = (await video.getByRole('button', { name: /^Rename/ }).boundingBox())!;
  expect(rename.y).toBeLessThan(title.y + title.height);
  await expectAccessible(page, 'phone chapter');
  await snap(page, testInfo, 'phone-chapter');

  await cancelUpload(page, row);
  await expect(row).toHaveCount(0);

  // The add-chapter field is wide enough for its placeholder.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: DEMO_COURSE }).click();
  const field = page.getByLabel('Add a chapter');
  expect(await field.evaluate((el: HTMLInputElement) => {
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = getComputedStyle(el).font;
    return ctx.measureText(el.placeholder).width <= el.clientWidth - 16;
  })).toBe(true);
});
