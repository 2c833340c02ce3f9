import { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { copyAs, createCourse, expectAccessible, onceMore, runTag, seedVideos, signIn, smallVideo, snapBoth, videoRow } from './helpers';

/** The chapter titles on the course page, in order. */
async function chapterTitles(page: Page): Promise<string[]> {
  return page.getByTestId('chapter').locator('.chapter-title').allTextContents();
}

/** A real clip of its own for this run (so it is never "already uploaded"). */
function clip(name: string, seconds: number): string {
  return copyAs(smallVideo(`curriculum-${seconds}s.mp4`, seconds), name);
}

async function videoOf(page: Page, id: string): Promise<any> {
  return (await onceMore(() => page.request.get(`/api/videos/${id}`))).json();
}

test('an instructor builds a course from nothing: chapters, uploads, rename, move, reorder, delete and undo, play, activity', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const tag = runTag();
  const course = `Documentary basics ${tag}`;
  await signIn(page);

  // A new course, from the course list.
  await page.getByRole('button', { name: '+ New course' }).click();
  await page.getByLabel('Title').fill(course);
  await page.getByLabel('Description (optional)').fill('Plan, shoot and cut a short documentary.');
  await snapBoth(page, testInfo, 'curriculum-new-course');
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page.getByRole('heading', { level: 1, name: course })).toBeVisible();
  await expect(page.getByTestId('chapters-empty')).toBeVisible();

  // Three chapters, each shown at once and then confirmed by the server.
  const [one, two, three] = [`Planning ${tag}`, `Shooting ${tag}`, `Editing ${tag}`];
  for (const title of [one, two, three]) {
    await page.getByLabel('Add a chapter').fill(title);
    await page.getByLabel('Add a chapter').press('Enter');
    await expect(page.getByTestId('chapter').filter({ hasText: title })).toBeVisible();
  }
  await expect(page.locator('[data-testid=chapter][aria-busy=true]')).toHaveCount(0);
  expect(await chapterTitles(page)).toEqual([one, two, three]);
  // A title the server would refuse is refused here, with what to do.
  await page.getByLabel('Add a chapter').fill('   ');
  await page.getByRole('button', { name: 'Add chapter' }).click();
  await expect(page.locator('#new-chapter-error')).toContainText(/title/i);

  // Two real videos into the first chapter, through the uploader.
  await page.getByRole('link', { name: one }).click();
  await expect(page.getByRole('heading', { level: 1, name: one })).toBeVisible();
  await expect(page.getByTestId('dropzone')).toContainText(/up to .+ each/);
  const files = [clip(`interview-${tag}.mp4`, 3), clip(`b-roll-${tag}.mp4`, 2)];
  await page.getByTestId('file-input').setInputFiles(files);
  const interview = videoRow(page, `interview-${tag}`);
  const broll = videoRow(page, `b-roll-${tag}`);
  await expect(interview.locator('.badge')).toHaveText('Ready', { timeout: 60_000 });
  await expect(broll.locator('.badge')).toHaveText('Ready', { timeout: 60_000 });
  // The server's poster frame, and the strip scrubs under the pointer.
  await page.reload();
  await expect(interview.getByTestId('video-poster')).toHaveCount(1);
  await expect.poll(() => interview.getByTestId('video-poster').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  const poster = interview.getByRole('button', { name: `Play interview-${tag}` });
  const box = (await poster.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2);
  await expect(interview.getByTestId('poster-strip')).toHaveAttribute('data-frame', '9');
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await expect(interview.getByTestId('poster-strip')).toHaveAttribute('data-frame', '0');
  await page.mouse.move(0, 0);
  await expect(interview.getByTestId('poster-strip')).toHaveCount(0);

  // Rename inline: Enter saves; F2 and Escape leave the title alone.
  await interview.getByRole('button', { name: `Rename the video “interview-${tag}”` }).click();
  const renamed = `Interview with the director ${tag}`;
  await page.getByTestId('rename-input').fill(renamed);
  await page.getByTestId('rename-input').press('Enter');
  const director = videoRow(page, renamed);
  await expect(director).toBeVisible();
  await broll.getByRole('checkbox').focus();
  await page.keyboard.press('F2');
  await page.getByTestId('rename-input').fill('never saved');
  await page.getByTestId('rename-input').press('Escape');
  await expect(broll).toBeVisible();
  await expect(videoRow(page, 'never saved')).toHaveCount(0);
  // Reorder from the keyboard: Alt+↑ moves the focused row up, and the order survives a reload.
  const titlesNow = () => page.getByTestId('video-row').locator('.video-title').allTextContents();
  expect(await titlesNow()).toEqual([renamed, `b-roll-${tag}`]);
  await broll.getByRole('checkbox').focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page.getByTestId('announcer')).toHaveText(`Moved “b-roll-${tag}” to position 1 of 2.`);
  expect(await titlesNow()).toEqual([`b-roll-${tag}`, renamed]);
  await expect(broll.getByRole('checkbox')).toBeFocused();
  await page.reload();
  await expect.poll(titlesNow).toEqual([`b-roll-${tag}`, renamed]);
  await snapBoth(page, testInfo, 'curriculum-chapter');

  // Drag the b-roll into the second chapter.
  const brollId = (await broll.getAttribute('data-video-id'))!;
  await broll.dragTo(page.getByTestId('chapter-pill').filter({ hasText: two }));
  await expect(broll).toHaveCount(0);
  await expect(page.locator('.toasts')).toContainText(`Moved 1 video to “${two}”`);
  await expect.poll(async () => (await videoOf(page, brollId)).chapter_id).not.toBe((await videoOf(page, (await director.getAttribute('data-video-id'))!)).chapter_id);

  // Reorder chapters from the keyboard; the live region says where it went.
  await page.getByRole('link', { name: course }).click();
  await page.getByRole('button', { name: `Move chapter “${three}” up` }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('announcer')).toHaveText(`Moved “${three}” to position 2 of 3.`);
  expect(await chapterTitles(page)).toEqual([one, three, two]);
  await expect(page.getByRole('button', { name: `Move chapter “${three}” up` })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('announcer')).toHaveText(`Moved “${three}” to position 1 of 3.`);
  // At the top its up button is off: focus moves to its down button rather than being lost.
  await expect(page.getByRole('button', { name: `Move chapter “${three}” down` })).toBeFocused();
  await page.reload();
  await expect.poll(() => chapterTitles(page)).toEqual([three, one, two]);

  // Delete the chapter that holds the b-roll: it asks first, then Undo brings both back.
  await page.getByRole('button', { name: `Delete chapter “${two}”` }).click();
  const ask = page.getByRole('dialog', { name: `Delete “${two}” and its 1 video?` });
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: 'Delete chapter' }).click();
  await expect.poll(() => chapterTitles(page)).toEqual([three, one]);
  await expect(page.locator('.toasts')).toContainText(`Deleted the chapter “${two}” and 1 video.`);
  await page.locator('.toasts').getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => chapterTitles(page)).toEqual([three, one, two]);
  await expect(page.locator('.toasts')).toContainText(`Restored the chapter “${two}”.`);
  await expect.poll(async () => (await videoOf(page, brollId)).status).toBe('ready');
  await page.reload();
  await expect.poll(() => chapterTitles(page)).toEqual([three, one, two]);
  await expect(page.getByTestId('chapter').filter({ hasText: two }).getByTestId('chapter-count')).toHaveText('1 video');
  await snapBoth(page, testInfo, 'curriculum-course');

  // Watch a second of the renamed video.
  await page.getByRole('link', { name: one }).click();
  await director.getByRole('button', { name: `Play ${renamed}` }).click();
  const player = page.getByRole('dialog', { name: renamed });
  await expect(player.getByTestId('player-facts')).toContainText(/0:03 · .+ · 320×180 · uploaded/);
  const video = player.getByTestId('player-video');
  await video.evaluate((v: HTMLVideoElement) => { v.muted = true; return v.play(); });
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(1);
  await snapBoth(page, testInfo, 'curriculum-player');
  await page.keyboard.press('Escape');

  // The course's activity, newest first, filterable by kind.
  await page.getByRole('link', { name: course }).click();
  await page.getByRole('tab', { name: 'Activity' }).click();
  const feed = page.getByTestId('activity-list');
  await expect(feed).toContainText(`Restored chapter “${two}”`);
  await expect(feed).toContainText(`Deleted chapter “${two}”`);
  await expect(feed).toContainText(`Renamed video to “${renamed}”`);
  await expect(feed).toContainText('Upload finished');
  await expect(page.getByTestId('activity-item').first()).toHaveAttribute('data-kind', 'restore');
  // Refusals of others' attempts are named for people, not "denied".
  await expect(page.getByTestId('activity-kind')).toContainText('Blocked attempts by others');
  await page.getByTestId('activity-kind').selectOption('move');
  await expect(page.getByTestId('activity-item').first()).toHaveAttribute('data-kind', 'move');
  expect(new Set(await page.getByTestId('activity-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))))).toEqual(new Set(['move']));
  // Moves and uploads name their chapters.
  await expect(feed).toContainText(`Moved video “b-roll-${tag}” from “${one}” to “${two}”`);
  await page.getByTestId('activity-kind').selectOption('upload');
  await expect(feed).toContainText(`Upload started: “b-roll-${tag}” into “${one}”`);
  await expectAccessible(page, 'activity tab');
  const text = await feed.innerText();
  expect(text).not.toMatch(/\/|\.mp4|bucket|s3|storage/i);
  await snapBoth(page, testInfo, 'curriculum-activity');
});

test('a move the server refuses puts the rows back where they were and says why', async ({ page }, testInfo) => {
  const tag = runTag();
  const { courseId, chapterId } = createCourse(`Refused moves ${tag}`, 'From here');
  await signIn(page);
  const other = await (await page.request.post(`/api/courses/${courseId}/chapters`, { data: { title: 'To there' } })).json();
  await seedVideos(page, chapterId, ['keep-1', 'keep-2', 'keep-3']);
  await page.goto(`/courses/${courseId}/chapters/${chapterId}`);
  await expect(page.getByTestId('video-row')).toHaveCount(3);
  const before = await page.getByTestId('video-row').locator('.video-title').allTextContents();

  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  await page.route('**/api/videos/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    await held;
    return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'unavailable', message: 'Reel is busy right now. Try again in a moment.' }) });
  });
  await videoRow(page, 'keep-2').getByRole('checkbox').check();
  await page.getByTestId('move-to').selectOption(other.id);
  // Gone from this chapter in the same frame as the choice.
  await expect(videoRow(page, 'keep-2')).toHaveCount(0);
  release();
  await expect(page.locator('.toasts')).toContainText('Couldn\'t move 1 video to “To there”. Reel is busy right now.');
  await expect.poll(() => page.getByTestId('video-row').locator('.video-title').allTextContents()).toEqual(before);
  await page.unroute('**/api/videos/*');
  await page.reload();
  await expect.poll(() => page.getByTestId('video-row').locator('.video-title').allTextContents()).toEqual(before);
  await snapBoth(page, testInfo, 'curriculum-refused-move');
});

test('two quick keyboard moves: the second waits for a late first answer, and neither jumps the chapter back nor drops focus', async ({ page }) => {
  const tag = runTag();
  const { courseId } = createCourse(`Quick moves ${tag}`, 'A');
  await signIn(page);
  for (const title of ['B', 'C']) {
    expect((await page.request.post(`/api/courses/${courseId}/chapters`, { data: { title } })).ok()).toBe(true);
  }
  await page.goto(`/courses/${courseId}`);
  await expect.poll(() => chapterTitles(page)).toEqual(['A', 'B', 'C']);
  // Every order the list shows, as it shows it.
  await page.getByTestId('chapter-list').evaluate((list) => {
    const seen: string[] = [];
    (window as any).reelOrders = seen;
    new MutationObserver(() => {
      const now = [...list.querySelectorAll('.chapter-title')].map((t) => t.textContent).join(',');
      if (seen[seen.length - 1] !== now) seen.push(now);
    }).observe(list, { childList: true, subtree: true, characterData: true });
  });
  // The first move's answer is slow to come back (a busy instance). The second move shows at
  // once and keeps the focus, but is sent only once the first is answered: sent beside it, it
  // could reach the other instance first and be refused as stale.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let sent = 0;
  await page.route(`**/api/courses/${courseId}/chapters/order`, async (route) => {
    if (++sent > 1) return route.continue();
    const response = await route.fetch();
    await held;
    await route.fulfill({ response });
  });
  await page.getByRole('button', { name: 'Move chapter “C” up' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('announcer')).toHaveText('Moved “C” to position 2 of 3.');
  await expect(page.getByRole('button', { name: 'Move chapter “C” up' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('announcer')).toHaveText('Moved “C” to position 1 of 3.');
  await expect.poll(() => chapterTitles(page)).toEqual(['C', 'A', 'B']);
  await page.waitForTimeout(300);
  expect(sent).toBe(1);
  const second = page.waitForResponse((r) => r.url().endsWith('/chapters/order') && r.request().method() === 'POST' && sent === 2);
  release();
  expect((await second).status()).toBe(200);
  // Both landed, in order: the page never showed an older order after the newer one.
  await expect.poll(() => chapterTitles(page)).toEqual(['C', 'A', 'B']);
  await expect(page.getByRole('button', { name: 'Move chapter “C” down' })).toBeFocused();
  const orders: string[] = await page.evaluate(() => (window as any).reelOrders);
  expect(orders.slice(orders.indexOf('C,A,B'))).toEqual(['C,A,B']);
  await expect(page.locator('.toasts')).not.toContainText('Someone changed');
  await page.unroute(`**/api/courses/${courseId}/chapters/order`);
  await page.reload();
  await expect.poll(() => chapterTitles(page)).toEqual(['C', 'A', 'B']);
});

test('chapters typed in quick succession are stored in the order they were typed, even when the first request is slow', async ({ page }) => {
  const tag = runTag();
  const { courseId } = createCourse(`Quick adds ${tag}`, 'Intro');
  await signIn(page);
  await page.goto(`/courses/${courseId}`);
  await expect.poll(() => chapterTitles(page)).toEqual(['Intro']);
  // The first add's request is slow to reach the server (a busy instance): the later ones
  // must not overtake it.
  let first = true;
  await page.route(`**/api/courses/${courseId}/chapters`, async (route) => {
    if (route.request().method() !== 'POST' || !first) return route.continue();
    first = false;
    await new Promise((r) => setTimeout(r, 1500));
    return route.continue();
  });
  for (const title of ['Lights', 'Camera', 'Action']) {
    await page.getByLabel('Add a chapter').fill(title);
    await page.getByLabel('Add a chapter').press('Enter');
    await expect(page.getByTestId('chapter').filter({ hasText: title })).toBeVisible();
  }
  expect(await chapterTitles(page)).toEqual(['Intro', 'Lights', 'Camera', 'Action']);
  await expect(page.locator('[data-testid=chapter][aria-busy=true]')).toHaveCount(0, { timeout: 10_000 });
  expect(await chapterTitles(page)).toEqual(['Intro', 'Lights', 'Camera', 'Action']);
  await page.unroute(`**/api/courses/${courseId}/chapters`);
  await page.reload();
  await expect.poll(() => chapterTitles(page)).toEqual(['Intro', 'Lights', 'Camera', 'Action']);
});

test('two tabs reorder the same chapters: the server decides and the loser is corrected and told', async ({ page, context }) => {
  const tag = runTag();
  const { courseId } = createCourse(`Two tabs ${tag}`, 'A');
  await signIn(page);
  for (const title of ['B', 'C']) {
    expect((await page.request.post(`/api/courses/${courseId}/chapters`, { data: { title } })).ok()).toBe(true);
  }
  const other = await context.newPage();
  await page.goto(`/courses/${courseId}`);
  await other.goto(`/courses/${courseId}`);
  await expect.poll(() => chapterTitles(page)).toEqual(['A', 'B', 'C']);
  await expect.poll(() => chapterTitles(other)).toEqual(['A', 'B', 'C']);
  // The other tab moves C to the top first.
  await other.getByRole('button', { name: 'Move chapter “C” up' }).click();
  await other.getByRole('button', { name: 'Move chapter “C” up' }).click();
  await expect.poll(() => chapterTitles(other)).toEqual(['C', 'A', 'B']);
  await expect(other.locator('.toasts')).not.toContainText('Someone changed');
  // This tab still shows the old order and moves A down: stale.
  await page.getByRole('button', { name: 'Move chapter “A” down' }).click();
  await expect(page.locator('.toasts')).toContainText('Someone changed this order in another tab or window first.');
  await expect.poll(() => chapterTitles(page)).toEqual(['C', 'A', 'B']);
  const server = await (await page.request.get('/api/courses')).json();
  expect(server.find((c: any) => c.id === courseId).chapters.map((c: any) => c.title)).toEqual(['C', 'A', 'B']);
});

test('dragging a chapter or a video shows one insertion line where it will land, and drops it there', async ({ page }, testInfo) => {
  const tag = runTag();
  const { courseId, chapterId } = createCourse(`Drag lines ${tag}`, 'A');
  await signIn(page);
  for (const title of ['B', 'C']) {
    expect((await page.request.post(`/api/courses/${courseId}/chapters`, { data: { title } })).ok()).toBe(true);
  }
  await page.goto(`/courses/${courseId}`);
  await expect.poll(() => chapterTitles(page)).toEqual(['A', 'B', 'C']);
  const card = (t: string) => page.getByTestId('chapter').filter({ has: page.locator('.chapter-title', { hasText: new RegExp(`^${t}$`) }) });
  const drag = await page.evaluateHandle(() => new DataTransfer());
  // A dragged down: the line is below C, on C only.
  await card('A').dispatchEvent('dragstart', { dataTransfer: drag });
  await card('C').dispatchEvent('dragover', { dataTransfer: drag });
  await expect(card('C')).toHaveClass(/drop-below/);
  await expect(page.locator('.chapter.drop-above, .chapter.drop-below')).toHaveCount(1);
  await snapBoth(page, testInfo, 'curriculum-drag-line');
  await card('C').dispatchEvent('drop', { dataTransfer: drag });
  await expect.poll(() => chapterTitles(page)).toEqual(['B', 'C', 'A']);
  await expect(page.locator('.drop-above, .drop-below')).toHaveCount(0);

  // Videos: the same line, above the row a video moved up will land on.
  await seedVideos(page, chapterId, ['v1', 'v2', 'v3']);
  await page.goto(`/courses/${courseId}/chapters/${chapterId}`);
  const rows = page.getByTestId('video-list').locator('.video-row');
  await expect(rows).toHaveCount(3);
  const vdrag = await page.evaluateHandle(() => new DataTransfer());
  await videoRow(page, 'v3').dispatchEvent('dragstart', { dataTransfer: vdrag });
  await videoRow(page, 'v1').dispatchEvent('dragover', { dataTransfer: vdrag });
  await expect(videoRow(page, 'v1')).toHaveClass(/drop-above/);
  await expect(page.locator('.video-row.drop-above, .video-row.drop-below')).toHaveCount(1);
  await videoRow(page, 'v1').dispatchEvent('drop', { dataTransfer: vdrag });
  await expect.poll(() => rows.locator('.video-title').allTextContents()).toEqual(['v3', 'v1', 'v2']);
});
