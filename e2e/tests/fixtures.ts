import { expect, test as base } from '@playwright/test';
import { becomeNewInstructor, Instructor } from './helpers';

/**
 * Playwright's `test`, with every test run as an instructor of its own (made with the admin
 * command before the test starts), owning a course like the demo's. Nothing a test does can be
 * seen by another, so the suite runs with several workers and in any order.
 */
export const test = base.extend<{ instructor: Instructor }>({
  instructor: [async ({}, use) => { await use(becomeNewInstructor()); }, { auto: true }],
});

export { expect };
