import { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { writeFileSync } from 'node:fs';
import {
  createCourse,
  cutNetwork, DEMO_COURSE, expectAccessible, instructor, seedChapter, signIn, smallVideo, snapBoth, videoRow, rowTitles,
} from './helpers';

// Keyboard, screen readers and focus, with axe-core on every page and state. This spec works in
// a course of its own, so its chapter counts and rows are its own.

function seedLighting(page: Page, titles: string[]) {
  return seedChapter(page, 'Lighting and sound', titles);
}

async function openLighting(page: Page) {
  await page.getByRole('main').getByRole('link', { name: DEMO_COURSE }).first().click();
  await page.getByRole('main').getByTestId('chapter').getByRole('link', { name: 'Lighting and sound' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Lighting and sound' })).toBeVisible();
}

const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  return el ? `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} ${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}` : '';
});

test('sign-in: axe finds nothing; a failed sign-in puts focus on the field to fix; signed in, /sign-in goes to the courses', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await expect(page).toHaveTitle('Sign in · Reel');
  await expectAccessible(page, 'sign-in');
  await snapBoth(page, testInfo, 'a11y-sign-in');

  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Email')).toBeFocused();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Email').fill(instructor().email);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText("don't match");
  await expect(page.getByLabel('Password')).toBeFocused();
  await expectAccessible(page, 'sign-in error');
  await snapBoth(page, testInfo, 'a11y-sign-in-error');

  await signIn(page);
  await page.goto('/sign-in');
  await expect(page).toHaveURL(/\/courses$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Your courses' })).toBeFocused();
});

test('courses and course pages: titles, focus on the heading, chapter links with video counts, no axe violations', async ({ page }, testInfo) => {
  await signIn(page);
  const [id] = await seedLighting(page, ['count-me']);
  await page.reload();
  await expect(page).toHaveTitle('Your courses · Reel');
  await expect(page.getByRole('heading', { level: 1, name: 'Your courses' })).toBeFocused();
  const card = page.getByTestId('course-card').filter({ hasText: DEMO_COURSE });
  const lighting = card.getByRole('listitem').filter({ hasText: 'Lighting and sound' });
  await expect(lighting.getByRole('link', { name: 'Lighting and sound' })).toBeVisible();
  const count = Number((await lighting.getByTestId('chapter-videos').textContent())!.match(/\d+/)![0]);
  expect(count).toBeGreaterThanOrEqual(1);
  await expectAccessible(page, 'courses');
  await snapBoth(page, testInfo, 'a11y-courses');

  // A route change names the page and moves focus to its heading.
  await card.getByRole('link', { name: DEMO_COURSE }).click();
  await expect(page).toHaveTitle(`${DEMO_COURSE} · Reel`);
  await expect(page.getByRole('heading', { level: 1, name: DEMO_COURSE })).toBeFocused();
  await expect(page.getByTestId('chapter').filter({ hasText: 'Lighting and sound' }).getByTestId('chapter-count')).toContainText(/\d+ videos?/);
  await expectAccessible(page, 'course');
  await snapBoth(page, testInfo, 'a11y-course');

  // The card's chapter link opens the chapter.
  await page.goto('/courses');
  await lighting.getByRole('link', { name: 'Lighting and sound' }).click();
  await expect(page).toHaveTitle('Lighting and sound · Reel');
  await expect(page.getByRole('heading', { level: 1, name: 'Lighting and sound' })).toBeFocused();
  await expect(videoRow(page, 'count-me')).toBeVisible();
  expect(id).toBeTruthy();
});

test('an empty chapter, a load error and the not-found pages have no axe violations', async ({ page }, testInfo) => {
  const { courseId, chapterId: chapter } = createCourse('Empty course', 'Nothing yet');
  await signIn(page);
  await page.goto(`/courses/${courseId}/chapters/${chapter}`);
  await expect(page.getByTestId('videos-empty')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Nothing yet' })).toBeFocused();
  await expectAccessible(page, 'empty chapter');
  await snapBoth(page, testInfo, 'a11y-empty-chapter');

  // The chapter's videos cannot be loaded: the error panel with Try again.
  await page.route('**/api/chapters/*/videos', (route) => route.fulfill({
    status: 503, contentType: 'application/json',
    body: JSON.stringify({ code: 'unavailable', message: 'Reel is busy right now. Try again in a moment.' }),
  }));
  await page.reload();
  const failed = page.getByRole('alert').filter({ hasText: 'Reel is busy right now' });
  await expect(failed.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expectAccessible(page, 'load error');
  await snapBoth(page, testInfo, 'a11y-load-error');
  await page.unroute('**/api/chapters/*/videos');
  await failed.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('videos-empty')).toBeVisible();

  await page.goto('/courses/not-a-course');
  await expect(page.getByRole('heading', { level: 1, name: 'Course not found' })).toBeVisible();
  await expectAccessible(page, 'course not found');
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expectAccessible(page, 'page not found');
  await snapBoth(page, testInfo, 'a11y-not-found');
});

test('uploading: the panel, a refused file and the offline notice have no axe violations', async ({ page }, testInfo) => {
  await signIn(page);
  await page.getByRole('main').getByRole('link', { name: DEMO_COURSE }).first().click();
  await page.getByRole('main').getByTestId('chapter').getByRole('link', { name: 'Getting started' }).click();
  await expect(page.getByTestId('dropzone')).toContainText(/up to .+ each/);
  await page.evaluate(() => localStorage.setItem('reel.upload.chunk_bytes', String(256 * 1024)));
  await page.route('**/api/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, 400));
    await route.fallback();
  });
  writeFileSync('.cache/a11y-notes.mp4', 'not a video at all '.repeat(50));
  await page.getByTestId('file-input').setInputFiles([smallVideo('a11y-upload.mp4', 6, '640x360'), '.cache/a11y-notes.mp4']);
  await expect(page.getByTestId('upload-row').filter({ hasText: 'a11y-upload.mp4' }).getByTestId('upload-status')).toHaveText('Uploading');
  await expect(page.getByTestId('upload-row').filter({ hasText: 'a11y-notes.mp4' }).getByTestId('upload-status')).toHaveText("Can't upload");
  await expectAccessible(page, 'uploading');
  await snapBoth(page, testInfo, 'a11y-uploading');
  await cutNetwork(page, true);
  await expect(page.getByTestId('offline-note')).toBeVisible();
  await expectAccessible(page, 'offline');
  await cutNetwork(page, false);
  await page.unroute('**/api/uploads/*');
});

test('a video row’s actions are Tab stops in reading order; the poster opens the player in a dialog; Escape closes it and focus returns', async ({ page }, testInfo) => {
  await signIn(page);
  await seedLighting(page, ['tab-1', 'tab-2']);
  await openLighting(page);
  const row = videoRow(page, 'tab-1');
  await row.getByRole('checkbox', { name: 'Select tab-1' }).focus();
  // Select, play, rename, move (the first row cannot go up), delete; then the next row.
  for (const name of ['Play tab-1', 'Rename the video “tab-1”', 'Move tab-1 down', 'Delete tab-1']) {
    await page.keyboard.press('Tab');
    await expect(row.getByRole('button', { name, exact: true })).toBeFocused();
  }
  await expect(row.getByRole('button', { name: 'Move tab-1 up' })).toBeDisabled();
  await page.keyboard.press('Tab');
  await expect(videoRow(page, 'tab-2').getByRole('checkbox', { name: 'Select tab-2' })).toBeFocused();
  // The ↓ button moves the row, as Alt+↓ does.
  await row.getByRole('button', { name: 'Move tab-1 down' }).click();
  await expect.poll(() => rowTitles(page)).toEqual(['tab-2', 'tab-1']);
  await videoRow(page, 'tab-1').getByRole('button', { name: 'Move tab-1 up' }).click();
  await expect.poll(() => rowTitles(page)).toEqual(['tab-1', 'tab-2']);
  // The poster is a still, not a player per row.
  await expect(page.locator('.video-list video[controls]')).toHaveCount(0);

  await row.getByRole('button', { name: 'Play tab-1' }).focus();
  await page.keyboard.press('Enter');
  const player = page.getByRole('dialog', { name: 'tab-1' });
  await expect(player).toBeVisible();
  const video = player.getByTestId('player-video');
  await expect(video).toHaveAttribute('controls');
  const box = (await video.boundingBox())!;
  expect(box.width).toBeGreaterThan(600);
  expect(Math.abs(box.width / box.height - 16 / 9)).toBeLessThan(0.05);
  expect(await video.evaluate(async (v: HTMLVideoElement) => {
    if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
    return v.duration;
  })).toBeGreaterThan(1.5);
  await expectAccessible(page, 'player');
  await snapBoth(page, testInfo, 'a11y-player');
  await page.keyboard.press('Escape');
  await expect(player).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Play tab-1' })).toBeFocused();
});

test('focus after Delete, bulk Delete and Undo; Escape dismisses toasts; Undo counts down; bulk deletes confirm', async ({ page }, testInfo) => {
  await signIn(page);
  const titles = ['focus-1', 'focus-2', 'focus-3', 'focus-4', 'focus-5', 'focus-6'];
  await seedLighting(page, [...titles, 'focus-7']);
  await openLighting(page);
  await expect(videoRow(page, 'focus-7')).toBeVisible();

  // Delete from the keyboard: focus goes to the next row.
  await videoRow(page, 'focus-1').getByRole('checkbox').focus();
  await page.keyboard.press('Delete');
  await expect(videoRow(page, 'focus-1')).toHaveCount(0);
  await expect(videoRow(page, 'focus-2').getByRole('checkbox')).toBeFocused();
  const toast = page.getByTestId('toast').filter({ hasText: 'Deleted 1 video.' });
  await expect(toast).toBeVisible();
  // The Undo toast shows how long it lasts, and the number goes down.
  const first = Number((await toast.getByTestId('toast-countdown').textContent())!.replace(/\D/g, ''));
  expect(first).toBeGreaterThan(5);
  await expect.poll(async () => Number((await toast.getByTestId('toast-countdown').textContent())!.replace(/\D/g, ''))).toBeLessThan(first);
  await expectAccessible(page, 'toast');
  await snapBoth(page, testInfo, 'a11y-toast');
  await page.keyboard.press('Escape');
  await expect(toast).toHaveCount(0);

  // Select five: the "Select all" box is natively indeterminate (no aria-checked="mixed").
  for (const t of ['focus-2', 'focus-3', 'focus-4', 'focus-5', 'focus-6']) {
    await videoRow(page, t).getByRole('checkbox').check();
  }
  const all = page.getByTestId('select-all');
  expect(await all.evaluate((el: HTMLInputElement) => el.indeterminate)).toBe(true);
  await expect(all).not.toHaveAttribute('aria-checked', /.*/);
  await expectAccessible(page, 'library with selection');
  await snapBoth(page, testInfo, 'a11y-selection');

  // More than a few: confirm first. Cancel keeps everything.
  await page.getByTestId('delete-selected').click();
  const confirm = page.getByRole('dialog', { name: 'Delete 5 videos?' });
  await expect(confirm).toContainText('You can undo for 30 s');
  await expectAccessible(page, 'bulk confirmation');
  await snapBoth(page, testInfo, 'a11y-bulk-confirm');
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(videoRow(page, 'focus-6')).toBeVisible();
  await page.getByTestId('delete-selected').click();
  await confirm.getByRole('button', { name: 'Delete 5 videos' }).click();
  await expect(videoRow(page, 'focus-6')).toHaveCount(0);
  // Bulk delete: focus goes to the toast's Undo.
  const bulk = page.getByTestId('toast').filter({ hasText: 'Deleted 5 videos.' });
  await expect(bulk.getByRole('button', { name: 'Undo' })).toBeFocused();
  await page.keyboard.press('Enter');
  // Undo: the rows come back and focus goes to the first of them.
  await expect(videoRow(page, 'focus-2')).toBeVisible();
  await expect(videoRow(page, 'focus-2').getByRole('checkbox')).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'Restored 5 videos.' })).toBeVisible();

  // Up to three: no question.
  for (const t of ['focus-2', 'focus-3']) await videoRow(page, t).getByRole('checkbox').check();
  await page.getByTestId('delete-selected').click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(videoRow(page, 'focus-3')).toHaveCount(0);
  // A failed delete: the row's Retry is reachable and axe is still happy.
  await page.route('**/api/videos/*', (route) => route.request().method() === 'DELETE'
    ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'unavailable', message: 'Reel is busy right now. Try again in a moment.' }) })
    : route.continue());
  await videoRow(page, 'focus-7').getByRole('button', { name: 'Delete focus-7' }).click();
  await expect(videoRow(page, 'focus-7').getByTestId('video-delete-error')).toBeVisible();
  await expectAccessible(page, 'delete error');
  await snapBoth(page, testInfo, 'a11y-delete-error');
  await page.unroute('**/api/videos/*');
});
