import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mnistImage, SIDE } from '../../webview/digitImage';

const PAD = 280;

/** A pad with ink 1 on the rectangle [x0, x1) x [y0, y1). */
function rectangle(x0: number, y0: number, x1: number, y1: number, value = 1): Float32Array {
  const ink = new Float32Array(PAD * PAD);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * PAD + x] = value;
  return ink;
}

/** The image's non-zero pixels as "row,column" strings. */
function inked(image: Float32Array): Set<string> {
  const s = new Set<string>();
  image.forEach((v, p) => v > 0 && s.add(`${Math.floor(p / SIDE)},${p % SIDE}`));
  return s;
}

function block(rows: [number, number], cols: [number, number]): Set<string> {
  const s = new Set<string>();
  for (let r = rows[0]; r <= rows[1]; r++) for (let c = cols[0]; c <= cols[1]; c++) s.add(`${r},${c}`);
  return s;
}

test('a 100 x 50 block of ink becomes a 20 x 10 block of ones, centred by its centre of mass: rows 9 to 18, columns 4 to 23', () => {
  const image = mnistImage(rectangle(30, 60, 130, 110), PAD, PAD)!;
  assert.deepEqual(inked(image), block([9, 18], [4, 23]));
  assert.ok(image.every((v) => v === 0 || v === 1));
});

test('where the ink is on the pad does not matter, only its shape', () => {
  const a = mnistImage(rectangle(30, 60, 130, 110), PAD, PAD)!, b = mnistImage(rectangle(170, 200, 270, 250), PAD, PAD)!;
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('scaling averages the ink over each pixel\'s area: a 30-pixel square of ink 1 is a 20 x 20 block, a square of 0.5 half as bright', () => {
  const full = mnistImage(rectangle(0, 0, 30, 30), PAD, PAD)!, half = mnistImage(rectangle(0, 0, 30, 30, 0.5), PAD, PAD)!;
  assert.deepEqual(inked(full), block([4, 23], [4, 23]));
  for (let p = 0; p < SIDE * SIDE; p++) assert.ok(Math.abs(half[p] - full[p] / 2) < 1e-6);
  // 30 pixels onto 20: each covers 1.5. Ink 1 left of x = 16 and 0.5 right of it: the pixel over [15, 16.5) is (1 + 0.5 * 0.5) / 1.5.
  const ink = rectangle(0, 0, 30, 30, 0.5);
  for (let y = 0; y < 30; y++) ink.fill(1, y * PAD, y * PAD + 16);
  const image = mnistImage(ink, PAD, PAD)!, row = Array.from(image.subarray(14 * SIDE, 15 * SIDE)), left = row.findIndex((v) => v > 0);
  assert.deepEqual(row.slice(left + 9, left + 12).map((v) => +v.toFixed(6)), [1, 0.833333, 0.5]);
});

test('the centre of mass, not the box, is centred: a bar with a heavy end sits off the box\'s centre', () => {
  // A 200 x 20 bar whose right half is twice as dark: its mass lies right of its middle.
  const ink = rectangle(40, 100, 140, 120, 0.5);
  for (let y = 100; y < 120; y++) for (let x = 140; x < 240; x++) ink[y * PAD + x] = 1;
  const image = mnistImage(ink, PAD, PAD)!;
  // 20 x 2 after scaling; mass centre x = (5 * 0.5 + 15 * 1) / 1.5 = 11.67, so the bar starts at 14 - 11.67 = 2.33 -> column 2.
  assert.deepEqual(inked(image), block([13, 14], [2, 21]));
});

test('no ink, no image', () => {
  assert.equal(mnistImage(new Float32Array(PAD * PAD), PAD, PAD), null);
});
