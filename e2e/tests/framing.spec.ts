import { expect, test } from './fixtures';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { signIn, snap } from './helpers';

// Pages a future LMS embed will serve (`/embed/…`, `/lti/…`) and the app's own: until a page
// is built to be framed, no other origin may frame it, and a click inside a hostile page can
// never show the signed-in instructor's courses there.
const PATHS = ['/', '/courses', '/embed/chapter/x', '/lti/launch', '/sign-in'];

let host: Server;
let hostUrl: string;

test.beforeAll(async ({ baseURL }) => {
  host = createServer((_, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Another site</title><h1>Another site</h1>${PATHS.map(
      (p) => `<iframe title="${p}" src="${baseURL}${p}" width="420" height="260"></iframe>`,
    ).join('')}`);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  // Another origin: another host name and port for the same machine.
  hostUrl = `http://localhost:${(host.address() as AddressInfo).port}/`;
});

test.afterAll(() => new Promise<void>((resolve) => host.close(() => resolve())));

test('a page of another origin cannot show any Reel page in a frame', async ({ page }, testInfo) => {
  await signIn(page);
  const refusals: string[] = [];
  page.on('console', (m) => { if (/frame-ancestors/.test(m.text())) refusals.push(m.text()); });
  await page.goto(hostUrl);
  await expect(page.getByRole('heading', { name: 'Another site' })).toBeVisible();
  const frames = () => page.frames().filter((f) => f !== page.mainFrame());
  await expect.poll(() => frames().length).toBe(PATHS.length);
  // Chromium replaces a refused frame with its own error page: nothing of Reel's is there.
  await expect.poll(() => frames().filter((f) => f.url().startsWith('chrome-error:')).length, { timeout: 15_000 })
    .toBe(PATHS.length);
  for (const frame of frames()) {
    await expect(frame.getByRole('heading', { name: 'Your courses' })).toHaveCount(0);
    await expect(frame.getByLabel('Email')).toHaveCount(0);
  }
  expect(refusals.length).toBeGreaterThan(0);
  await snap(page, testInfo, 'framing-refused');
});
