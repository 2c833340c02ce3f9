import { Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { test } from '../tests/fixtures';
import { answerLeaveSite, copyAs, largeVideo, openChapter, rememberedUploads, throttleUploads, uploadRow, useChunkBytes } from '../tests/helpers';

// What an interruption costs with the uploader's time-sized chunks, against the fixed 8 MiB
// chunks it had before (`reel.upload.chunk_bytes`), on links of 1, 4 and 40 MiB/s (DevTools
// throttling), and the throughput of each at full speed. Prints Markdown rows for BENCHMARKS.md.
const MiB = 1024 * 1024;
const FIXED = 8 * MiB;
const RUNS = Number(process.env.REEL_BENCH_RUNS ?? 3);

type Mode = 'adaptive' | 'fixed 8 MiB';

/** Each PATCH's answer: when, the offset it confirmed, and the bytes it carried. */
function patches(page: Page): { at: number; offset: number; bytes: number }[] {
  const seen: { at: number; offset: number; bytes: number }[] = [];
  page.on('requestfinished', async (r) => {
    if (r.method() !== 'PATCH') return;
    const response = await r.response();
    if (response?.status() !== 204) return;
    seen.push({ at: Date.now(), offset: Number(response.headers()['upload-offset']), bytes: (await r.sizes()).requestBodySize });
  });
  return seen;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function start(page: Page, mode: Mode, name: string) {
  await openChapter(page);
  if (mode !== 'adaptive') await useChunkBytes(page, FIXED);
  const seen = patches(page);
  const file = copyAs(largeVideo(120), name);
  return { seen, file };
}

/**
 * Interrupts an upload (a reload) at a random moment once it has sent for `warmup` s: the
 * sending lost is the time since the last confirmed chunk (the server keeps whole chunks).
 */
async function interruption(page: Page, mode: Mode, rate: number, warmup: number) {
  const { seen, file } = await start(page, mode, `bench-cut-${Date.now()}.mp4`);
  await throttleUploads(page, rate);
  await page.getByTestId('file-input').setInputFiles(file);
  await page.waitForTimeout((warmup + Math.random() * warmup) * 1000);
  const last = seen[seen.length - 1];
  answerLeaveSite(page);
  const cut = Date.now();
  await page.reload();
  // Ended, so the next run does not start under this one's quota.
  for (const u of await rememberedUploads(page)) await page.request.delete(u.url, { headers: { 'Tus-Resumable': '1.0.0' } });
  const chunk = median(seen.slice(-3).map((s) => s.bytes));
  if (!last) throw new Error('no chunk was confirmed before the interruption');
  const lostSecs = (cut - last.at) / 1000;
  return { lostSecs, lostBytes: Math.min(lostSecs * rate, chunk), chunk };
}

/** Seconds to send the whole file at full speed. */
async function fullSpeed(page: Page, mode: Mode): Promise<number> {
  const { seen, file } = await start(page, mode, `bench-full-${Date.now()}.mp4`);
  const size = statSync(file).size;
  const first = page.waitForRequest((r) => r.method() === 'PATCH');
  await page.getByTestId('file-input').setInputFiles(file);
  await first;
  const began = Date.now();
  await uploadRow(page, file.split('/').pop()!).getByTestId('upload-status').filter({ hasText: /Processing|Uploaded/ }).waitFor({ timeout: 300_000 });
  const last = seen[seen.length - 1];
  if (last?.offset !== size) throw new Error(`the last PATCH confirmed ${last?.offset} of ${size}`);
  return (last.at - began) / 1000;
}

const rows: string[] = [];

for (const [rate, warmup] of [[1, 12], [4, 6], [40, 1]] as const) {
  test(`an interruption on a ${rate} MiB/s link`, async ({ browser }) => {
    for (const mode of ['adaptive', 'fixed 8 MiB'] as Mode[]) {
      const cuts = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await browser.newPage();
        cuts.push(await interruption(page, mode, rate * MiB, warmup));
        await page.close();
      }
      const secs = median(cuts.map((c) => c.lostSecs));
      const bytes = median(cuts.map((c) => c.lostBytes));
      const worst = Math.max(...cuts.map((c) => c.chunk));
      rows.push(`| ${rate} MiB/s | ${mode} | ${(median(cuts.map((c) => c.chunk)) / MiB).toFixed(1)} MiB | ${(bytes / MiB).toFixed(1)} MiB (${secs.toFixed(1)} s) | ${(worst / MiB).toFixed(1)} MiB (${(worst / (rate * MiB)).toFixed(1)} s) |`);
      console.log(rows[rows.length - 1]);
    }
  });
}

test('throughput at full speed', async ({ browser }) => {
  const times: Record<Mode, number[]> = { adaptive: [], 'fixed 8 MiB': [] };
  const size = statSync(largeVideo(120)).size;
  // A and B in turn, so a slow moment of the machine falls on both.
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ['adaptive', 'fixed 8 MiB'] as Mode[]) {
      const page = await browser.newPage();
      times[mode].push(await fullSpeed(page, mode));
      await page.close();
    }
  }
  for (const mode of ['adaptive', 'fixed 8 MiB'] as Mode[]) {
    const t = median(times[mode]);
    console.log(`| full speed | ${mode} | ${(size / MiB).toFixed(0)} MiB in ${t.toFixed(1)} s (median of ${RUNS}: ${times[mode].map((x) => x.toFixed(1)).join(', ')}) | ${(size / MiB / t).toFixed(0)} MiB/s |`);
  }
  console.log(`| ratio | adaptive ÷ fixed | | ${(median(times['fixed 8 MiB']) / median(times.adaptive)).toFixed(2)} × the throughput |`);
  console.log('| link | chunks | steady chunk | lost per interruption (median) | lost at worst (a whole chunk) |');
  for (const r of rows) console.log(r);
});
