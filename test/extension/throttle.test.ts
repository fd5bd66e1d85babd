import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestWins } from '../../extension/throttle';

test('latest wins: at most one value per interval, and the newest one arrives last', async () => {
  const delivered: number[] = [];
  const throttle = new LatestWins<number>(100, (v) => delivered.push(v));
  for (let i = 1; i <= 50; i++) {
    throttle.push(i);
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 150));
  // About 550 ms of pushes: the first at once, then one per 100 ms.
  assert.ok(delivered.length >= 5 && delivered.length <= 7, `${delivered.length} delivered: ${delivered}`);
  assert.equal(delivered[0], 1);
  assert.equal(delivered[delivered.length - 1], 50);
  assert.deepEqual([...delivered].sort((a, b) => a - b), delivered);
  throttle.dispose();
});
