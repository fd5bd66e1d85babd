/**
 * Comparing runs and exporting charts, in Debian's Chromium with the panel's real
 * bundle: runs recorded from the real engine (as the host records them) are
 * pinned, and the charts draw them under the current run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  EXPERIMENTS, NO_STEPPING, takeSnapshot, Trainer, loadEmbeddedSplits, type HostMessage, type PinnedRun, type RunStatus, type Snapshot,
} from '../../engine';
import { recorded } from '../engine/helpers';
import { ARTIFACTS, deliver as deliverTo, openPanel, posted, violations } from './harness';

let browser: Browser;
let page: Page;
const [sigmoid, relu] = EXPERIMENTS.find((e) => e.id === 'vanishing')!.runs;
const pins: PinnedRun[] = [{ ...recorded(sigmoid, 120), id: 1 }];
const status: RunStatus = {
  state: 'paused', stepping: NO_STEPPING, config: relu, spec: null, source: 'embedded MNIST', epochs: [], final: null, message: null, divergence: null,
};
const snapshots: Snapshot[] = [];

const deliver = (message: HostMessage): Promise<void> => deliverTo(page, message);
const count = (selector: string): Promise<number> => page.locator(selector).count();

async function open(): Promise<void> {
  ({ browser, page } = await openPanel([{ type: 'status', status }, { type: 'pins', pins }]));
  for (const s of snapshots) await deliver({ type: 'snapshot', snapshot: s });
}

before(async () => {
  // The current run: the ReLU one, 60 steps.
  const t = new Trainer(relu, loadEmbeddedSplits());
  for (let i = 0; i < 60; i++) {
    t.trainStep();
    snapshots.push(takeSnapshot(t, null));
  }
  await open();
});

after(async () => {
  await browser?.close();
});

test('a pinned run adds one faint line per layer to the gradient norms, and its loss and accuracy to the learning curves, labelled by what differs', async () => {
  assert.equal(await count('#gradient-norms path.norm:not(.pinned)'), 6, 'the current run\'s six linear layers');
  assert.equal(await count('#gradient-norms path.norm.pinned'), 6, 'and one line per layer of the pinned run');
  assert.equal(await page.locator('#gradient-norms path.norm.pinned').first().getAttribute('stroke-dasharray'), '4 3');
  assert.ok((await page.locator('#gradient-norms text.series-label').allTextContents()).includes('dashed: pinned 1: sigmoid x5 vs relu x5'));
  assert.equal(await count('#learning-curves path.pinned'), 2, 'its loss and its validation accuracy');
  assert.equal(await page.locator('#learning-curves text.pinned-label').textContent(), 'sigmoid x5 vs relu x5');
  assert.deepEqual(await page.locator('#pinned-runs li').allTextContents(), ['1: sigmoid x5 vs relu x5×']);
});

test('the gradient norms show one layer across every run, or every layer of one pinned run', async () => {
  const choose = (value: string): Promise<void> => page.evaluate((v) => {
    const menu = document.getElementById('gradient-norms-view') as HTMLElement & { value: string };
    menu.value = v;
    menu.dispatchEvent(new Event('change'));
  }, value);
  await choose('layer:0');
  const first = await page.locator('#gradient-norms path.norm').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-key')));
  assert.deepEqual(first.sort(), ['dW:0', 'pinned:1:0'], 'the first layer of the current and the pinned run');
  await choose('run:1');
  assert.equal(await count('#gradient-norms path.norm'), 6, 'every layer of the pinned run');
  await page.locator('#gradient-norms').screenshot({ path: path.join(ARTIFACTS, 'compare-run.png') });
  // The pinned sigmoid run's first layer gets gradients orders of magnitude below its last one's.
  const [firstNorm, lastNorm] = [pins[0].gradNorms[0], pins[0].gradNorms[5]].map((n) => n[n.length - 1]);
  assert.ok(firstNorm / lastNorm < 1e-2);
  await choose('all');
});

test('Pin, Remove, Run experiment and Export CSV post their requests', async () => {
  const before = (await posted(page)).length;
  await page.locator('#pin-run').click();
  await page.locator('#unpin-1').click();
  await page.locator('#run-experiment').click();
  await page.locator('#export-histories').click();
  assert.deepEqual((await posted(page)).slice(before), [{ type: 'pin' }, { type: 'unpin', id: 1 }, { type: 'runExperiment', id: 'vanishing' }, { type: 'exportHistories' }]);
  assert.equal(await page.locator('.experiment-look').textContent(), EXPERIMENTS[0].lookAt);
});

test('the pinned run is drawn again after the panel reloads (the host sends the pins again on ready)', async () => {
  await browser.close();
  await open();
  assert.equal(await count('#gradient-norms path.norm.pinned'), 6);
  assert.equal(await count('#learning-curves path.pinned'), 2);
});

test('Export sends the chart as an SVG document and a PNG of twice its size', async () => {
  await page.locator('#gradient-norms vscode-button[aria-label^="Export"]').click();
  await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'exportChart'));
  const sent = (await posted(page)).find((m) => (m as { type: string }).type === 'exportChart') as { chart: string; svg: string; png: string };
  assert.equal(sent.chart, 'gradient-norms');
  assert.match(sent.svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(sent.svg.match(/<path class="norm/g)?.length, 12, 'every line of the chart');
  const png = Buffer.from(sent.png, 'base64');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const width = Number(sent.svg.match(/width="(\d+)"/)![1]);
  assert.equal(png.readUInt32BE(16), 2 * width, 'the PNG is twice the chart\'s width');
  assert.deepEqual(await violations(page), [], 'drawing the SVG as an image stays within the CSP');
});

test('a panel opened after the run began draws its whole history, which the host recorded', async () => {
  await browser.close();
  const record = recorded(relu, 120);
  ({ browser, page } = await openPanel([{ type: 'status', status }, { type: 'snapshot', snapshot: snapshots[snapshots.length - 1] }, { type: 'pins', pins: [] }, { type: 'history', record }]));
  const points = await page.locator('#gradient-norms path.norm').evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-key'), p.getAttribute('data-points')]));
  assert.deepEqual(points, record.layers.map((name) => [`dW:${name.split(' ')[1]}`, '120']));
  assert.ok((await page.locator('#learning-curves path.loss-raw').getAttribute('d'))!.split('L').length >= 120, 'the loss of every recorded step');
});
