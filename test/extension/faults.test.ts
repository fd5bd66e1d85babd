/**
 * Faults, each with its designed behaviour: the host side of a run (RunController)
 * with the real engine worker, under plain Node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { DEFAULT_CONFIG, IDX_FILES, idxFile, loadEmbeddedDigits } from '../../engine';
import { RunController } from '../../extension/runController';
import { Recorder } from './recorder';

const WORKER = path.join(__dirname, '../../dist/worker.js');
const EMBEDDED = { kind: 'embedded' } as const;
const SMALL = { ...DEFAULT_CONFIG, hidden: [64] };

function controller(): { run: RunController; events: Recorder } {
  const events = new Recorder();
  return { run: new RunController(WORKER, events), events };
}

/** The engine's thread of a run, as the operating system would kill it. */
function engineThread(run: RunController): Worker {
  return Reflect.get(run, 'worker') as Worker;
}

/** Threads of this process (Linux): a worker thread that ended is gone from here. */
function threads(): number {
  return fs.readdirSync('/proc/self/task').length;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('the engine killed in the middle of a step is reported, and a new run works', async () => {
  const { run, events } = controller();
  try {
    run.start(SMALL, EMBEDDED, { updatesPerSecond: 20 });
    await events.until(() => events.snapshots.length >= 2 && events.last.state === 'running', 'training');
    await engineThread(run).terminate();
    await events.until(() => events.failures.length === 1, 'the report');
    assert.match(events.failures[0], /^the training engine stopped unexpectedly \(exit code 1\)$/);
    assert.equal(events.last.state, 'idle');
    assert.equal(events.last.message, events.failures[0]);
    const before = events.snapshots.length;
    run.start(SMALL, EMBEDDED, { updatesPerSecond: 20 });
    await events.until(() => events.snapshots.length > before + 2 && events.last.state === 'running', 'the new run');
  } finally {
    run.dispose();
  }
});

test('the extension deactivated during a run: the engine thread ends and none is left behind', async () => {
  const { run, events } = controller();
  run.start(SMALL, EMBEDDED, { updatesPerSecond: 20 });
  await events.until(() => events.last.state === 'running', 'training');
  const during = threads();
  run.dispose();
  const deadline = Date.now() + 2000;
  while (threads() >= during && Date.now() < deadline) await sleep(20);
  console.log(`threads: ${during} during the run, ${threads()} after`);
  assert.ok(threads() < during, 'the engine thread is gone');
  assert.deepEqual(events.failures, [], 'an ending on purpose is not a crash');
});

test('Train MLP run 20 times in a second: the last run trains, every other one ends, nothing fails', async () => {
  const baseline = threads();
  const { run, events } = controller();
  try {
    for (let i = 0; i < 20; i++) {
      run.start({ ...SMALL, seed: i }, EMBEDDED, { updatesPerSecond: 20 });
      await sleep(50);
    }
    await events.until(() => events.last.state === 'running' && events.snapshots.length > 0, 'the last run');
    assert.equal(events.last.config?.seed, 19);
    assert.deepEqual(events.failures, []);
    await sleep(200);
    assert.ok(threads() <= baseline + 1, `${threads() - baseline} threads more than before: one engine at most`);
  } finally {
    run.dispose();
  }
});

test('Step Forward held down (100 a second): every press is answered in order, and the run stays consistent', async () => {
  const { run, events } = controller();
  try {
    run.start({ ...SMALL, dropout: 0 }, EMBEDDED, { paused: true, updatesPerSecond: 20 });
    await events.until(() => events.last.state === 'paused', 'paused');
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      run.stepForward();
      await sleep(10);
    }
    // linear, relu, linear, then the loss and three layers back: 7 sub-steps; later presses wait for Apply Update.
    await events.until(() => events.last.stepping.canApplyUpdate, 'the whole step', 5000);
    console.log(`100 Step Forward presses in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    assert.deepEqual(events.last.stepping, { canStepForward: false, canStepBackward: false, canApplyUpdate: true });
    run.applyUpdate();
    await events.until(() => events.snapshots.some((s) => s.step === 1 && s.phase.kind === 'ready'), 'the update');
    assert.deepEqual(events.failures, []);
    assert.equal(events.last.state, 'paused');
  } finally {
    run.dispose();
  }
});

test('settings changed during a run: the snapshot rate changes at once, the run goes on', async () => {
  const { run, events } = controller();
  try {
    run.start({ ...SMALL, epochs: 1000 }, EMBEDDED, { updatesPerSecond: 20 });
    await events.until(() => events.last.state === 'running', 'training');
    const rate = async (): Promise<number> => {
      const from = events.snapshots.length;
      await sleep(1500);
      return (events.snapshots.length - from) / 1.5;
    };
    const fast = await rate();
    run.setUpdatesPerSecond(2);
    const slow = await rate();
    console.log(`snapshots a second: ${fast.toFixed(1)} at 20 a second, ${slow.toFixed(1)} after the setting changed to 2`);
    assert.ok(fast >= 12 && slow <= 3.5, `${fast} then ${slow}`);
    assert.equal(events.last.state, 'running');
  } finally {
    run.dispose();
  }
});

test('the data folder removed while loading: a message naming the missing file, never a crash', async () => {
  const digits = loadEmbeddedDigits();
  const pixels = Uint8Array.from(digits.images, (v) => Math.round(v * 255));
  const outcomes: string[] = [];
  // Removed at once, and a little later: what has been read by then decides the message, never a crash.
  for (const delay of [0, 15, 30, 50, 75]) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'removed-'));
    fs.writeFileSync(path.join(folder, IDX_FILES.trainImages), idxFile([9000, 28, 28], pixels.subarray(0, 9000 * 784)));
    fs.writeFileSync(path.join(folder, IDX_FILES.trainLabels), idxFile([9000], digits.labels.subarray(0, 9000)));
    fs.writeFileSync(path.join(folder, IDX_FILES.testImages), idxFile([1000, 28, 28], pixels.subarray(9000 * 784)));
    fs.writeFileSync(path.join(folder, IDX_FILES.testLabels), idxFile([1000], digits.labels.subarray(9000)));
    const { run, events } = controller();
    try {
      run.start(SMALL, { kind: 'idx', folder }, { updatesPerSecond: 10 });
      await sleep(delay);
      fs.rmSync(folder, { recursive: true, force: true });
      await events.until(() => events.failures.length > 0 || events.last.state === 'running', 'the outcome');
      const failure = events.failures[0];
      if (failure) {
        assert.ok(failure.startsWith(folder), failure);
        assert.match(failure, /(missing: put .* into|no such folder|cannot be read \(ENOENT\); was it moved or deleted while loading\?)/);
        assert.doesNotMatch(failure, /crashed|stopped unexpectedly/);
      }
      outcomes.push(failure ? failure.slice(folder.length) : 'loaded before the folder went');
    } finally {
      run.dispose();
    }
  }
  console.log(`data folder removed while loading: ${outcomes.join(' | ')}`);
});
