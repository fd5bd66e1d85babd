import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, parseHostMessage, parseWebviewMessage, parseWorkerCommand, parseWorkerEvent } from '../../engine';

test('messages from the webview: the known ones pass, rebuilt field by field; anything else is dropped', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'command', command: 'pause', extra: 'ignored' }), { type: 'command', command: 'pause' });
  assert.deepEqual(parseWebviewMessage({ type: 'requestMatrix', layer: 0, name: 'dW' }), { type: 'requestMatrix', layer: 0, name: 'dW' });
  assert.deepEqual(parseWebviewMessage({ type: 'requestMatrix', layer: 3, name: 'db' }), { type: 'requestMatrix', layer: 3, name: 'db' });
  assert.deepEqual(parseWebviewMessage({ type: 'copy', text: '[0.1,0.2]' }), { type: 'copy', text: '[0.1,0.2]' });
  const bad: unknown[] = [
    null, 42, 'ready', [], {}, { type: 'reboot' },
    { type: 'command', command: 'rm -rf' }, { type: 'command' }, { type: 'command', command: ['pause'] },
    { type: 'requestMatrix', layer: -1, name: 'W' }, { type: 'requestMatrix', layer: 1.5, name: 'W' },
    { type: 'requestMatrix', layer: 0, name: 'X' }, { type: 'requestMatrix', layer: '0', name: 'W' },
    { type: 'command', command: 'constructor' }, { type: '__proto__' },
    { type: 'copy' }, { type: 'copy', text: 42 }, { type: 'copy', text: 'x'.repeat(16_000_001) },
  ];
  for (const m of bad) assert.equal(parseWebviewMessage(m), null, JSON.stringify(m));
});

test('commands to the worker and events from it are checked too', () => {
  const start = { type: 'start', config: DEFAULT_CONFIG, data: { kind: 'embedded' }, paused: false, snapshotsPerSecond: 10, threads: 2 };
  assert.deepEqual(parseWorkerCommand(start), start);
  for (const threads of [0, 3, 1.5, '2', undefined]) assert.equal(parseWorkerCommand({ ...start, threads }), null, `threads ${threads}`);
  assert.equal(parseWorkerCommand({ ...start, config: { ...DEFAULT_CONFIG, activation: 'softplus' } }), null);
  assert.equal(parseWorkerCommand({ ...start, data: { kind: 'idx' } }), null);
  assert.equal(parseWorkerCommand({ type: 'exportWeights' }), null);
  assert.deepEqual(parseWorkerCommand({ type: 'pause', junk: 1 }), { type: 'pause' });
  const loadSpec = { type: 'loadSpec', text: '{}', name: 'a.mlp.json', snapshotsPerSecond: 10 };
  assert.deepEqual(parseWorkerCommand({ ...loadSpec, junk: 1 }), loadSpec);
  assert.equal(parseWorkerCommand({ ...loadSpec, text: { layers: [] } }), null);
  assert.ok(parseWorkerEvent({ type: 'error', kind: 'spec', message: 'a.mlp.json cannot be loaded' }));
  assert.ok(parseWorkerEvent({ type: 'state', state: 'paused', stepping: { canStepForward: true } }));
  assert.equal(parseWorkerEvent({ type: 'state', state: 'dancing', stepping: {} }), null);
  assert.equal(parseWorkerEvent({ type: 'snapshot', snapshot: { step: 1 } }), null);
  assert.equal(parseWorkerEvent({ type: 'error', kind: 'fatal', message: 'x' }), null);
  assert.equal(parseHostMessage({ type: 'matrix', matrix: { data: [1, 2] } }), null, 'matrices travel as Float32Array');
  assert.equal(parseHostMessage({ type: 'status', status: { state: 'idle' } }), null);
});

test("Check My Backprop's messages: the panel can only name a check by number or ask for the same file again", () => {
  assert.deepEqual(parseWebviewMessage({ type: 'checkAgain', file: '/etc/passwd' }), { type: 'checkAgain' });
  assert.deepEqual(parseWebviewMessage({ type: 'revealCheck', index: 2, file: '/etc/passwd' }), { type: 'revealCheck', index: 2 });
  for (const index of [-1, 1.5, '2', 10001, null]) assert.equal(parseWebviewMessage({ type: 'revealCheck', index }), null, String(index));
  assert.ok(parseHostMessage({ type: 'check', check: { file: 'a.py', error: 'no Python found' } }));
  assert.ok(parseHostMessage({ type: 'check', check: { file: 'a.py', report: { checks: [{ name: 'relu.forward' }] } } }));
  assert.equal(parseHostMessage({ type: 'check', check: { file: 'a.py', report: { checks: [1] } } }), null);
  assert.equal(parseHostMessage({ type: 'check', check: { report: { checks: [] } } }), null);
});
