import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOUNDS, format, row, soak } from './soak';

test('a one-minute soak: the homework network trains with the panel open, and no heap, RSS or DOM grows past its bound', async () => {
  // A sample every 2 s: RSS swings with the allocator, and a third of the minute needs several samples for its floor.
  const result = await soak(1, 2, (s) => console.log(row(s)));
  for (const key of Object.keys(BOUNDS) as (keyof typeof BOUNDS)[]) {
    console.log(`${key}: floor ${format(key, result.floors.first[key])} then ${format(key, result.floors.last[key])} (bound +${format(key, BOUNDS[key])})`);
  }
  assert.ok(result.samples.length >= 20, `${result.samples.length} samples`);
  assert.ok(result.samples[result.samples.length - 1].step > 10000, 'it trained all along');
  assert.deepEqual(result.failures, []);
});
