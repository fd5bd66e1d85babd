/**
 * The step-through view in Debian's Chromium, fed by the real engine stepping
 * the built-in network specs: the homework network on real digits, and the
 * class's worked example. What the panel shows for a selected unit (the TeX it
 * typesets, the numbers in it, the vectors it lists) is checked against the
 * engine's own records of the same sub-step.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  buildSpecRun, Linear, NO_STEPPING, parseSpec, SoftmaxCrossEntropy, SpecSession, takeSnapshot,
  type Float, type Matrix, type MatrixName, type RunStatus,
} from '../../engine';
import { ARTIFACTS, clearPosted, deliver, openPanel, posted, ROOT, violations } from './harness';

let browser: Browser;
let page: Page;

function session(example: string): SpecSession {
  const { spec } = parseSpec(fs.readFileSync(path.join(ROOT, 'extension/examples', example), 'utf8'));
  return new SpecSession(buildSpecRun(spec!));
}

function pausedOn(spec: string): RunStatus {
  return { state: 'paused', stepping: NO_STEPPING, config: null, spec, source: spec, epochs: [], final: null, message: null, divergence: null };
}

/** Shows the session's current sub-step, and answers the panel's requests for matrices as the host does. */
async function show(s: SpecSession): Promise<void> {
  await deliver(page, { type: 'snapshot', snapshot: takeSnapshot(s, null) });
  await answerRequests(s);
}

async function answerRequests(s: SpecSession): Promise<void> {
  const requests = (await posted(page)).filter((m): m is { type: 'requestMatrix'; layer: number; name: MatrixName } => (m as { type: string }).type === 'requestMatrix');
  await clearPosted(page);
  for (const { layer, name } of requests) {
    const l = s.network.layers[layer] as Linear;
    const matrix: Matrix = { layer, name, rows: l.outFeatures, cols: name.endsWith('W') ? l.inFeatures : 1, data: Float32Array.from(l[name]) };
    await deliver(page, { type: 'matrix', matrix });
  }
}

/** Clicks unit `unit` of a layer-graph column, and answers what that asks for. */
async function pick(s: SpecSession, column: number, unit: number): Promise<void> {
  await page.locator(`#layer-graph g.unit[data-layer="${column}"][data-unit="${unit}"]`).click();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await answerRequests(s);
}

/** The TeX of each line the view typesets for the selected unit. */
async function unitLines(): Promise<string[]> {
  return page.locator('#step-through .unit-formula .formula').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.tex!));
}

/** The numbers written in a TeX line, in order: decimals (a power of ten included), and zeros, which print as 0. */
function numbersIn(tex: string): number[] {
  return [...tex.matchAll(/-?\d+\.\d+(?:\\times 10\^\{-?\d+\})?|(?<=[ (])0(?![\d.])/g)].map((m) => Number(m[0].replace(/\\times 10\^\{(-?\d+)\}/, 'e$1')));
}

function near(actual: number, expected: number, what: string, tolerance = 5e-5): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: shown ${actual}, engine ${expected}`);
}

async function vectorText(key: string): Promise<string> {
  return (await page.locator(`#step-through .vector[data-key="${key}"] .vector-entries`).textContent())!;
}

/** What Copy as JSON sends to the clipboard for one of the listed vectors. */
async function copied(key: string): Promise<number[]> {
  await clearPosted(page);
  await page.locator(`#step-through .vector[data-key="${key}"] button.link`, { hasText: 'Copy as JSON' }).click();
  const [message] = (await posted(page)) as { type: string; text: string }[];
  assert.equal(message.type, 'copy');
  return JSON.parse(message.text) as number[];
}

function nonZeroIndices(a: Float, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length && out.length < count; i++) if (a[i] !== 0) out.push(i);
  return out;
}

before(async () => {
  ({ browser, page } = await openPanel());
});

after(async () => {
  await browser?.close();
});

/** The forward sum of a linear layer, term by term, for unit j. */
async function checkLinearForward(s: SpecSession, l: number, j: number, x: string, u: string): Promise<void> {
  const layer = s.network.layers[l] as Linear, X = l === 0 ? s.run.X : s.network.layers[l - 1].output;
  const n = layer.inFeatures, J = j + 1;
  const lines = await unitLines();
  assert.equal(lines[0], `${u}_{${J}} = \\sum\\limits_{i=1}^{${n}} w_{${J},i}\\, ${x}_{i} + b_{${J}}`);
  const terms = nonZeroIndices(X.subarray(0, n), 6);
  for (const i of terms) assert.ok(lines[1].includes(`w_{${J},${i + 1}}\\, ${x}_{${i + 1}}`), `term ${i + 1} written out: ${lines[1]}`);
  const numbers = numbersIn(lines[2]);
  assert.equal(numbers.length, 2 * terms.length + 2, lines[2]);
  terms.forEach((i, t) => {
    near(numbers[2 * t], layer.W[j * n + i], `w_${J},${i + 1}`);
    near(numbers[2 * t + 1], X[i], `${x}_${i + 1}`);
  });
  near(numbers[2 * terms.length], layer.b[j], `b_${J}`);
  near(numbers[2 * terms.length + 1], layer.output[j], `${u}_${J}`);
  // All n terms: shown on request, and copied as JSON they add up to the engine's value.
  const all = await copied('terms');
  assert.equal(all.length, n);
  near(all.reduce((p, q) => p + q, 0) + layer.b[j], layer.output[j], 'the sum of all terms plus b', 1e-4);
}

test('stepping through the homework network: the formula and numbers for a selected unit are the engine\'s', async () => {
  const s = session('homework-mnist.mlp.json');
  const net = s.network, [first, relu, dropout, second] = net.layers as [Linear, typeof net.layers[1], typeof net.layers[2], Linear];
  await deliver(page, { type: 'status', status: pausedOn('homework-mnist.mlp.json') });
  await show(s);
  assert.equal(await page.locator('#step-through .step-title').textContent(), 'Ready: Step Forward computes layer 0 (linear, 784 → 1000)');
  assert.equal(await page.locator('#step-through .formulas .formula').first().getAttribute('data-tex'), 'u = W_{1}\\, x + b_{1}');
  assert.match(await vectorText('input'), /^\(0, 0, 0, 0, 0, 0, 0, 0, … 776 more\)$/);

  // Forward, layer 0: u_j = sum_i w_ji x_i + b_j, for a unit picked in the graph.
  s.advance();
  await show(s);
  const j = Number(await page.locator('#layer-graph g.unit[data-layer="0"]').nth(5).getAttribute('data-unit'));
  await pick(s, 0, j);
  assert.equal(await page.locator('#step-through .step-title').textContent(), 'Forward: layer 0 (linear, 784 → 1000)');
  await checkLinearForward(s, 0, j, 'x', 'u');
  assert.ok(await page.locator(`#layer-graph g.unit[data-layer="0"][data-unit="${j}"] circle.involved`).count() === 1, 'the graph marks the unit');
  await page.locator('#step-through').screenshot({ path: path.join(ARTIFACTS, 'step-through-homework-forward.png') });
  await page.locator('#step-through .vector[data-key="terms"] button.link', { hasText: 'Show all 784' }).click();
  assert.equal((await vectorText('terms')).split(', ').length, 784);
  // What the panel shows is typeset: KaTeX's HTML, holding the engine's value.
  assert.ok((await page.locator('#step-through .unit-formula .katex-html').nth(2).textContent())!.includes(first.output[j].toFixed(4)));

  // Forward, relu: h_j = max(0, u_j).
  s.advance();
  await show(s);
  await pick(s, 1, j);
  let lines = await unitLines();
  assert.equal(lines[0], `h_{${j + 1}} = \\max(0, u_{${j + 1}})`);
  let numbers = numbersIn(lines[1]);
  near(numbers.at(-2)!, first.output[j], `u_${j + 1}`);
  near(numbers.at(-1)!, relu.output[j], `h_${j + 1}`);

  // Forward, dropout: s_j = m_j h_j / (1 - r), with this step's mask.
  s.advance();
  await show(s);
  await pick(s, 2, j);
  lines = await unitLines();
  assert.equal(lines[0], `s_{${j + 1}} = \\dfrac{m_{${j + 1}}\\, h_{${j + 1}}}{1 - r}`);
  const m = (dropout as unknown as { mask: Uint8Array }).mask[j];
  assert.ok(lines[1].startsWith(`= \\dfrac{${m} \\cdot `), lines[1]);
  numbers = numbersIn(lines[1]);
  near(numbers[0], relu.output[j], `h_${j + 1}`);
  near(numbers[1], 0.5, 'r');
  near(numbers[2], dropout.output[j], `s_${j + 1}`);

  // Forward, the second linear layer, for output unit 8.
  s.advance();
  await show(s);
  await pick(s, 3, 7);
  await checkLinearForward(s, 3, 7, 's', 'a');

  // The loss: z_k, the tracked example's -log z_y, and (z_k - y_k) / N, for its own class.
  s.advance();
  await show(s);
  const label = s.run.Y.subarray(0, 10).indexOf(1);
  await pick(s, 4, label);
  const loss = net.loss as SoftmaxCrossEntropy;
  lines = await unitLines();
  const z = loss.probabilities[label];
  near(numbersIn(lines[0]).at(-1)!, z, `z_${label + 1}`);
  assert.ok(lines[1].startsWith(`\\ell = -\\log z_{${label + 1}}`), lines[1]);
  near(numbersIn(lines[1]).at(-1)!, -Math.log(z), 'the tracked example\'s loss');
  assert.equal(lines[2], `\\dfrac{\\partial L}{\\partial a_{${label + 1}}} = \\dfrac{z_{${label + 1}} - y_{${label + 1}}}{N}`);
  numbers = numbersIn(lines[3]);
  near(numbers[0], z, 'z');
  near(numbers[1], 1, 'y');
  near(numbers[2], loss.gradInput[label], 'dL/da');

  // Backward, the second linear layer: dL/db_k, dL/dw_ki = dL/da_k s_i, and the gradient passed down.
  s.advance();
  await show(s);
  await pick(s, 3, label);
  lines = await unitLines();
  const g = second.gradOutput![label];
  near(numbersIn(lines[0])[0], g, `dL/db_${label + 1}`);
  const S = dropout.output, inputs = nonZeroIndices(S.subarray(0, 1000), 3);
  inputs.forEach((i, t) => {
    assert.ok(lines[1 + t].startsWith(`\\dfrac{\\partial L}{\\partial w_{${label + 1},${i + 1}}}`), lines[1 + t]);
    const [dl, si, product] = numbersIn(lines[1 + t]);
    near(dl, g, 'dL/da');
    near(si, S[i], `s_${i + 1}`);
    near(product, g * S[i], 'the product');
  });
  let best = 0;
  for (let i = 1; i < 1000; i++) if (Math.abs(second.gradInput![i]) > Math.abs(second.gradInput![best])) best = i;
  const passed = lines[1 + inputs.length];
  assert.equal(passed, `\\dfrac{\\partial L}{\\partial s_{${best + 1}}} = \\sum\\limits_{j} w_{j,${best + 1}}\\, \\dfrac{\\partial L}{\\partial a_{j}}`);
  const down = numbersIn(lines[2 + inputs.length]);
  assert.equal(down.length, 2 * 10 + 1, 'all 10 terms of the sum');
  for (let k = 0; k < 10; k++) {
    near(down[2 * k], second.W[k * 1000 + best], `w_${k + 1},${best + 1}`);
    near(down[2 * k + 1], second.gradOutput![k], `dL/da_${k + 1}`);
  }
  near(down[20], second.gradInput![best], `dL/ds_${best + 1}`);
  assert.match((await page.locator('#step-through .step-note').textContent())!, new RegExp(`over the batch of 5, ∂L/∂b_${label + 1} = ${second.db[label].toFixed(4)}`));
  const dWRow = await copied('dW');
  dWRow.forEach((v, i) => near(v, second.dW[label * 1000 + i], `dW_${label + 1},${i + 1}`, 1e-7));

  // Backward through dropout, then relu: dL/du_j = dL/dh_j 1[u_j > 0].
  s.advance();
  s.advance();
  await show(s);
  await pick(s, 1, j);
  lines = await unitLines();
  assert.equal(lines[0], `\\dfrac{\\partial L}{\\partial u_{${j + 1}}} = \\dfrac{\\partial L}{\\partial h_{${j + 1}}}\\, \\mathbb{1}[u_{${j + 1}} > 0]`);
  assert.ok(lines[1].includes(`\\cdot ${first.output[j] > 0 ? 1 : 0} =`), lines[1]);
  near(numbersIn(lines[1]).at(-1)!, relu.gradInput![j], `dL/du_${j + 1}`);

  // Backward, the first layer, then the update.
  s.advance();
  await show(s);
  await pick(s, 0, j);
  near(numbersIn((await unitLines())[0])[0], first.gradOutput![j], `dL/db_${j + 1}`);
  s.update();
  await show(s);
  assert.equal(await page.locator('#step-through .step-title').textContent(), 'Update applied: step 1 done');
  const caption = (await page.locator('#step-through .vector[data-key="W"] .vector-caption').textContent())!;
  const row = Number(/row (\d+) of W_2/.exec(caption)![1]) - 1;
  const W = await copied('W');
  W.forEach((v, i) => near(v, second.W[row * 1000 + i], `updated w_${row + 1},${i + 1}`, 1e-7));
  assert.deepEqual(await violations(page), []);
  await page.locator('#step-through').screenshot({ path: path.join(ARTIFACTS, 'step-through-homework.png') });
});

test('the worked example in the panel: the numbers of the hand calculation', async () => {
  const s = session('worked-example-3-2-2.mlp.json');
  await deliver(page, { type: 'status', status: pausedOn('worked-example-3-2-2.mlp.json') });
  await show(s);
  // Three inputs are a column of units, not a picture; squared error has no softmax column.
  assert.equal(await page.locator('#layer-graph g.unit[data-layer="-1"]').count(), 3);
  assert.equal(await page.locator('#layer-graph g.unit[data-layer="4"]').count(), 0);
  const forward: [string, string][] = [['u^{(1)}', '(4.3000, 5.3000)'], ['h^{(1)}', '(0.9866, 0.9950)'], ['u^{(2)}', '(2.0862, 1.3888)'], ['a', '(0.8896, 0.8004)']];
  for (const [name, values] of forward) {
    s.advance();
    await show(s);
    assert.equal(await vectorText('output'), values, name);
    assert.equal(await page.locator('#step-through .formulas .formula').first().getAttribute('data-tex').then((t) => t!.split(' = ')[0]), name);
  }
  s.advance();
  await show(s);
  assert.equal((await unitLines())[0], '\\ell = 0.5932');
  s.advance();
  s.advance();
  await show(s);
  // Backward through the second linear layer: dE/dw2[0,j] (the biases) and dE/da1.
  for (const [unit, expected] of [[0, '0.0776'], [1, '0.1199']] as const) {
    await pick(s, 2, unit);
    assert.equal((await unitLines())[0], `\\dfrac{\\partial L}{\\partial b_{${unit + 1}}} = \\dfrac{\\partial L}{\\partial u^{(2)}_{${unit + 1}}} = ${expected}`);
  }
  assert.equal(await vectorText('gradInput'), '(0.1502, 0.0818)');
  s.advance();
  s.advance();
  await show(s);
  // The first layer: dE/dw1[0,1] (the bias) and dE/dw1[3,1] = dE/du_1 * x_3.
  await pick(s, 0, 0);
  const lines = await unitLines();
  assert.equal(lines[0], '\\dfrac{\\partial L}{\\partial b_{1}} = \\dfrac{\\partial L}{\\partial u^{(1)}_{1}} = 0.0020');
  assert.match(lines[3], /^\\dfrac\{\\partial L\}\{\\partial w_\{1,3\}\} = .* = 0\.0099$/);
  assert.deepEqual(await violations(page), []);
  await page.locator('#step-through').screenshot({ path: path.join(ARTIFACTS, 'step-through-worked-example.png') });
  await page.screenshot({ path: path.join(ARTIFACTS, 'step-through-worked-example-panel.png'), fullPage: true });
});
