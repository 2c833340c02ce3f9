import { expect, test } from './fixtures';
import { snap } from './helpers';

test('the page paints a shell at once, before the WebAssembly arrives, and the app replaces it', async ({ page }, testInfo) => {
  // A slow link: the wasm takes two seconds to arrive.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto('/sign-in', { waitUntil: 'commit' });
  const shell = page.locator('#app-shell');
  await expect(shell).toBeVisible();
  await expect(shell.getByText('Reel', { exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Loading Reel…' })).toHaveCount(1);
  await snap(page, testInfo, 'first-paint-shell');
  release();
  await expect(page.getByRole('heading', { name: /sign in/i })).toBeVisible();
  await expect(shell).toHaveCount(0);
});
