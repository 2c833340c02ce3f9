import { createPublicKey, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { request } from '@playwright/test';
import { expect, test } from './fixtures';
import { admin, copyAs, largeVideo, smallVideo, snap, throttleUploads } from './helpers';

/**
 * A fake LMS, as far as a launch needs one: its RSA key, its JWK set on a port of its own, and
 * id_tokens it signs. Registered with `reel admin add-lti-platform` like a real one.
 */
async function fakePlatform(frameOrigin?: string) {
  const tag = randomBytes(4).toString('hex');
  const kid = `key-${tag}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const server = createServer((_, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://lms-${tag}.test`;
  const client = `client-${tag}`;
  admin(['add-lti-platform', '--issuer', issuer, '--client-id', client, '--deployment-id', 'dep-1',
    '--auth-url', `${issuer}/auth`, '--jwks-url', `http://127.0.0.1:${port}/jwks`,
    ...(frameOrigin ? ['--frame-origin', frameOrigin] : [])]);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sign = (claims: object) => {
    const head = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(claims)}`;
    return `${head}.${createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url')}`;
  };
  return { issuer, client, sign, tag, close: () => server.close() };
}

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

/** The LMS's side of the OIDC login and launch, from a client of its own (its cookie never
 * reaches a page), with `extra` claims over an instructor's resource-link launch; returns
 * Reel's answer to the launch. */
async function lmsLaunch(lms: Awaited<ReturnType<typeof fakePlatform>>, baseURL: string, title: string, extra: object = {}) {
  const browserOfLms = await request.newContext({ baseURL });
  const login = await browserOfLms.get('/lti/login', {
    params: { iss: lms.issuer, login_hint: 'u-1', target_link_uri: `${baseURL}/lti/launch`, client_id: lms.client },
    maxRedirects: 0,
  });
  expect(login.status()).toBe(302);
  const auth = new URL(login.headers()['location']);
  const now = Math.floor(Date.now() / 1000);
  const token = lms.sign({
    iss: lms.issuer, aud: lms.client, sub: `user-${lms.tag}`, iat: now, exp: now + 300,
    nonce: auth.searchParams.get('nonce'), name: 'Grace Hopper',
    [`${LTI}message_type`]: 'LtiResourceLinkRequest', [`${LTI}version`]: '1.3.0',
    [`${LTI}deployment_id`]: 'dep-1',
    [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
    [`${LTI}context`]: { id: `ctx-${lms.tag}`, title },
    [`${LTI}resource_link`]: { id: 'rl-1' },
    ...extra,
  });
  const launch = await browserOfLms.post('/lti/launch', {
    form: { id_token: token, state: auth.searchParams.get('state')! }, maxRedirects: 0,
  });
  const answer = { status: launch.status(), headers: launch.headers(), body: await launch.text() };
  await browserOfLms.dispose();
  return answer;
}

/** An instructor's launch; returns where it sends the browser. */
async function launchAs(lms: Awaited<ReturnType<typeof fakePlatform>>, baseURL: string, title: string): Promise<string> {
  const launch = await lmsLaunch(lms, baseURL, title);
  expect(launch.status).toBe(303);
  const to = launch.headers['location'];
  expect(to).toMatch(/^\/courses\/[^#]+#lti-refresh=.+/);
  return to;
}

test('an instructor launched from an LMS, with no cookie at all, works on tokens: an upload outlives its access token and finishes', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const lms = await fakePlatform();
  const to = await launchAs(lms, baseURL!, `Compilers ${lms.tag}`);
  lms.close();

  // The page keeps no cookie (as a frame with third-party cookies blocked): every request
  // carries the bearer token, renewed when it runs out.
  const refreshes: number[] = [];
  let refusedUploads = 0;
  page.on('response', (r) => {
    if (r.url().endsWith('/api/auth/refresh')) refreshes.push(r.status());
    if (r.url().includes('/api/uploads') && r.status() === 401) refusedUploads += 1;
  });
  await page.goto(to);
  await expect(page.getByRole('heading', { level: 1, name: `Compilers ${lms.tag}` })).toBeVisible();
  // The refresh token left the address at once.
  expect(page.url()).not.toContain('lti-refresh');
  expect(await page.context().cookies()).toEqual([]);
  await page.getByLabel('Add a chapter').fill('Parsing');
  await page.getByLabel('Add a chapter').press('Enter');
  await page.getByRole('link', { name: 'Parsing' }).click();
  await expect(page.getByTestId('dropzone')).toBeVisible();

  // An upload that takes longer than the access token lives (10 s in the e2e servers): 20 MiB
  // at 1.5 MiB/s. Done when the server has every byte (processing is not what this is about).
  // The app renews the token before it runs out (at three quarters of its life; a token must
  // outlive one chunk's way to the server, which a throttled browser, like a buffering proxy,
  // sends only with its last byte). A token refused all the same (the server's clock ahead of
  // the browser's, which one machine cannot stage: the first chunk's answer is made a 401
  // here) is renewed and the same chunk sent again.
  let refusedOnce = false;
  await page.route('**/api/uploads/*', async (route) => {
    if (refusedOnce || route.request().method() !== 'PATCH') return route.fallback();
    refusedOnce = true;
    await route.fulfill({ status: 401, contentType: 'application/json',
      body: JSON.stringify({ code: 'unauthenticated', message: 'Sign in to continue.' }) });
  });
  await throttleUploads(page, 1.5 * 1024 * 1024);
  await page.getByTestId('file-input').setInputFiles(copyAs(largeVideo(20), `lexer-${lms.tag}.mp4`));
  const row = page.getByTestId('video-row').filter({ hasText: `lexer-${lms.tag}` });
  await expect(row.locator('.badge')).toHaveText(/Processing|Ready/, { timeout: 60_000 });
  await throttleUploads(page, null);
  expect(refusedOnce).toBe(true);
  // The launch's, the refused chunk's, and at least one before the token ran out.
  expect(refreshes.length).toBeGreaterThanOrEqual(3);
  expect(refreshes.every((s) => s === 200)).toBe(true);
  expect(refusedUploads).toBeGreaterThanOrEqual(1);
  expect(await page.context().cookies()).toEqual([]);
});

test('inside the LMS page of another site: the registered origin frames Reel, which works without cookies and asks to be sized', async ({ page, baseURL }, testInfo) => {
  // The LMS's course page: another site (another host name and port), with Reel in a frame.
  let launchTo = '';
  const host = createServer((_, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>LMS course</title><h1>LMS course</h1>
      <script>window.sizes = []; window.uploads = []; addEventListener('message', (e) => {
        if (e.data && String(e.data.type).startsWith('reel:')) window.uploads.push(e.data);
        if (e.data && e.data.subject === 'lti.frameResize') {
          window.sizes.push(e.data.height); document.querySelector('iframe').style.height = e.data.height + 'px';
        }
      });</script>
      <iframe title="Reel" src="${baseURL}${launchTo}" style="width: 900px; height: 200px; border: 0"></iframe>`);
  });
  await new Promise<void>((done) => host.listen(0, '127.0.0.1', done));
  const hostOrigin = `http://localhost:${(host.address() as AddressInfo).port}`;
  const lms = await fakePlatform(hostOrigin);
  launchTo = await launchAs(lms, baseURL!, `Networks ${lms.tag}`);
  lms.close();

  await page.goto(`${hostOrigin}/`);
  const reel = page.frameLocator('iframe[title=Reel]');
  await expect(reel.getByRole('heading', { level: 1, name: `Networks ${lms.tag}` })).toBeVisible();
  // A change from inside the frame: the API takes the bearer token (a cross-site frame sends
  // Reel no cookie, and holds none).
  await reel.getByLabel('Add a chapter').fill('Routing');
  await reel.getByLabel('Add a chapter').press('Enter');
  await expect(reel.getByTestId('chapter').filter({ hasText: 'Routing' })).toHaveAttribute('aria-busy', 'false');
  expect(await page.context().cookies()).toEqual([]);
  // The frame asked to be as tall as its content.
  await expect.poll(() => page.evaluate(() => (window as any).sizes.length)).toBeGreaterThan(0);
  const last: number = await page.evaluate(() => (window as any).sizes.at(-1));
  expect(last).toBeGreaterThan(200);
  // An upload inside the frame: the LMS page hears of the video as soon as it exists, and
  // again when its last byte landed, by the same ID.
  await reel.getByRole('link', { name: 'Routing' }).click();
  await reel.getByTestId('file-input').setInputFiles(smallVideo(`routing-${lms.tag}.mp4`, 2));
  const row = reel.getByTestId('video-row').filter({ hasText: `routing-${lms.tag}` });
  await expect(row.locator('.badge')).toHaveText(/Processing|Ready/, { timeout: 30_000 });
  const videoId = await row.getAttribute('data-video-id');
  await expect.poll(() => page.evaluate(() => (window as any).uploads.map((u: any) => u.type))).toEqual(['reel:upload-started', 'reel:upload-complete']);
  const heard: any[] = await page.evaluate(() => (window as any).uploads);
  expect(heard.every((u) => u.video_id === videoId && typeof u.chapter_id === 'string' && u.chapter_id.length > 0)).toBe(true);
  await snap(page, testInfo, 'lti-framed');
  host.close();
});

test('Deep Linking: the LMS asks for videos, the instructor picks two in Reel, and the LMS gets a JWT it can verify naming them', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  const lms = await fakePlatform();
  const course = `Optics ${lms.tag}`;
  // The course and two videos, made by the instructor in Reel from a first launch.
  await page.goto(await launchAs(lms, baseURL!, course));
  await page.getByLabel('Add a chapter').fill('Lenses');
  await page.getByLabel('Add a chapter').press('Enter');
  await page.getByRole('link', { name: 'Lenses' }).click();
  const titles = [`convex-${lms.tag}`, `concave-${lms.tag}`];
  await page.getByTestId('file-input').setInputFiles(titles.map((t, i) => copyAs(smallVideo(`dl-${i + 2}s.mp4`, i + 2), `${t}.mp4`)));
  for (const t of titles) {
    await expect(page.getByTestId('video-row').filter({ hasText: t }).locator('.badge')).toHaveText(/Processing|Ready/, { timeout: 60_000 });
  }

  // The LMS's "add external content": a deep linking launch, answered with the picker.
  const returnUrl = `${lms.issuer}/deep-link/return`;
  const picker = await lmsLaunch(lms, baseURL!, course, {
    [`${LTI}message_type`]: 'LtiDeepLinkingRequest',
    'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings': {
      deep_link_return_url: returnUrl, accept_types: ['ltiResourceLink'], accept_multiple: true, data: `d-${lms.tag}`,
    },
  });
  lms.close();
  expect(picker.status).toBe(200);
  // Shown as the launch shows it (the browser posting the LMS's form is the LMS's business).
  await page.route(`${baseURL}/lti/e2e-picker`, (route) => route.fulfill({
    status: 200, body: picker.body,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': picker.headers['content-security-policy'] },
  }));
  let posted = '';
  await page.route(returnUrl, (route) => {
    posted = route.request().postData() ?? '';
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Content added</h1>' });
  });
  await page.goto(`${baseURL}/lti/e2e-picker`);
  await expect(page.getByRole('heading', { name: 'Add videos from Reel' })).toBeVisible();
  await snap(page, testInfo, 'lti-deep-link-picker');
  // Nothing chosen: asked again, with what to do.
  await page.getByRole('button', { name: 'Add to the course' }).click();
  await expect(page.getByRole('alert')).toContainText('Choose a video first');
  for (const t of titles) await page.getByRole('checkbox', { name: t }).check();
  // The answer page posts itself to the LMS (its script allowed by nonce, its form by origin).
  await page.getByRole('button', { name: 'Add to the course' }).click();
  await expect(page.getByRole('heading', { name: 'Content added' })).toBeVisible();

  // What the LMS received verifies against Reel's published keys.
  const jwt = new URLSearchParams(posted).get('JWT')!;
  const [head, body, signature] = jwt.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString());
  const keys = await (await page.request.get('/lti/jwks')).json();
  const jwk = keys.keys.find((k: any) => k.kid === header.kid);
  expect(header.alg).toBe('RS256');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  expect(createVerify('RSA-SHA256').update(`${head}.${body}`).verify(key, Buffer.from(signature, 'base64url'))).toBe(true);
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  expect(claims.iss).toBe(lms.client);
  expect(claims.aud).toBe(lms.issuer);
  expect(claims[`${LTI}message_type`]).toBe('LtiDeepLinkingResponse');
  expect(claims['https://purl.imsglobal.org/spec/lti-dl/claim/data']).toBe(`d-${lms.tag}`);
  const items = claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'];
  expect(items.map((i: any) => i.title).sort()).toEqual([...titles].sort());
  expect(items.every((i: any) => i.type === 'ltiResourceLink' && /^[\w-]+$/.test(i.custom.reel_video_id))).toBe(true);
});
