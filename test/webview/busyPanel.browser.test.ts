/**
 * The panel under load, in Debian's Chromium with the real bundle: the homework
 * network's snapshots 20 times a second, five pinned runs in the charts, and a
 * digit being drawn on the pad, all at once. Frames per second are measured and
 * printed; the DOM must not grow.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_CONFIG, loadEmbeddedSplits, NO_STEPPING, takeSnapshot, Trainer, type PinnedRun, type RunStatus, type Snapshot } from '../../engine';
import { recorded } from '../engine/helpers';
import { openPanel, violations } from './harness';

let browser: Browser;
let page: Page;
const snapshots: Snapshot[] = [];
const status: RunStatus = {
  state: 'running', stepping: NO_STEPPING, config: DEFAULT_CONFIG, spec: null, source: 'embedded MNIST', epochs: [], final: null, message: null, divergence: null,
};
// Five pinned runs of the homework network, at five learning rates: 300 steps each.
const pins: PinnedRun[] = [0.001, 0.003, 0.03, 0.1, 0.3].map((learningRate, i) => ({ ...recorded({ ...DEFAULT_CONFIG, learningRate, epochs: 1 }, 300), id: i + 1 }));

before(async () => {
  const t = new Trainer(DEFAULT_CONFIG, loadEmbeddedSplits());
  for (let i = 0; i < 60; i++) {
    t.trainStep();
    snapshots.push(takeSnapshot(t, null));
  }
  ({ browser, page } = await openPanel([{ type: 'status', status }, { type: 'pins', pins }]));
});

after(async () => {
  await browser?.close();
});

/** Circles drawn on the pad with the mouse until `ms` have passed. */
async function scribble(ms: number): Promise<number> {
  const box = (await page.locator('.digit-pad').boundingBox())!, end = Date.now() + ms;
  let strokes = 0;
  while (Date.now() < end) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 4);
    await page.mouse.down();
    for (let a = 0; a <= 2 * Math.PI; a += Math.PI / 8) {
      await page.mouse.move(box.x + box.width * (0.5 + 0.3 * Math.sin(a)), box.y + box.height * (0.5 - 0.3 * Math.cos(a)));
    }
    await page.mouse.up();
    await page.locator('#digit-clear').click();
    strokes++;
  }
  return strokes;
}

/** 20 snapshots a second for `ms`, posted in the page as VS Code delivers them, while frames are counted. */
function stream(ms: number, from: number): Promise<{ frames: number; seconds: number }> {
  return page.evaluate(({ list, ms, from }) => new Promise<{ frames: number; seconds: number }>((resolve) => {
    let frames = 0, sent = 0;
    const started = performance.now();
    const frame = (): void => {
      frames++;
      if (performance.now() - started < ms) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const timer = setInterval(() => {
      window.postMessage({ type: 'snapshot', snapshot: { ...list[sent % list.length], step: from + sent } }, '*');
      sent++;
      if (performance.now() - started >= ms) {
        clearInterval(timer);
        resolve({ frames, seconds: (performance.now() - started) / 1000 });
      }
    }, 50);
  }), { list: snapshots, ms, from });
}

test('the 1000-unit network at 20 snapshots a second, five pinned runs and the pad in use: frames per second (printed), a DOM that does not grow', async () => {
  const nodes = (): Promise<number> => page.evaluate(() => document.getElementsByTagName('*').length);
  await stream(1000, 1000);
  const before = await nodes();
  const [measured, strokes] = await Promise.all([stream(5000, 2000), scribble(4500)]);
  const fps = measured.frames / measured.seconds;
  await stream(2000, 3000);
  const after = await nodes();
  console.log(`busy panel: ${fps.toFixed(1)} frames/s over ${measured.seconds.toFixed(1)} s, with 5 pinned runs and ${strokes} digits drawn; DOM ${before} then ${after} elements`);
  assert.equal(await page.locator('#gradient-norms path.norm.pinned').count(), 10, 'two layers of five pinned runs');
  assert.ok(strokes >= 3, 'the pad was in use');
  assert.ok(fps >= 20, `${fps.toFixed(1)} frames/s`);
  assert.ok(Math.abs(after - before) <= 30, `the DOM stays the same size, give or take an axis's ticks: ${before} then ${after}`);
  assert.deepEqual(await violations(page), []);
});
