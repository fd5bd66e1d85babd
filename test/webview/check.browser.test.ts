/**
 * The Check view in Debian's Chromium, fed reports that the real checker made
 * by running homework fixtures in Debian's python3: rows, the failure's hint and
 * first entry, heat maps whose marked entries are exactly the differing ones,
 * and Explain this entry with the reference's numbers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { checkFile, type CheckReport } from '../../engine';
import { texNumber } from '../../webview/notation';
import { ARTIFACTS, clearPosted, deliver, openPanel, posted, ROOT, violations } from './harness';

const FIXTURES = path.join(ROOT, 'test/fixtures/check');
let browser: Browser;
let page: Page;
/** The report the panel shows now. */
let shown: CheckReport;

before(async () => {
  ({ browser, page } = await openPanel());
});

after(async () => {
  await browser?.close();
});

async function show(file: string): Promise<CheckReport> {
  const report = await checkFile(path.join(FIXTURES, file), { python: '/usr/bin/python3' });
  await deliver(page, { type: 'check', check: { file: report.file, report } });
  shown = report;
  return report;
}

test('a report shows a row per check, the failure with its hint and first entry, and no CSP violations', async () => {
  const report = await show('csci567/mistake_transposed_dW.py');
  assert.equal(await page.locator('#check-view').isVisible(), true);
  assert.equal(await page.locator('.check-summary').textContent(), 'mistake_transposed_dW.py (csci567): 16 passed, 1 failed, 2 skipped');
  assert.equal(await page.locator('.check-row').count(), report.checks.length);
  assert.equal(await page.locator('.check-row.passed').count(), 16);
  assert.equal(await page.locator('.check-row.skipped').first().textContent(), '– sigmoid.forward output: skipped, not defined in mistake_transposed_dW.py (no sigmoid)');
  assert.equal(await page.locator('.check-row.failed').textContent(), '✗ linear_layer.backward dW');
  assert.match((await page.locator('.check-detail .check-hint').textContent())!, /^Hint: dW \(= X\.T @ grad, shaped like W\) is transposed/);
  const failure = report.checks.find((c) => c.ok === false)!;
  assert.equal(await page.locator('.check-first').textContent(),
    `First wrong entry dW[${failure.first!.index.join(', ')}]: yours ${Number(failure.first!.actual.toPrecision(6))}, expected ${Number(failure.first!.expected.toPrecision(6))}. ${failure.mismatches} of 30 entries differ.`);
  assert.match((await page.locator('.check-own').textContent())!, /does not match your own forward/);
  assert.deepEqual(await violations(page), []);
});

test('heat maps: expected and yours in their own shapes; with shapes that differ nothing is marked', async () => {
  assert.equal(await page.locator('.check-heatmap-expected rect.cell').count(), 30);
  assert.equal(await page.locator('.check-heatmap-actual rect.cell').count(), 30);
  assert.equal(await page.locator('.check-heatmap-expected svg').getAttribute('aria-label'), 'Expected (Backprop Lens): 6 by 5');
  assert.equal(await page.locator('.check-heatmap-actual figcaption').textContent(), 'Yours (5 × 6)');
});

test('the marked entries are exactly the differing ones, and Explain this entry gives its formula with the reference numbers', async () => {
  const report = await show('csci567/mistake_loss_missing_mean.py');
  const failure = report.checks.find((c) => c.ok === false)!;
  assert.equal(await page.locator('.check-heatmap-expected rect.differs').count(), failure.mismatches);
  await page.locator('#check-explain').click();
  const tex = await page.locator('.check-explain .formula').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.tex!));
  assert.equal(await page.locator('.check-explain-title').textContent(), 'dX[0, 0] should be:');
  assert.match(tex[0], /\\dfrac\{z_\{0,0\} - \\mathbb\{1\}\[y_\{0\} = 0\]\}\{N\}/);
  assert.ok(tex[1].endsWith(`= ${texNumber(failure.first!.expected)}`), tex[1]);
  // Clicking another entry explains that one.
  await page.locator('.check-heatmap-expected rect.cell[data-index="7"]').click();
  assert.equal(await page.locator('.check-explain-title').textContent(), 'dX[1, 2] should be:');
  await page.screenshot({ path: path.join(ARTIFACTS, 'check-view.png'), fullPage: true });
});

test("a linear layer's entry is explained as its sum, term by term, equal to the reference", async () => {
  const report = await show('csci567/mistake_dW_extra_mean.py');
  await page.locator('#check-explain').click();
  const [formula, numbers] = await page.locator('.check-explain .formula').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.tex!));
  assert.equal(formula, '\\dfrac{\\partial L}{\\partial W_{0,0}} = \\sum_n X_{n,0} \\mathit{grad}_{n,0}');
  const failure = report.checks.find((c) => c.ok === false)!;
  const { tensors } = failure.detail.inputs;
  const terms = [0, 1, 2, 3].map((n) => tensors.X.data[n * 6] * tensors.grad.data[n * 5]);
  assert.ok(Math.abs(terms.reduce((a, b) => a + b) - failure.first!.expected) < 1e-12, 'the terms add up to the reference');
  assert.equal(numbers.split(' + ').length, 4, 'one term per example');
  assert.ok(numbers.endsWith(`= ${texNumber(failure.first!.expected)}`));
});

test('Go to the definition and Check again post their messages; a file that cannot be checked says why', async () => {
  await clearPosted(page);
  await page.locator('.check-location').click();
  await page.locator('#check-again').click();
  const messages = await posted(page);
  assert.deepEqual(messages, [{ type: 'revealCheck', index: shown.checks.findIndex((c) => c.ok === false) }, { type: 'checkAgain' }]);
  await deliver(page, { type: 'check', check: { file: '/home/student/hw/neural_networks.py', error: 'neural_networks.py line 5: SyntaxError: invalid syntax' } });
  assert.equal(await page.locator('.check-summary').textContent(), 'neural_networks.py could not be checked: neural_networks.py line 5: SyntaxError: invalid syntax');
  assert.equal(await page.locator('.check-row').count(), 0);
  assert.deepEqual(await violations(page), []);
});

