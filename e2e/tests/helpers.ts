import { expect, Page, TestInfo } from '@playwright/test';

/** The demo sign-in that scripts/e2e.sh seeds with `reel serve --demo`. */
export const DEMO_EMAIL = 'demo@reel.local';
export const DEMO_PASSWORD = process.env.REEL_DEMO_PASSWORD ?? 'demo-password-e2e';

/** Signs in through the form and waits for the course list. */
export async function signIn(page: Page, email = DEMO_EMAIL, password = DEMO_PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Your courses' })).toBeVisible();
}

/** Saves a full-page screenshot as a named test artefact (also under e2e/artifacts/). */
export async function snap(page: Page, testInfo: TestInfo, name: string) {
  const path = `artifacts/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
