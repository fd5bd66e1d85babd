/**
 * The confusion matrix and its gallery of misclassified digits, in Debian's
 * Chromium with the panel's real bundle; the counts and the digits come from the
 * real engine's evaluation of a network trained here on the embedded digits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  DEFAULT_CONFIG, loadEmbeddedSplits, MAX_GALLERY, NO_STEPPING, Probe, takeSnapshot, Trainer,
  type ConfusionCell, type EpochResult, type Evaluation, type HostMessage, type RunStatus,
} from '../../engine';
import { ARTIFACTS, deliver as deliverTo, openPanel, posted } from './harness';

let browser: Browser;
let page: Page;
const data = loadEmbeddedSplits();
const config = { ...DEFAULT_CONFIG, hidden: [32], epochs: 1 };
const trainer = new Trainer(config, data);
let epoch: EpochResult;
let evaluation: Evaluation;

const deliver = (message: HostMessage): Promise<void> => deliverTo(page, message);
const status = (epochs: EpochResult[]): RunStatus => ({
  state: 'finished', stepping: NO_STEPPING, config, spec: null, source: 'embedded MNIST', epochs, final: null, message: null, divergence: null,
});

/** What the worker answers for a cell: the validation digits of that true class read as that other class. */
function cellOf(trueClass: number, predicted: number): ConfusionCell {
  const v = data.validation, digits: { index: number; pixels: Float32Array }[] = [];
  let count = 0;
  for (let n = 0; n < v.count; n++) {
    if (v.labels[n] !== trueClass || evaluation.predicted[n] !== predicted) continue;
    if (count++ < MAX_GALLERY) digits.push({ index: n, pixels: v.images.slice(n * 784, (n + 1) * 784) });
  }
  return { trueClass, predicted, epoch: 1, count, digits };
}

before(async () => {
  epoch = trainer.runEpoch()!;
  evaluation = trainer.evaluate(data.validation);
  ({ browser, page } = await openPanel([{ type: 'status', status: status([epoch]) }]));
  await page.locator('#confusion-matrix').scrollIntoViewIfNeeded();
});

after(async () => {
  await browser?.close();
});

test('the matrix shows the engine\'s counts: 100 cells, their hover text, and the table alternative', async () => {
  assert.deepEqual(evaluation.confusion, epoch.confusion, 'the epoch\'s matrix is the evaluation\'s');
  assert.equal(await page.locator('#confusion-matrix g.cell').count(), 100);
  const titles = await page.locator('#confusion-matrix g.cell title').allTextContents();
  titles.forEach((title, i) => assert.match(title, new RegExp(`^true ${Math.floor(i / 10)}, predicted ${i % 10}: ${epoch.confusion[i]} digits?`)));
  await page.locator('#confusion-matrix vscode-button[aria-label^="Show"]').click();
  const rows = await page.locator('#confusion-matrix table tr').evaluateAll((trs) => trs.slice(1).map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent!)));
  await page.locator('#confusion-matrix vscode-button[aria-label^="Show"]').click();
  assert.deepEqual(rows.map((r) => r.slice(1).map(Number)).flat(), epoch.confusion);
});

test('a cell off the diagonal opens its digits; choosing one tracks it, and its saliency for its true class is drawn', async () => {
  const worst = epoch.confusion.reduce((best, c, i) => (i % 11 !== 0 && c > epoch.confusion[best] ? i : best), 1);
  const [t, p] = [Math.floor(worst / 10), worst % 10];
  assert.ok(epoch.confusion[worst] > 0, 'the network gets some digits wrong');
  await page.locator('#confusion-matrix g.cell').nth(worst).click();
  const asked = (await posted(page)).filter((m) => (m as { type: string }).type === 'confusionCell').pop();
  assert.deepEqual(asked, { type: 'confusionCell', trueClass: t, predicted: p });
  const cell = cellOf(t, p);
  await deliver({ type: 'confusionCell', cell });
  assert.equal(await page.locator('#misclassified .gallery-digit').count(), cell.digits.length);
  assert.match((await page.locator('#misclassified .gallery-caption').first().textContent())!, new RegExp(`^True ${t}, read as ${p}: ${cell.count} digit`));
  // The gallery's digits are read as the cell says.
  const probe = new Probe(trainer.network);
  for (const d of cell.digits) assert.equal(probe.read(d.pixels, null).predicted, p);

  await page.locator('#misclassified .gallery-digit').first().click();
  const track = (await posted(page)).filter((m) => (m as { type: string }).type === 'track').pop() as { digit: { pixels: Float32Array; target: number; name: string } };
  assert.equal(track.digit.name, `validation digit ${cell.digits[0].index}`);
  assert.equal(track.digit.target, t, 'followed for its true class');
  assert.deepEqual(Array.from(track.digit.pixels), Array.from(cell.digits[0].pixels));
  const snapshot = takeSnapshot(trainer, null);
  await deliver({ type: 'snapshot', snapshot: { ...snapshot, tracked: probe.track(track.digit.pixels, t, snapshot.phase, track.digit.name) } });
  assert.equal(await page.locator('#misclassified .gallery-digit').first().getAttribute('aria-pressed'), 'true');
  assert.match((await page.locator('#misclassified .digit-row .gallery-caption').textContent())!, new RegExp(`^Tracked: dL/dx for its true class ${t}\\.`));
  assert.equal(await page.locator('#layer-graph .input-label').textContent(), `validation digit ${cell.digits[0].index}, as ${t}`);
  await page.locator('#misclassified').screenshot({ path: path.join(ARTIFACTS, 'misclassified.png') });
  await page.locator('#confusion-matrix').screenshot({ path: path.join(ARTIFACTS, 'confusion-matrix.png') });
});

test('the keyboard opens a cell too, and the diagonal opens nothing', async () => {
  const before = (await posted(page)).length;
  await page.locator('#confusion-matrix g.cell').nth(0).dispatchEvent('click');
  assert.equal((await posted(page)).length, before, 'a diagonal cell is what the network got right');
  const cell = epoch.confusion.findIndex((c, i) => i % 11 !== 0 && c > 0);
  await page.locator('#confusion-matrix g.cell').nth(cell).focus();
  await page.keyboard.press('Enter');
  const asked = (await posted(page)).filter((m) => (m as { type: string }).type === 'confusionCell').pop();
  assert.deepEqual(asked, { type: 'confusionCell', trueClass: Math.floor(cell / 10), predicted: cell % 10 });
});
