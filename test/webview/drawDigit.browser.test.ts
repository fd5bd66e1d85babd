/**
 * Draw a digit, in Debian's Chromium with the panel's real bundle: strokes drawn
 * with the mouse, the 28 x 28 image the panel makes of them, and the readings
 * that this test, standing in for the host, answers with the real engine.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  DEFAULT_CONFIG, loadEmbeddedSplits, NO_STEPPING, Probe, takeSnapshot, Trainer, type HostMessage, type RunStatus, type SaliencyFor,
} from '../../engine';
import { ARTIFACTS, deliver as deliverTo, openPanel, posted } from './harness';

let browser: Browser;
let page: Page;
const data = loadEmbeddedSplits();
const trainer = new Trainer({ ...DEFAULT_CONFIG, hidden: [100], epochs: 2 }, data);
let probe: Probe;
const SIDE = 28;

const deliver = (message: HostMessage): Promise<void> => deliverTo(page, message);
const status: RunStatus = {
  state: 'paused', stepping: NO_STEPPING, config: DEFAULT_CONFIG, spec: null, source: 'embedded MNIST', epochs: [], final: null, message: null, divergence: null,
};

interface ReadDigit { type: 'readDigit'; id: number; pixels: Float32Array; saliencyFor: SaliencyFor }

/** The readings the panel has asked for, in order. */
async function reads(): Promise<ReadDigit[]> {
  return (await posted(page)).filter((m): m is ReadDigit => (m as { type: string }).type === 'readDigit');
}

let answered = 0;

/**
 * Answers the panel's requests as the host does, with the engine's readings,
 * until it stops asking (it asks one at a time, for its newest image): the last
 * request and its reading are those of the finished drawing.
 */
async function settle(): Promise<{ read: ReadDigit; reading: ReturnType<Probe['read']> }> {
  let last: { read: ReadDigit; reading: ReturnType<Probe['read']> } | null = null;
  for (let quiet = 0; quiet < 4 || !last;) {
    const read = (await reads()).filter((r) => r.id > answered).pop();
    if (!read) {
      quiet++;
      await page.waitForTimeout(50);
      continue;
    }
    quiet = 0;
    answered = read.id;
    last = { read, reading: probe.read(read.pixels, read.saliencyFor) };
    await deliver({ type: 'digit', digit: { id: read.id, reading: last.reading } });
  }
  return last;
}

/** Draws strokes on the pad with the mouse; points in the image's pixels (0 to 28), scaled to the pad's size on screen. */
async function draw(strokes: [number, number][][]): Promise<void> {
  const box = (await page.locator('.digit-pad').boundingBox())!, unit = box.width / SIDE;
  for (const stroke of strokes) {
    const [x0, y0] = stroke[0];
    await page.mouse.move(box.x + x0 * unit, box.y + y0 * unit);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x * unit, box.y + y * unit, { steps: 4 });
    await page.mouse.up();
  }
}

async function clear(): Promise<void> {
  await page.locator('#digit-clear').click();
}

/** Non-zero pixels of an image, as "row,column". */
function inked(image: ArrayLike<number>): string[] {
  const s: string[] = [];
  for (let p = 0; p < SIDE * SIDE; p++) if (image[p] > 0) s.push(`${Math.floor(p / SIDE)},${p % SIDE}`);
  return s;
}

function block(rows: [number, number], cols: [number, number]): string[] {
  const s: string[] = [];
  for (let r = rows[0]; r <= rows[1]; r++) for (let c = cols[0]; c <= cols[1]; c++) s.push(`${r},${c}`);
  return s;
}

before(async () => {
  // A network that reads digits well: two epochs of 784-100-10 on the embedded digits.
  while (!trainer.finished) trainer.runEpoch();
  probe = new Probe(trainer.network);
  ({ browser, page } = await openPanel([{ type: 'status', status }]));
  await page.locator('.digit-pad').scrollIntoViewIfNeeded();
});

after(async () => {
  await browser?.close();
});

test('the pad is named for what it does, and says so before anything is drawn', async () => {
  assert.match((await page.locator('.digit-pad').getAttribute('aria-label'))!, /^Draw a digit/);
  assert.equal(await page.locator('#draw-digit [role="status"]').textContent(), 'Draw a digit on the pad.');
});

test('a horizontal stroke anywhere on the pad becomes a bar 20 pixels long, two high, centred: rows 13 and 14, columns 4 to 23', async () => {
  for (const y of [5, 14, 24]) {
    await clear();
    await draw([[[4, y], [20, y]]]);
    const { pixels } = (await settle()).read;
    assert.deepEqual(inked(pixels), block([13, 14], [4, 23]), `a stroke at row ${y}`);
    assert.ok(pixels.slice(13 * SIDE + 6, 13 * SIDE + 22).every((v) => v > 0.3), 'the bar\'s inside is inked');
  }
  await clear();
  await draw([[[14, 3], [14, 25]]]);
  assert.deepEqual(inked((await settle()).read.pixels), block([4, 23], [13, 14]), 'and a vertical one the same, turned');
});

test('a real test digit, drawn stroke by stroke, is read as the engine reads the digit itself', async () => {
  // The first test digits that the network reads with confidence: drawn as one stroke per run of dark pixels in each row.
  const picks = [0, 1, 2, 3, 4].map((n) => Array.from(data.test.images.subarray(n * 784, (n + 1) * 784)));
  for (const image of picks) {
    const expected = probe.read(image, null).predicted;
    await clear();
    const strokes: [number, number][][] = [];
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++) {
        if (image[r * SIDE + c] < 0.5) continue;
        let end = c;
        while (end + 1 < SIDE && image[r * SIDE + end + 1] >= 0.5) end++;
        strokes.push([[c + 0.5, r + 0.5], [end + 0.5, r + 0.5]]);
        c = end;
      }
    }
    await draw(strokes);
    const { reading } = await settle();
    assert.equal(reading.predicted, expected, 'the drawing is read as the digit');
    await page.waitForFunction((k) => document.querySelector('#draw-digit [role="status"]')?.textContent?.startsWith(`The network reads ${k} `), expected);
    const bar = await page.locator('#draw-digit g.probability title').nth(expected).textContent();
    assert.equal(bar, `p(${expected}) = ${reading.probabilities[expected].toFixed(4)}`);
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'draw-digit.png') });
});

test('the saliency shown is the engine\'s float64 dL/dx, for the predicted digit or one picked', async () => {
  for (const choice of ['predicted', '3'] as const) {
    await page.evaluate((v) => {
      const menu = document.querySelector('#draw-digit vscode-dropdown') as HTMLElement & { value: string };
      menu.value = v;
      menu.dispatchEvent(new Event('change'));
    }, choice);
    const { read, reading } = await settle();
    assert.equal(read.saliencyFor, choice === 'predicted' ? 'predicted' : 3);
    await page.locator('#draw-digit .view-header vscode-button[aria-label^="Show"]').click();
    const cells = await page.locator('#draw-digit table tr').evaluateAll((rows) => rows.slice(1).map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent!)));
    await page.locator('#draw-digit .view-header vscode-button[aria-label^="Show"]').click();
    const gradient = reading.saliency!.gradient;
    assert.equal(cells.length, 10 + SIDE * SIDE, 'ten probabilities, then every pixel');
    let largest = 0;
    for (let p = 0; p < SIDE * SIDE; p++) {
      const [name, , dx] = cells[10 + p];
      assert.equal(name, `x[${Math.floor(p / SIDE)}, ${p % SIDE}]`);
      assert.ok(Math.abs(Number(dx) - gradient[p]) <= 5e-4 * Math.abs(gradient[p]) + 5e-5, `dL/dx of pixel ${p}: ${dx} against ${gradient[p]}`);
      largest = Math.max(largest, Math.abs(gradient[p]));
    }
    assert.ok(largest > 0, 'the saliency is not all zero');
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'draw-digit-saliency.png') });
});

test('Track makes the drawing the example the views follow: the host is told, and the layer graph shows it', async () => {
  await clear();
  await draw([[[14, 3], [14, 25]]]);
  const { read } = await settle();
  await page.locator('#digit-track').click();
  const track = (await posted(page)).filter((m) => (m as { type: string }).type === 'track').pop() as { digit: { pixels: Float32Array; target: number; name: string } };
  assert.deepEqual(Array.from(track.digit.pixels), Array.from(read.pixels));
  assert.equal(track.digit.target, 3, 'the digit the saliency is for');
  assert.equal(track.digit.name, 'the drawn digit');
  assert.equal(await page.locator('#digit-track').getAttribute('aria-pressed'), 'true');
  const snapshot = takeSnapshot(trainer, null);
  await deliver({ type: 'snapshot', snapshot: { ...snapshot, tracked: probe.track(track.digit.pixels, 3, snapshot.phase, track.digit.name) } });
  assert.equal(await page.locator('#layer-graph .input-label').textContent(), 'the drawn digit, as 3');
  await page.locator('#digit-track').click();
  const untrack = (await posted(page)).filter((m) => (m as { type: string }).type === 'track').pop() as { digit: null };
  assert.equal(untrack.digit, null);
  assert.equal(await page.locator('#digit-track').textContent(), 'Track');
});

test('Undo takes the last stroke back, and Clear empties the pad and the reading', async () => {
  await clear();
  await draw([[[4, 14], [20, 14]]]);
  const one = inked((await settle()).read.pixels);
  await draw([[[14, 3], [14, 25]]]);
  assert.notDeepEqual(inked((await settle()).read.pixels), one);
  await page.locator('#digit-undo').click();
  assert.deepEqual(inked((await settle()).read.pixels), one);
  await page.locator('#digit-clear').click();
  assert.equal(await page.locator('#draw-digit [role="status"]').textContent(), 'Draw a digit on the pad.');
});
