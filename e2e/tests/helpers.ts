import { expect, Locator, Page, Request, Route, TestInfo } from '@playwright/test';

/** The instructor `reel serve --demo` seeds (scripts/e2e.sh gives it its password). */
export const SEEDED = {
  email: 'demo@reel.local',
  password: process.env.REEL_DEMO_PASSWORD ?? 'demo-password-e2e',
};
/** The demo course's title and chapters: every test's own instructor gets a course like it. */
export const DEMO_COURSE = 'Introduction to Video Production';
export const DEMO_CHAPTERS = ['Getting started', 'Lighting and sound'];

export type Instructor = { email: string; password: string; name: string };

let current: Instructor = { ...SEEDED, name: 'Demo Instructor' };

/** The instructor the running test signs in as (its own: see `fixtures.ts`). */
export function instructor(): Instructor {
  return current;
}

/**
 * Makes an instructor of the running test's own, with a course like the demo's, and makes it
 * the one `signIn` and the other helpers use: tests never share an instructor or a course, so
 * their order and the number of Playwright workers cannot matter.
 */
export function becomeNewInstructor(): Instructor {
  const tag = randomBytes(5).toString('hex');
  const made = { email: `e2e-${tag}@reel.test`, password: randomBytes(12).toString('hex'), name: `Instructor ${tag}` };
  admin(['create-instructor', '--email', made.email, '--name', made.name], `${made.password}\n`);
  current = made;
  admin(['create-course', '--owner', made.email, '--title', DEMO_COURSE, ...DEMO_CHAPTERS.flatMap((c) => ['--chapter', c])]);
  return made;
}

/** Runs `reel admin …` against the test server's database; returns what it printed. */
export function admin(args: string[], input?: string): string {
  return execFileSync(process.env.REEL_E2E_BIN!, ['admin', ...args], {
    env: { ...process.env, REEL_DATA_DIR: process.env.REEL_E2E_DATA_DIR! },
    input,
  }).toString();
}

/** Signs in through the form and waits for the course list. */
export async function signIn(page: Page, email = current.email, password = current.password) {
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

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Where a cached file is made before it is renamed into place: two workers may make the same
 * file at once, and neither may ever read the other's half-written one.
 */
function partial(path: string): string {
  return `${path}.part-${process.pid}.mp4`;
}

function settle(path: string) {
  renameSync(partial(path), path);
}

/** Writes a cached file whole or not at all (see `partial`). */
export function writeCached(path: string, data: string | Buffer) {
  writeFileSync(partial(path), data);
  settle(path);
}

/**
 * A real H.264 lecture-like video of at least `minMiB` MiB, made once with ffmpeg and cached
 * in e2e/.cache (ignored by git).
 */
export function largeVideo(minMiB = 20): string {
  const path = `.cache/lecture-${minMiB}mib.mp4`;
  if (existsSync(path) && statSync(path).size >= minMiB * 1024 * 1024) return path;
  mkdirSync('.cache', { recursive: true });
  const seconds = Math.ceil(minMiB * 0.8) + 2;
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
    '-f', 'lavfi', '-i', `sine=frequency=300:duration=${seconds}`,
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '8',
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', partial(path),
  ]);
  settle(path);
  if (statSync(path).size < minMiB * 1024 * 1024) throw new Error(`${path} came out smaller than ${minMiB} MiB`);
  return path;
}

/** A small real video (a few seconds), made once with ffmpeg. */
export function smallVideo(name: string, seconds: number, size = '320x180'): string {
  const path = `.cache/${name}`;
  if (existsSync(path)) return path;
  mkdirSync('.cache', { recursive: true });
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=${size}:rate=25`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', partial(path),
  ]);
  settle(path);
  return path;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Makes a course of its own with one chapter for the test's instructor, with the operator's
 * command (`reel admin create-course`) against the test server's data; returns their IDs.
 */
export function createCourse(title: string, chapter: string): { courseId: string; chapterId: string } {
  const out = admin(['create-course', '--owner', current.email, '--title', title, '--chapter', chapter]);
  const { course_id: courseId, chapters: [{ id: chapterId }] } = JSON.parse(out);
  return { courseId, chapterId };
}

/** Signs the test's instructor in over HTTP and returns the session cookie header. */
export async function sessionCookie(baseURL: string): Promise<string> {
  const res = await fetch(`${baseURL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: current.email, password: current.password }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0];
}

/** A real 1280x720 H.264 video of `seconds` seconds (about 1.7 MB a second), made once. */
export function hdVideo(name: string, seconds: number): string {
  const path = `.cache/${name}`;
  if (existsSync(path)) return path;
  mkdirSync('.cache', { recursive: true });
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '8', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', partial(path),
  ]);
  settle(path);
  return path;
}

/**
 * A short tag unique to one run of a test. Specs share one server, and a test run twice on it
 * (`--repeat-each`, a soak, a retry) must not meet its own earlier rows: titles, file names and
 * courses carry the tag.
 */
export function runTag(): string {
  return randomBytes(3).toString('hex');
}

/**
 * Makes a course of this test's own (titled with a fresh tag) with one chapter, signs in and
 * opens the chapter; waits, like `openChapter`, until the uploader knows the server's limit.
 */
export async function openOwnChapter(page: Page, course: string, chapter: string) {
  const ids = createCourse(`${course} ${runTag()}`, chapter);
  await signIn(page);
  await page.goto(`/courses/${ids.courseId}/chapters/${ids.chapterId}`);
  await expect(page.getByRole('heading', { level: 1, name: chapter })).toBeVisible();
  await expect(page.getByTestId('dropzone')).toContainText(/up to .+ each/);
  return ids;
}

/**
 * Signs in and opens the first chapter of the demo course, then waits until the uploader knows
 * the server's size limit (it asks with OPTIONS when the page opens; a file chosen before the
 * answer is not checked against the limit in the browser).
 */
export async function openChapter(page: Page) {
  await signIn(page);
  await page.getByRole('link', { name: DEMO_COURSE }).click();
  await page.getByRole('link', { name: 'Getting started' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Getting started' })).toBeVisible();
  await expect(page.getByTestId('dropzone')).toContainText(/up to .+ each/);
}

/** Makes the uploader use small chunks, so a test sees several PATCHes per file. */
export async function useChunkBytes(page: Page, bytes: number) {
  await page.evaluate((b) => localStorage.setItem('reel.upload.chunk_bytes', String(b)), bytes);
}

/** Delays every PATCH by `ms`, so uploads last long enough to pause, reload or watch. */
export async function slowPatches(page: Page, ms: number) {
  await page.route('**/api/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, ms));
    await route.continue();
  });
}

/**
 * Holds, in the browser, the first PATCH whose `Upload-Offset` is past `fraction` of `size`: it
 * never reaches the server until released. `held` resolves once it is held, so every earlier
 * chunk has been answered and the server's offset is settled (nothing is in flight there)
 * while the test pauses, reloads or looks. `release()` lets it go on (or drops it, when the
 * page aborted it meanwhile).
 */
export async function holdPatchPast(page: Page, size: number, fraction: number) {
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  let held!: (r: Request) => void;
  const heldRequest = new Promise<Request>((r) => { held = r; });
  let done = false;
  const handler = async (route: Route) => {
    const request = route.request();
    if (done || request.method() !== 'PATCH' || Number(request.headers()['upload-offset']) <= size * fraction) {
      await route.fallback();
      return;
    }
    done = true;
    held(request);
    await released;
    // The page may have aborted it meanwhile (pause, reload): then there is nothing to continue.
    await route.fallback().catch(() => {});
  };
  await page.route('**/api/uploads/*', handler);
  return {
    held: heldRequest,
    release: async () => {
      release();
      await page.unroute('**/api/uploads/*', handler).catch(() => {});
    },
  };
}

/** The upload URLs the uploader remembers in localStorage. */
export async function rememberedUploads(page: Page): Promise<{ url: string; video_id: string }[]> {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith('reel.upload:'))
      .map((k) => JSON.parse(localStorage.getItem(k)!)),
  );
}

/** The server's offset for an upload (HEAD, with the page's session). */
export async function serverOffset(page: Page, url: string): Promise<number | null> {
  const res = await onceMore(() => page.request.head(url, { headers: { 'Tus-Resumable': '1.0.0' } }));
  return res.status() === 200 ? Number(res.headers()['upload-offset']) : null;
}

/**
 * Sends a test's own request once more when the connection it reused was closed by the server
 * meanwhile (its keep-alive ran out while the test waited): the request never reached Reel.
 */
export async function onceMore<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (e) {
    if (!/ECONNRESET|socket hang up/.test(String(e))) throw e;
    return send();
  }
}

/** The upload row for a file name. */
export function uploadRow(page: Page, name: string) {
  return page.getByTestId('upload-row').filter({ hasText: name });
}

/** Uploads a file into a chapter over tus with the page's session; returns the video ID. */
export async function seedVideo(page: Page, chapterId: string, title: string, path: string): Promise<string> {
  const data = readFileSync(path);
  const meta = [
    ['filename', `${title}.mp4`], ['filetype', 'video/mp4'], ['chapter_id', chapterId], ['title', title],
  ].map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',');
  const created = await page.request.post('/api/uploads', {
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(data.length), 'Upload-Metadata': meta },
  });
  expect(created.status()).toBe(201);
  const location = created.headers()['location'];
  const patched = await page.request.patch(location, {
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    data,
  });
  expect(patched.status()).toBe(204);
  return created.headers()['reel-video-id'];
}

/** Seeds one ready 2-second video per title into a demo chapter; returns their IDs. */
export async function seedChapter(page: Page, chapter: string, titles: string[]): Promise<string[]> {
  return seedVideos(page, await chapterId(page, chapter), titles);
}

/** Seeds one ready 2-second video per title into a chapter; returns their IDs. */
export async function seedVideos(page: Page, chapterId: string, titles: string[]): Promise<string[]> {
  const clip = smallVideo('library-clip.mp4', 2);
  const ids = [];
  for (const title of titles) ids.push(await seedVideo(page, chapterId, title, clip));
  await waitReady(page, ids);
  return ids;
}

/**
 * Waits until the server says every video is ready. The server checks one file at a time per
 * instructor (a full sha256 and a probe, slow in a debug build on a busy machine), so allow more
 * than the default 10 s.
 */
export async function waitReady(page: Page, ids: string[]) {
  for (const id of ids) {
    await expect.poll(
      async () => (await (await onceMore(() => page.request.get(`/api/videos/${id}`))).json()).status,
      { timeout: 30_000 },
    ).toBe('ready');
  }
}

/** The demo course's chapters, from a `GET /api/courses` answer. */
export function demoChapters(courses: any[]): { id: string; title: string }[] {
  const course = courses.find((c: any) => c.title === DEMO_COURSE);
  if (!course) throw new Error(`no course titled "${DEMO_COURSE}" in ${JSON.stringify(courses.map((c: any) => c.title))}`);
  return course.chapters;
}

/** The demo course's chapters (signed-in page). */
export async function chapters(page: Page): Promise<{ id: string; title: string }[]> {
  return demoChapters(await (await onceMore(() => page.request.get('/api/courses'))).json());
}

/** The ID of the demo course's chapter with this title (signed-in page). */
export async function chapterId(page: Page, title: string): Promise<string> {
  const chapter = (await chapters(page)).find((c) => c.title === title);
  if (!chapter) throw new Error(`the demo course has no chapter "${title}"`);
  return chapter.id;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The library row whose title is exactly `title` (so "bulk-1" does not also match "bulk-10"). */
export function videoRow(page: Page, title: string) {
  const exact = new RegExp(`^${escapeRegExp(title)}$`);
  return page.getByTestId('video-row').filter({ has: page.locator('.video-title', { hasText: exact }) });
}

/** Titles of the rows in the library, in order. */
export async function rowTitles(page: Page): Promise<string[]> {
  return page.getByTestId('video-row').locator('.video-title').allTextContents();
}

/** Clicks a row's Delete and measures, in the page, how long the row takes to leave the DOM. */
export async function timedDelete(page: Page, title: string): Promise<number> {
  return page.evaluate((t) => new Promise<number>((resolve) => {
    const row = [...document.querySelectorAll('[data-testid=video-row]')]
      .find((r) => r.querySelector('.video-title')?.textContent === t) as HTMLElement;
    const button = row.querySelector('button[aria-label^="Delete"]') as HTMLButtonElement;
    let t0 = 0;
    const observer = new MutationObserver(() => {
      if (!row.isConnected) { observer.disconnect(); resolve(performance.now() - t0); }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    t0 = performance.now();
    button.click();
  }), title);
}

/** The two viewports every screenshot is taken at: a laptop and a phone. */
export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * Saves screenshots at 1280×800 and at 390×844 (`<name>.png`, `<name>-phone.png` in
 * e2e/artifacts/), then puts the laptop size back. The page re-lays itself out in between.
 */
export async function snapBoth(page: Page, testInfo: TestInfo, name: string) {
  const before = page.viewportSize() ?? LAPTOP;
  await page.setViewportSize(LAPTOP);
  await snap(page, testInfo, name);
  await page.setViewportSize(PHONE);
  await snap(page, testInfo, `${name}-phone`);
  await page.setViewportSize(before);
}

/**
 * Runs axe-core (every rule it runs by default: WCAG 2.x A/AA and best practices) on the page
 * as it is and fails with the rules broken, the elements and why.
 */
export async function expectAccessible(page: Page, state: string) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource());
  const violations: any[] = await page.evaluate(async () => (await (window as any).axe.run(document)).violations);
  const found = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes
    .slice(0, 5).map((n: any) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`);
  expect(found, `axe-core on "${state}"`).toEqual([]);
}

let axe = '';
function axeSource(): string {
  if (!axe) axe = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axe;
}

/** A copy of `path` under another name (so a test's file is its own, not "already uploaded"). */
export function copyAs(path: string, name: string): string {
  const target = `.cache/${name}`;
  if (!existsSync(target)) {
    copyFileSync(path, partial(target));
    settle(target);
  }
  return target;
}

/** One DevTools session per page for network conditions (two sessions would override each other). */
const conditions = new WeakMap<Page, { cdp: import('@playwright/test').CDPSession; offline: boolean; upload: number }>();

async function emulate(page: Page, change: { offline?: boolean; upload?: number }) {
  let state = conditions.get(page);
  if (!state) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    state = { cdp, offline: false, upload: -1 };
    conditions.set(page, state);
  }
  Object.assign(state, change);
  await state.cdp.send('Network.emulateNetworkConditions', {
    offline: state.offline, latency: state.upload > 0 ? 20 : 0, downloadThroughput: -1, uploadThroughput: state.upload,
  });
}

/**
 * Slows the page's uploads to `bytesPerSecond` through the DevTools protocol (the browser's own
 * throttling, as a slow network would), or lifts it with `null`.
 */
export async function throttleUploads(page: Page, bytesPerSecond: number | null) {
  await emulate(page, { upload: bytesPerSecond ?? -1 });
}

/** Cuts the page's network (the browser goes offline and says so), or brings it back. */
export async function cutNetwork(page: Page, offline: boolean) {
  await emulate(page, { offline });
}

/** The video ID of each upload the page creates, in order. */
export function createdVideoIds(page: Page): string[] {
  const ids: string[] = [];
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && r.url().endsWith('/api/uploads') && r.status() === 201) {
      ids.push(r.headers()['reel-video-id']);
    }
  });
  return ids;
}

/** A video's status as the server has it (`null` when it answers 404). */
export async function videoStatus(page: Page, id: string): Promise<string | null> {
  const res = await onceMore(() => page.request.get(`/api/videos/${id}`));
  return res.status() === 404 ? null : (await res.json()).status;
}

/** Answers "Leave site?" with `leave` whenever the page asks (uploads in progress). */
export function answerLeaveSite(page: Page, leave = true) {
  page.on('dialog', (d) => { if (d.type() === 'beforeunload') void (leave ? d.accept() : d.dismiss()); });
}

/** Cancels an upload from its row in the tray, answering the question that follows. */
export async function cancelUpload(page: Page, row: Locator) {
  await row.getByRole('button', { name: /^Cancel/ }).click();
  await page.getByTestId('cancel-question').getByRole('button', { name: 'Cancel upload' }).click();
}
