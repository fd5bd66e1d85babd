/**
 * The panel's real bundle in Debian's Chromium, on a page that stands in for VS
 * Code's webview host: the same page and CSP as the extension serves, an
 * acquireVsCodeApi that records what the panel posts, and snapshots from the real
 * engine training on the real embedded digits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  DEFAULT_CONFIG, Linear, loadEmbeddedSplits, NO_STEPPING, takeSnapshot, Trainer,
  type HostMessage, type Matrix, type RunStatus, type Snapshot,
} from '../../engine';
import { ARTIFACTS, deliver as deliverTo, openPanel, posted as postedBy, ROOT, violations } from './harness';

let browser: Browser;
let page: Page;
const trainer = new Trainer(DEFAULT_CONFIG, loadEmbeddedSplits());
const snapshots: Snapshot[] = [];
const status = (over: Partial<RunStatus> = {}): RunStatus => ({
  state: 'running', stepping: NO_STEPPING, config: DEFAULT_CONFIG, spec: null, source: 'embedded MNIST', epochs: [], final: null, message: null, divergence: null, ...over,
});

const deliver = (message: HostMessage): Promise<void> => deliverTo(page, message);
const posted = (): Promise<unknown[]> => postedBy(page);

async function count(selector: string): Promise<number> {
  return page.locator(selector).count();
}

function matrixOf(layer: number, name: 'W' | 'dW'): Matrix {
  const l = trainer.network.layers[layer] as Linear;
  return { layer, name, rows: l.outFeatures, cols: l.inFeatures, data: Float32Array.from(l.matrix(name)) };
}

before(async () => {
  // Real training, real digits: 60 steps of the homework network, a snapshot after each.
  for (let i = 0; i < 60; i++) {
    const s = trainer.trainStep();
    snapshots.push(takeSnapshot(trainer, s.batchAccuracy));
  }
  ({ browser, page } = await openPanel());
});

after(async () => {
  await browser?.close();
});

test('before any run, the panel says what it is for and offers Train, Open Example and Get Started', async () => {
  await deliver({ type: 'status', status: status({ state: 'idle', config: null }) });
  assert.ok(await page.locator('.intro').isVisible());
  assert.match((await page.locator('.intro').textContent())!, /Press Train/);
  assert.equal(await page.locator('#command-train').getAttribute('disabled'), null);
  assert.ok(await page.locator('.charts').isHidden());
  await page.locator('#welcome-openExample').click();
  await page.locator('#welcome-getStarted').click();
  const commands = (await posted()).filter((m) => (m as { type: string }).type === 'command');
  assert.deepEqual(commands.slice(-2), [{ type: 'command', command: 'openExample' }, { type: 'command', command: 'getStarted' }]);
});

test('time from opening the panel to its first drawn frame, with the host answering at once (printed)', async () => {
  const replies: HostMessage[] = [{ type: 'status', status: status() }, { type: 'snapshot', snapshot: snapshots[snapshots.length - 1] }];
  const fresh = await openPanel(replies);
  try {
    // The moment the layer graph's first unit is in the document; the frame ends right after.
    const drawn = await fresh.page.evaluate(() => new Promise<number>((resolve) => {
      const seen = (): boolean => document.querySelector('#layer-graph g.unit') !== null;
      if (seen()) return resolve(performance.now());
      new MutationObserver((_, observer) => {
        if (!seen()) return;
        observer.disconnect();
        resolve(performance.now());
      }).observe(document, { childList: true, subtree: true });
    }));
    const frame = await fresh.page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
    console.log(JSON.stringify(await fresh.page.evaluate(() => performance.getEntries().filter((e) => e.entryType !== 'resource').map((e) => [e.entryType, e.name.slice(-20), Math.round(e.startTime), Math.round(e.duration), ((e as unknown as { scripts?: { sourceFunctionName: string; duration: number; invoker: string }[] }).scripts ?? []).map((x) => [x.invoker, Math.round(x.duration)])]))));
    const script = fs.statSync(path.join(ROOT, 'dist/webview.js')).size;
    console.log(`first drawn frame: layer graph at ${drawn.toFixed(0)} ms, next frame at ${frame.toFixed(0)} ms after navigation (dist/webview.js ${script} bytes)`);
    assert.equal(await fresh.page.locator('#layer-graph g.unit[data-layer="3"]').count(), 10);
    assert.deepEqual(await violations(fresh.page), []);
  } finally {
    await fresh.browser.close();
  }
});

test('a running network: unit circles per layer, one norm line per layer, exactly the dropped units', async () => {
  await deliver({ type: 'status', status: status() });
  for (const s of snapshots) await deliver({ type: 'snapshot', snapshot: s });
  const last = snapshots[snapshots.length - 1];
  // linear 784→1000, relu, dropout: 24 of 1000 drawn; linear 1000→10 and the softmax: all 10.
  for (const [layer, expected] of [[0, 24], [1, 24], [2, 24], [3, 10], [4, 10]]) {
    assert.equal(await count(`#layer-graph g.unit[data-layer="${layer}"]`), expected, `layer ${layer}`);
  }
  assert.match((await page.locator('#layer-graph').textContent())!, /\+976/);
  assert.equal(await count('#layer-graph .input rect'), 784);
  // ||dW|| of the two linear layers, one point per snapshot.
  const lines = page.locator('#gradient-norms path.norm');
  assert.deepEqual(await lines.evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-key'), p.getAttribute('data-points')])), [['dW:0', '60'], ['dW:3', '60']]);
  const mask = last.tracked.masks[2]!;
  const dropped = mask.filter((m) => m === 0).length;
  assert.equal(await count('#dropout-masks rect.dropped'), dropped);
  assert.equal(await count('#dropout-masks rect.kept'), 1000 - dropped);
  const droppedUnits = await page.locator('#dropout-masks rect.dropped').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('x')) + 1000 * Number(r.getAttribute('y'))));
  assert.equal(new Set(droppedUnits).size, dropped);
  assert.match((await page.locator('#dropout-masks').textContent())!, new RegExp(`kept ${1000 - dropped} of 1000 = ${((1000 - dropped) / 1000).toFixed(3)} \\(1 − r = 0.50\\)`));
  assert.equal(await page.locator('#value-step').textContent(), `${last.step} (${last.step} of 1600 this epoch)`);
  assert.equal(await count('#learning-curves path.loss-raw'), 1);
  await page.locator('#gradient-norms-measure').click();
  assert.equal(await count('#gradient-norms path.norm'), 3, '||dL/d(input)|| of relu, dropout and the second linear layer');
  await page.locator('#gradient-norms-measure').click();
  // Every chart's text alternative: its numbers as a table.
  for (const id of ['layer-graph', 'gradient-norms', 'dropout-masks', 'learning-curves', 'inspector']) {
    assert.ok(await page.locator(`#${id} svg[role="img"][aria-labelledby="${id}-title"]`).count() === 1, `${id} has an accessible name`);
  }
  await page.locator('#gradient-norms .view-header vscode-button[aria-label^="Show"]').click();
  assert.ok(await page.locator('#gradient-norms table.data-table').isVisible());
  assert.equal(await page.locator('#gradient-norms table.data-table tr').count(), 1 + 2 * 20, 'the last 20 steps of both layers');
  assert.ok(await page.locator('#gradient-norms svg[role="img"]').isHidden());
  await page.locator('#gradient-norms .view-header vscode-button[aria-label^="Show"]').click();
  assert.deepEqual(await violations(page), []);
});

test('the layer graph asks for the weights behind its edges and draws the strongest, by sign', async () => {
  const asked = (await posted()) as { type: string; layer?: number; name?: string }[];
  assert.ok(asked.some((m) => m.type === 'requestMatrix' && m.layer === 3 && m.name === 'W'), 'it asks for W of the 1000 -> 10 layer');
  const W = matrixOf(3, 'W');
  await deliver({ type: 'matrix', matrix: W });
  // The 3 strongest of the 24 drawn dropout units into each of the 10 outputs.
  const edges = page.locator('#layer-graph .edges line');
  assert.equal(await edges.count(), 30);
  const shown = [0, ...Array.from({ length: 22 }, (_, i) => Math.round(((i + 1) * 999) / 23)), 999];
  const strongest = Array.from(W.data.subarray(0, 1000)).map((w, i) => ({ w, i })).filter((e) => shown.includes(e.i)).sort((a, b) => Math.abs(b.w) - Math.abs(a.w))[0];
  const colours = await edges.evaluateAll((ls) => ls.slice(0, 3).map((l) => l.getAttribute('stroke')));
  assert.equal(colours[0], strongest.w < 0 ? '#3794ff' : '#d18616', 'blue for negative weights, orange for positive');
});

test('clicking a unit posts the inspector\'s request for its layer, and the inspector shows the answer', async () => {
  await page.evaluate(() => { (window as unknown as { posted: unknown[] }).posted.length = 0; });
  await page.locator('#layer-graph g.unit[data-layer="3"][data-unit="7"]').click();
  const requests = await posted();
  assert.deepEqual(requests, [{ type: 'requestMatrix', layer: 3, name: 'dW' }, { type: 'requestMatrix', layer: 3, name: 'W' }]);
  const dW = matrixOf(3, 'dW');
  await deliver({ type: 'matrix', matrix: dW });
  const text = (await page.locator('#inspector').textContent())!;
  assert.match(text, /layer 3 \(linear\), unit 8 of 10/);
  assert.match(text, /dW of layer 3: 10000 values/);
  const norm = Math.sqrt(dW.data.reduce((s, v) => s + v * v, 0));
  assert.match(text, new RegExp(`‖dW‖_F: ${norm.toFixed(4).replace('.', '\\.')}`));
  // A refreshed dW (here ten times larger) redraws the histogram, not only the numbers.
  const axis = (): Promise<string | null> => page.locator('#inspector .histogram-dW .axis').textContent();
  const before = await axis();
  await deliver({ type: 'matrix', matrix: { ...dW, data: dW.data.map((v) => 10 * v) } });
  assert.notEqual(await axis(), before, 'the dW histogram follows a new matrix of the same size');
  // A first-layer unit: its incoming weights and their gradients as 28 x 28 images.
  await page.locator('#layer-graph g.unit[data-layer="0"]').nth(5).click();
  await deliver({ type: 'matrix', matrix: matrixOf(0, 'W') });
  await deliver({ type: 'matrix', matrix: matrixOf(0, 'dW') });
  assert.equal(await count('#inspector g.unit-image rect'), 2 * 784);
  // The gallery: 24 sampled units' weights over their gradients, 30 px a tile.
  assert.deepEqual(await page.locator('#inspector canvas.weight-gallery').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height, (c as HTMLCanvasElement).hidden]), [24 * 30, 60, false]);
  assert.deepEqual(await violations(page), []);
});

test('switching the theme changes the colours; screenshots of every view in both themes', async () => {
  const fill = (): Promise<string | null> => page.locator('#layer-graph .input rect').nth(0).getAttribute('fill');
  const dark = await fill();
  for (const theme of ['dark', 'light', 'high-contrast']) {
    await page.evaluate((t) => { document.body.className = `vscode-${t}`; }, theme);
    await page.waitForTimeout(100);
    for (const id of ['layer-graph', 'gradient-norms', 'dropout-masks', 'learning-curves', 'inspector']) {
      await page.locator(`#${id}`).screenshot({ path: path.join(ARTIFACTS, `panel-${id}-${theme}.png`) });
    }
    await page.screenshot({ path: path.join(ARTIFACTS, `panel-${theme}.png`), fullPage: true });
  }
  const highContrast = await fill();
  assert.equal(highContrast, 'rgb(0, 0, 0)', 'a blank pixel takes the high-contrast background');
  assert.notEqual(dark, highContrast, 'the background-centred colour scale follows the theme');
  await page.evaluate(() => { document.body.className = 'vscode-light'; });
  await page.waitForTimeout(100);
  assert.equal(await fill(), 'rgb(248, 248, 248)', 'a blank pixel takes the light background');
  await page.evaluate(() => { document.body.className = 'vscode-dark'; });
});

test('narrow and wide: the views fit the panel without overlapping', async () => {
  for (const width of [300, 1300]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    const boxes = await page.locator('.charts > .view').evaluateAll((views) => views.map((v) => {
      const r = v.getBoundingClientRect(), svg = (v.querySelector('svg') ?? v).getBoundingClientRect();
      return { id: v.id, left: r.left, right: r.right, top: r.top, bottom: r.bottom, svgRight: svg.right };
    }));
    for (const b of boxes) assert.ok(b.svgRight <= b.right + 1 && b.right <= width, `${b.id} at ${width}px: ${JSON.stringify(b)}`);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const overlap = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        assert.ok(!overlap, `${a.id} and ${b.id} overlap at ${width}px`);
      }
    }
    await page.screenshot({ path: path.join(ARTIFACTS, `panel-width-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 420, height: 900 });
});

test('20 snapshots a second of the 1000-unit network: frames per second, and a DOM that does not grow', async () => {
  const nodes = (): Promise<number> => page.evaluate(() => document.getElementsByTagName('*').length);
  // In the page, as VS Code would deliver them: 20 a second for 4 seconds, while frames are counted.
  const measured = await page.evaluate((list) => new Promise<{ frames: number; drawn: number; seconds: number }>((resolve) => {
    let frames = 0, sent = 0, step = 10000;
    const seen = new Set<string>();
    const started = performance.now();
    const frame = (): void => {
      frames++;
      seen.add(document.getElementById('value-step')!.textContent!);
      if (performance.now() - started < 4000) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const timer = setInterval(() => {
      const s = list[sent++ % list.length];
      window.postMessage({ type: 'snapshot', snapshot: { ...s, step: step++ } }, '*');
      if (performance.now() - started >= 4000) {
        clearInterval(timer);
        setTimeout(() => resolve({ frames, drawn: seen.size, seconds: (performance.now() - started) / 1000 }), 100);
      }
    }, 50);
  }), snapshots);
  const fps = measured.frames / measured.seconds;
  console.log(`panel at 20 snapshots/s: ${fps.toFixed(1)} frames/s, ${measured.drawn} distinct steps drawn of ${Math.round(measured.seconds * 20)} sent`);
  assert.ok(fps >= 20, `${fps.toFixed(1)} frames/s`);
  assert.ok(measured.drawn >= 0.8 * measured.seconds * 20, `only ${measured.drawn} snapshots drawn`);

  const send = async (n: number, from: number): Promise<void> => {
    for (let i = 0; i < n; i++) await deliver({ type: 'snapshot', snapshot: { ...snapshots[i % snapshots.length], step: from + i } });
  };
  await send(200, 20000);
  const before200 = await nodes();
  await send(800, 20200);
  const after1000 = await nodes();
  console.log(`DOM: ${before200} elements after 200 more updates, ${after1000} after 1,000`);
  // An axis may gain or lose a tick as the steps grow; anything kept per update would add hundreds.
  assert.ok(Math.abs(after1000 - before200) <= 30, `the DOM stays the same size, give or take an axis's ticks: ${before200} then ${after1000}`);
  const points = await page.locator('#gradient-norms path.norm').first().getAttribute('data-points');
  assert.ok(Number(points) <= 400, `the norm history is bounded (${points} points)`);
  assert.deepEqual(await violations(page), []);
});

test('the hyperparameter fields show the settings, write sound changes, and explain wrong ones', async () => {
  await deliver({ type: 'settings', settings: { hiddenLayers: [1000], activation: 'relu', dropoutRate: 0.5, learningRate: 0.01, momentum: 0, l2Lambda: 0, batchSize: 5, epochs: 10, seed: 42 } });
  await page.locator('.hyperparameters summary').click();
  assert.equal(await page.locator('#setting-learningRate').evaluate((f) => (f as HTMLInputElement).value), '0.01');
  assert.equal(await page.locator('#setting-hiddenLayers').evaluate((f) => (f as HTMLInputElement).value), '1000');
  await page.evaluate(() => { (window as unknown as { posted: unknown[] }).posted.length = 0; });
  const edit = async (key: string, text: string): Promise<void> => {
    const input = page.locator(`#setting-${key} input`);
    await input.fill(text);
    await input.press('Enter');
    await input.blur();
  };
  await edit('learningRate', '0.05');
  await edit('hiddenLayers', '128, 64');
  await edit('dropoutRate', '1');
  const updates = (await posted()).filter((m) => (m as { type: string }).type === 'updateSetting');
  assert.deepEqual(updates, [
    { type: 'updateSetting', key: 'learningRate', value: 0.05 },
    { type: 'updateSetting', key: 'hiddenLayers', value: [128, 64] },
  ]);
  assert.match((await page.locator('#setting-dropoutRate-error').textContent())!, /dropout rate must be in \[0, 1\), such as 0\.5, or 0 for none \(got 1\)/);
  await page.locator('.hyperparameters').screenshot({ path: path.join(ARTIFACTS, 'panel-hyperparameters-dark.png') });
});
