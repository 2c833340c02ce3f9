import base from './playwright.config';
import { defineConfig } from '@playwright/test';

// `make bench`'s browser figures (scripts/bench.sh): one worker, so nothing else shares the
// machine while a link is timed, and no screenshots.
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  testIgnore: [],
  workers: 1,
  fullyParallel: false,
  timeout: 600_000,
  use: { ...base.use, screenshot: 'off', trace: 'off' },
});
