import { Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { expect, test } from '../tests/fixtures';
import { copyAs, largeVideo, openChapter, throttleUploads, useChunkBytes } from '../tests/helpers';

// What an interruption costs with the uploader's time-sized chunks, against the fixed 8 MiB
// chunks it had before (`reel.upload.chunk_bytes`), on links of 1, 4 and 40 MiB/s (DevTools
// throttling), and the throughput of each at full speed. Prints Markdown rows for BENCHMARKS.md.
//
// The server keeps whole chunks, so an interruption loses what the chunk in flight had sent:
// at a moment drawn uniformly over the upload, on average half the time between two
// confirmations, weighted by how long each lasted (Σd²/2Σd), and at worst a whole one. Both
// come from the measured confirmations, ramp-up included; the link's real rate is printed
// beside the throttle's (DevTools throttling of uploads is approximate). (A real reload at a random
// moment is measured by tests/honest-progress.spec.ts.)
const MiB = 1024 * 1024;
const FIXED = 8 * MiB;
const RUNS = Number(process.env.REEL_BENCH_RUNS ?? 3);

type Mode = 'adaptive' | 'fixed 8 MiB';
const MODES: Mode[] = ['adaptive', 'fixed 8 MiB'];

/** Each confirmed PATCH: when it was answered, the offset it confirmed, its bytes. */
type Chunk = { done: number; offset: number; bytes: number };

function chunks(page: Page): Chunk[] {
  const seen: Chunk[] = [];
  page.on('requestfinished', async (r) => {
    if (r.method() !== 'PATCH') return;
    const done = Date.now();
    try {
      const response = await r.response();
      if (response?.status() !== 204) return;
      const bytes = (await r.sizes()).requestBodySize;
      seen.push({ done, offset: Number(response.headers()['upload-offset']), bytes });
    } catch {
      // The page closed before Playwright read the request: the run is over anyway.
    }
  });
  return seen;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Uploads the 120 MiB lecture at `rate` (null: full speed) for at most `forMs`. */
async function upload(page: Page, mode: Mode, rate: number | null, forMs: number) {
  await openChapter(page);
  if (mode !== 'adaptive') await useChunkBytes(page, FIXED);
  const seen = chunks(page);
  const file = copyAs(largeVideo(120), `bench-${Date.now()}-${Math.random().toString(16).slice(2, 8)}.mp4`);
  const size = statSync(file).size;
  await throttleUploads(page, rate);
  // From the choice of the file (the request events of large bodies arrive late): the
  // creation and the first chunk count for both kinds of chunks alike.
  const began = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await expect.poll(() => (seen.at(-1)?.offset ?? 0) >= size || Date.now() - began >= forMs, { timeout: forMs + 120_000, intervals: [200] }).toBe(true);
  const done = [...seen].sort((a, b) => a.done - b.done);
  return { size, began, done };
}

/**
 * Seconds of sending an interruption loses: on average at a random moment, and at worst. What
 * is lost is everything since the last confirmation, so each chunk counts from the answer
 * before it (its reading and hashing included) to its own answer.
 */
function loss(began: number, done: Chunk[]) {
  const d = done.map((c, i) => (c.done - (i === 0 ? began : done[i - 1].done)) / 1000);
  const total = d.reduce((a, b) => a + b, 0);
  const link = (done.at(-1)!.offset - done[0].offset + done[0].bytes) / MiB / total;
  return { mean: d.reduce((a, x) => a + (x * x) / 2, 0) / total, worst: Math.max(...d), chunk: median(done.slice(-3).map((c) => c.bytes)), link };
}

const rows: string[] = [];

for (const [rate, seconds] of [[1, 60], [4, 30], [40, 30]] as const) {
  test(`an interruption on a ${rate} MiB/s link`, async ({ browser }) => {
    for (const mode of MODES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await browser.newPage();
        const run = await upload(page, mode, rate * MiB, seconds * 1000);
        runs.push(loss(run.began, run.done));
        await page.close();
      }
      const mean = median(runs.map((r) => r.mean));
      const worst = median(runs.map((r) => r.worst));
      const link = median(runs.map((r) => r.link));
      rows.push(`| ${rate} MiB/s (measured ${link.toFixed(1)}) | ${mode} | ${(median(runs.map((r) => r.chunk)) / MiB).toFixed(1)} MiB | ${mean.toFixed(1)} s (${(mean * link).toFixed(1)} MiB) | ${worst.toFixed(1)} s (${(worst * link).toFixed(1)} MiB) |`);
      console.log(rows[rows.length - 1]);
    }
  });
}

test('throughput at full speed', async ({ browser }) => {
  const times: Record<Mode, number[]> = { adaptive: [], 'fixed 8 MiB': [] };
  let size = 0;
  // A and B in turn, so a slow moment of the machine falls on both.
  for (let i = 0; i < RUNS; i++) {
    for (const mode of MODES) {
      const page = await browser.newPage();
      const run = await upload(page, mode, null, 300_000);
      size = run.size;
      times[mode].push((run.done.at(-1)!.done - run.began) / 1000);
      // The server checks each finished file (a full hash, a probe, posters): the next run
      // waits for that, so it does not share the machine with it.
      await expect(page.getByTestId('upload-row').getByTestId('upload-status')).toHaveText(/Uploaded|Failed/, { timeout: 300_000 });
      if (process.env.REEL_BENCH_DEBUG) console.log(mode, JSON.stringify(run.done.map((c, i) => [Math.round(c.bytes / 1024), c.done - (i ? run.done[i - 1].done : run.began)])));
      await page.close();
    }
  }
  console.log('| link | chunks | steady chunk | lost by an interruption, on average (sending) | at worst (one whole chunk) |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('');
  console.log('| at full speed | time for the file (median, and each run) | throughput |');
  console.log('|---|---|---|');
  for (const mode of MODES) {
    const t = median(times[mode]);
    console.log(`| ${mode} | ${(size / MiB).toFixed(0)} MiB in ${t.toFixed(1)} s (${times[mode].map((x) => x.toFixed(1)).join(', ')}) | ${(size / MiB / t).toFixed(0)} MiB/s |`);
  }
  console.log(`| adaptive ÷ fixed | | ${(median(times['fixed 8 MiB']) / median(times.adaptive)).toFixed(2)} × the throughput |`);
});
