/**
 * The panel's banners, with snapshots from the real engine: a run that diverged
 * (a learning rate of 1e30), ReLUs that died (1.0) and a loss that explodes
 * (momentum 0.99 with tanh), against the homework's run that warns of nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_CONFIG, loadEmbeddedSplits, NO_STEPPING, takeSnapshot, Trainer, type RunStatus, type TrainingConfig } from '../../engine';
import { ARTIFACTS, deliver, openPanel, violations } from './harness';

let browser: Browser;
let page: Page;
const errors: string[] = [];
const data = loadEmbeddedSplits();

function status(config: TrainingConfig, over: Partial<RunStatus> = {}): RunStatus {
  return { state: 'running', stepping: NO_STEPPING, config, spec: null, source: 'embedded MNIST', epochs: [], final: null, message: null, divergence: null, ...over };
}

const text = (selector: string): Promise<string> => page.locator(selector).innerText();
const visible = (selector: string): Promise<boolean> => page.locator(selector).isVisible();

/** A fresh run in the panel: `steps` steps of `config`, a snapshot every `every` steps, as the host sends them. */
async function train(config: TrainingConfig, steps: number, every: number, seen: string[] = []): Promise<Trainer> {
  await deliver(page, { type: 'status', status: status(config, { state: 'loading' }) });
  await deliver(page, { type: 'status', status: status(config) });
  const trainer = new Trainer(config, data);
  for (let s = 1; s <= steps; s++) {
    const result = trainer.trainStep();
    if (result.divergence) break;
    if (s % every !== 0) continue;
    await deliver(page, { type: 'snapshot', snapshot: takeSnapshot(trainer, result.batchAccuracy) });
    if (await visible('#run-warnings')) seen.push(`step ${s}: ${await text('#run-warnings')}`);
  }
  return trainer;
}


before(async () => {
  ({ browser, page } = await openPanel());
  page.on('pageerror', (e) => errors.push(e.message));
});

after(async () => {
  assert.deepEqual(errors, [], 'no errors in the page');
  assert.deepEqual(await violations(page), []);
  await browser.close();
});

test('a diverged run: a banner says where and why, the layer is marked in the graph, and a NaN loss arriving as null breaks nothing', async () => {
  const config = { ...DEFAULT_CONFIG, learningRate: 1e30, momentum: 0.99 };
  const trainer = await train(config, 10, 1);
  const divergence = trainer.divergence!;
  assert.equal(divergence.step, 2);
  const snapshot = takeSnapshot(trainer, null);
  // VS Code's webviews receive JSON, where NaN is null.
  await deliver(page, { type: 'snapshot', snapshot: { ...snapshot, loss: null as unknown as number, dataLoss: null as unknown as number } });
  await deliver(page, { type: 'status', status: status(config, { state: 'paused', divergence, message: divergence.message }) });
  assert.ok(await visible('#divergence'));
  assert.equal(await page.locator('#divergence').getAttribute('role'), 'alert');
  const banner = await text('#divergence');
  assert.match(banner, /^Training diverged at step 2, epoch 1/);
  assert.match(banner, /The first NaN appeared in the output of layer 3 \(linear\) in the forward pass\./);
  assert.match(banner, /Likely cause: the learning rate 1e\+30 is far too large for this network; 0\.01 is the homework's value\./);
  assert.match(banner, /paused at that step and its update was not applied/);
  assert.equal(await text('#run-message'), '', 'said once, in the banner');
  assert.equal(await page.locator('#command-resume[disabled]').count(), 1, 'a diverged run cannot be resumed');
  assert.equal(await page.locator('#command-train[disabled]').count(), 1);
  assert.equal(await page.locator('#command-stop:not([disabled])').count(), 1);
  assert.equal(await text('#value-loss'), '–');
  // The graph's columns are the input picture, then layers 0..3, then the softmax: layer 3 is the fifth.
  const marked = page.locator('#layer-graph rect.diverged-layer');
  assert.equal(await marked.count(), 1);
  const column = await page.evaluate(() => {
    const rect = document.querySelector('#layer-graph rect.diverged-layer')!.getBoundingClientRect();
    const units = [...document.querySelectorAll('#layer-graph g.unit')].map((u) => u.getBoundingClientRect());
    return units.filter((u) => u.left >= rect.left && u.right <= rect.right).length;
  });
  assert.equal(column, 10, 'the ten units of layer 3 lie inside the marked column');
  await page.screenshot({ path: path.join(ARTIFACTS, 'diverged.png'), fullPage: true });
  await train(DEFAULT_CONFIG, 5, 5);
  assert.ok(!(await visible('#divergence')), 'a new run clears the banner');
});

test("dead ReLUs after a learning rate of 1.0 get a warning that does not stop the run; the homework's run gets none", async () => {
  await train({ ...DEFAULT_CONFIG, learningRate: 1, dropout: 0 }, 200, 20);
  assert.ok(await visible('#run-warnings'));
  assert.equal(await page.locator('#run-warnings').getAttribute('role'), 'status');
  assert.match(await text('#run-warnings'), /^Layer 1 \(relu\): (9[5-9]|100)% of its outputs are 0\. Almost all its units are dead/);
  assert.ok(!(await visible('#divergence')));
  await train(DEFAULT_CONFIG, 400, 20);
  assert.ok(!(await visible('#run-warnings')), await text('#run-warnings').catch(() => ''));
});

test('a loss that keeps growing (tanh, momentum 0.99) gets a warning', async () => {
  const seen: string[] = [];
  await train({ ...DEFAULT_CONFIG, hidden: [128], activation: 'tanh', dropout: 0, learningRate: 0.05, momentum: 0.99 }, 600, 15, seen);
  console.log(`the warning, first seen at ${seen[0]?.split(':')[0]}`);
  assert.ok(seen.length > 0, 'the warning appeared');
  assert.match(seen[0], /The loss keeps growing: it more than doubled over the last 20 updates\. The learning rate is likely too large/);
});
