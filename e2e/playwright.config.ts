import { defineConfig } from '@playwright/test';

// The server is started by scripts/e2e.sh on a free port with a throw-away data directory;
// it passes the address in REEL_E2E_URL. Browsers come from Debian (never `playwright install`).
const baseURL = process.env.REEL_E2E_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  testDir: './tests',
  // Specs about the browser alone (chunk pacing and progress on a throttled link, the first
  // paint) run in the one-instance run only: against the cluster they would prove nothing new
  // and cost a minute of make test.
  testIgnore: Number(process.env.REEL_E2E_INSTANCES ?? 1) > 1 ? ['**/honest-progress.spec.ts', '**/first-paint.spec.ts'] : [],
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Every test runs as an instructor of its own (tests/fixtures.ts), so tests run side by side:
  // two workers on the two-core machine (REEL_E2E_WORKERS to change it).
  fullyParallel: true,
  workers: Number(process.env.REEL_E2E_WORKERS ?? 2),
  retries: 0,
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  use: {
    baseURL,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.REEL_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'laptop', use: { viewport: { width: 1280, height: 800 } } },
  ],
});
