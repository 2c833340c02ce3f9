import { expect, test } from './fixtures';
import { DEMO_COURSE, DEMO_CHAPTERS, instructor, SEEDED, signIn, snap } from './helpers';

test('the app loads and asks a visitor to sign in', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await snap(page, testInfo, 'sign-in');
});

test('the demo instructor signs in, sees the demo course and its chapters, and signs out', async ({ page }, testInfo) => {
  // The account `reel serve --demo` seeded, as a newcomer would use it (this test changes
  // nothing of it, so it can share it with others).
  await signIn(page, SEEDED.email, SEEDED.password);
  await expect(page.getByTestId('user-name')).toHaveText('Demo Instructor');
  const course = page.getByTestId('course-card').filter({ hasText: DEMO_COURSE });
  await expect(course).toBeVisible();
  await snap(page, testInfo, 'courses');

  await course.getByRole('link', { name: DEMO_COURSE }).click();
  await expect(page.getByRole('heading', { level: 1, name: DEMO_COURSE })).toBeVisible();
  const chapters = page.getByTestId('chapter');
  await expect(chapters).toHaveCount(2);
  await expect(chapters.nth(0)).toContainText(DEMO_CHAPTERS[0]);
  await expect(chapters.nth(1)).toContainText(DEMO_CHAPTERS[1]);
  await snap(page, testInfo, 'course');

  // A reload on a client-side route is served index.html and stays signed in.
  await page.reload();
  await expect(page.getByTestId('chapter')).toHaveCount(2);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  // The session really ended: the protected page sends us back to sign-in.
  await page.goto('/courses');
  await expect(page).toHaveURL(/\/sign-in$/);
  const me = await page.request.get('/api/auth/me');
  expect(me.status()).toBe(401);
});

test('a wrong password shows the generic message and no session', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(instructor().email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText("That email and password don't match an account");
  await snap(page, testInfo, 'sign-in-wrong-password');

  // An unknown email gets exactly the same words.
  // The first attempt's message is still on screen: wait for the second answer before reading it.
  await page.getByLabel('Email').fill('nobody@example.com');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/auth/login') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Sign in' }).click();
  expect((await answer).ok()).toBe(false);
  await expect(page.getByRole('alert')).toContainText("That email and password don't match an account");
  expect((await page.context().cookies()).find((c) => c.name === 'reel_session')).toBeUndefined();
});

test('the layout works at a phone width', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  // Other specs add courses to the same server: look at the demo course's card.
  await expect(page.getByTestId('course-card').filter({ hasText: DEMO_COURSE })).toBeVisible();
  await snap(page, testInfo, 'courses-phone');
});
