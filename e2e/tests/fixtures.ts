import { expect, test as base } from '@playwright/test';
import { becomeNewInstructor, Instructor } from './helpers';

/**
 * Playwright's `test`, with every test run as an instructor of its own (made with the admin
 * command before the test starts), owning a course like the demo's. Nothing a test does can be
 * seen by another, so the suite runs with several workers and in any order.
 *
 * When a test fails, it also prints what the page last said (its toasts) and the requests the
 * server refused: CI keeps only the end of the output and no trace, and a failure that happens
 * once in twenty runs must be explainable from those few lines (scripts/test.sh shows the lines
 * that start with "Context:").
 */
export const test = base.extend<{ instructor: Instructor; failureContext: void }>({
  instructor: [async ({}, use) => { await use(becomeNewInstructor()); }, { auto: true }],
  failureContext: [async ({ context }, use, testInfo) => {
    // Every page of the test's browser context (a test may open a second tab).
    const refused: string[] = [];
    const started = Date.now();
    context.on('response', (r) => {
      if (r.status() >= 400) {
        const url = new URL(r.url());
        refused.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${r.request().method()} ${url.pathname} ${r.status()}`);
      }
    });
    context.on('requestfailed', (r) => {
      refused.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${r.method()} ${new URL(r.url()).pathname} failed: ${r.failure()?.errorText}`);
    });
    await use();
    if (testInfo.status === testInfo.expectedStatus) return;
    const toasts: string[] = [];
    for (const page of context.pages()) {
      toasts.push(...await page.getByTestId('toast').allTextContents().catch(() => []));
    }
    console.log(`  Context: toasts shown: ${toasts.length ? toasts.map((t) => JSON.stringify(t)).join(', ') : 'none'}`);
    console.log(`  Context: refused requests: ${refused.length ? refused.slice(-8).join('; ') : 'none'}`);
  }, { auto: true }],
});

export { expect };
