import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historiesCsv, parsePinnedRuns } from '../../engine';
import { recorded } from './helpers';

/** The CSV's rows as numbers, empty cells as null. */
function parse(csv: string): { head: string[]; rows: (number | null)[][] } {
  const [head, ...rows] = csv.trim().split('\n').map((line) => line.split(','));
  return { head, rows: rows.map((r) => r.map((c) => (c === '' ? null : Number(c)))) };
}

test('a recorded run keeps every step\'s loss and each linear layer\'s ||dW||, and each epoch\'s validation accuracy', () => {
  const r = recorded();
  assert.equal(r.steps.length, 160, '2 epochs of 80 steps');
  assert.deepEqual(r.layers, ['layer 0 linear', 'layer 3 linear', 'layer 6 linear']);
  assert.ok(r.gradNorms.every((n) => n.length === 160 && n.every((v) => v > 0)));
  assert.equal(r.validation.length, 2);
  assert.equal(r.stepsPerEpoch, 80);
});

test('the histories CSV parses back to the record: steps, losses, norms, and the accuracy at each epoch\'s last step', () => {
  const r = recorded(), { head, rows } = parse(historiesCsv(r));
  assert.deepEqual(head, ['step', 'loss', 'validation accuracy', 'layer 0 linear ||dW||', 'layer 3 linear ||dW||', 'layer 6 linear ||dW||']);
  assert.deepEqual(rows.map((row) => row[0]), r.steps);
  assert.deepEqual(rows.map((row) => row[1]), r.loss);
  r.gradNorms.forEach((norms, l) => assert.deepEqual(rows.map((row) => row[3 + l]), norms));
  assert.deepEqual(rows.filter((row) => row[2] !== null).map((row) => [row[0], row[2]]), r.validation.map(([e, a]) => [e * 80, a]));
});

test('pinned runs survive JSON (the workspace state) and anything out of shape is refused', () => {
  const pinned = [{ ...recorded(undefined, 30), id: 1 }];
  assert.deepEqual(parsePinnedRuns(JSON.parse(JSON.stringify(pinned))), pinned);
  assert.equal(parsePinnedRuns([{ ...pinned[0], loss: pinned[0].loss.slice(1) }]), null, 'a loss per step');
  assert.equal(parsePinnedRuns([{ ...pinned[0], config: { hidden: 'x' } }]), null, 'a training config');
  assert.equal(parsePinnedRuns(Array(6).fill(pinned[0])), null, 'at most 5');
  assert.equal(parsePinnedRuns('[]'), null);
});
