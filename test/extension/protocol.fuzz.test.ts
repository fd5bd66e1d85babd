import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_CONFIG, loadEmbeddedSplits, parseHostMessage, parseWebviewMessage, parseWorkerCommand, parseWorkerEvent, takeSnapshot, Trainer,
  MAX_COPY_LENGTH, PANEL_COMMANDS, PANEL_SETTINGS, type WebviewMessage,
} from '../../engine';
import { holds, hostileValue, mutated } from '../fuzz';
import manifest from '../../package.json';

const RUNS = 400;

/** Hostile versions of every valid example: values of any shape, and each example mutated. */
function hostile(valid: Record<string, unknown>[]): fc.Arbitrary<unknown> {
  return fc.oneof(hostileValue, ...valid.map(mutated));
}

/** The fields each webview message may carry, and no others. */
const FIELDS: Record<WebviewMessage['type'], string[]> = {
  ready: ['type'], command: ['type', 'command'], requestMatrix: ['type', 'layer', 'name'], updateSetting: ['type', 'key', 'value'],
  copy: ['type', 'text'], revealCheck: ['type', 'index'], checkAgain: ['type'], readDigit: ['type', 'id', 'pixels', 'saliencyFor'], track: ['type', 'digit'], confusionCell: ['type', 'trueClass', 'predicted'], pin: ['type'], unpin: ['type', 'id'], exportHistories: ['type'], runExperiment: ['type', 'id'], exportChart: ['type', 'chart', 'svg', 'png'],
};

/** Commands that write a file or run code; the panel must never reach them. */
const NEVER_FROM_PANEL = ['backpropLens.exportWeights', 'backpropLens.checkBackprop', 'backpropLens.openNetworkSpec', 'backpropLens.stepThroughSpec'];
const COMMANDS = manifest.contributes.commands.map((c) => c.command);
const SETTINGS = Object.keys(manifest.contributes.configuration.properties);
const RESTRICTED = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;

test('fuzz: whatever the webview sends, the validator answers without throwing, and passes on only backpropLens commands and settings', () => {
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).length;
  const valid = [
    { type: 'ready' }, { type: 'command', command: 'pause' }, { type: 'requestMatrix', layer: 0, name: 'W' },
    { type: 'updateSetting', key: 'learningRate', value: 0.1 }, { type: 'updateSetting', key: 'hiddenLayers', value: [128, 64] },
    { type: 'copy', text: '[1,2]' }, { type: 'revealCheck', index: 1 }, { type: 'checkAgain' },
    { type: 'readDigit', id: 3, pixels: new Float32Array(784).fill(0.5), saliencyFor: 7 },
    { type: 'readDigit', id: 4, pixels: Array.from({ length: 784 }, (_, i) => (i % 3) / 2), saliencyFor: 'predicted' },
    { type: 'track', digit: { pixels: new Float32Array(784).fill(0.25), target: 'predicted', name: 'the drawn digit' } }, { type: 'track', digit: null },
    { type: 'confusionCell', trueClass: 4, predicted: 9 }, { type: 'pin' }, { type: 'unpin', id: 2 }, { type: 'exportHistories' },
    { type: 'runExperiment', id: 'vanishing' }, { type: 'exportChart', chart: 'gradient-norms', svg: '<svg/>', png: 'iVBORw0KGgo=' },
  ];
  holds('webview -> host messages', fc.property(hostile(valid), (x) => {
    const m = parseWebviewMessage(x);
    assert.equal(Object.getOwnPropertyNames(Object.prototype).length, prototypeKeys, 'the prototype is untouched');
    if (m === null) return;
    assert.deepEqual(Object.keys(m).sort(), [...FIELDS[m.type]].sort(), 'rebuilt field by field: nothing extra passes');
    if (m.type === 'command') {
      // The host runs `backpropLens.${command}` for a panel command, and nothing else.
      const id = `backpropLens.${m.command}`;
      assert.ok(COMMANDS.includes(id) && !NEVER_FROM_PANEL.includes(id), id);
    }
    if (m.type === 'updateSetting') {
      // The host writes getConfiguration('backpropLens').update(key): one of the panel's settings, never a restricted one.
      const id = `backpropLens.${m.key}`;
      assert.ok(SETTINGS.includes(id) && !RESTRICTED.includes(id), id);
      assert.ok(typeof m.value === 'number' ? Number.isFinite(m.value) : typeof m.value === 'string' || m.value.every(Number.isInteger));
    }
    if (m.type === 'copy') assert.ok(typeof m.text === 'string' && m.text.length <= MAX_COPY_LENGTH);
    if (m.type === 'readDigit') {
      // The worker gets exactly 784 pixels in [0, 1], and a class it has, or none.
      assert.ok(m.pixels instanceof Float32Array && m.pixels.length === 784 && m.pixels.every((v) => v >= 0 && v <= 1));
      assert.ok(m.saliencyFor === null || m.saliencyFor === 'predicted' || (Number.isInteger(m.saliencyFor) && m.saliencyFor >= 0 && m.saliencyFor <= 9));
    }
    if (m.type === 'track' && m.digit) {
      assert.deepEqual(Object.keys(m.digit).sort(), ['name', 'pixels', 'target']);
      assert.ok(typeof m.digit.name === 'string' && m.digit.name.length <= 80);
      assert.ok(m.digit.pixels instanceof Float32Array && m.digit.pixels.length === 784 && m.digit.pixels.every((v) => v >= 0 && v <= 1));
      assert.ok(m.digit.target === 'predicted' || (Number.isInteger(m.digit.target) && m.digit.target >= 0 && m.digit.target <= 9));
    }
  }), RUNS);
  assert.ok(PANEL_COMMANDS.every((c) => !NEVER_FROM_PANEL.includes(`backpropLens.${c}`)));
  assert.ok(PANEL_SETTINGS.every((k) => !RESTRICTED.includes(`backpropLens.${k}`)));
});

test('fuzz: commands to the worker, events from it and messages to the webview are checked without throwing', () => {
  const trainer = new Trainer({ ...DEFAULT_CONFIG, hidden: [8], epochs: 1 }, loadEmbeddedSplits());
  trainer.trainStep();
  const snapshot = takeSnapshot(trainer, 0.2);
  const types = (valid: Record<string, unknown>[]): string[] => valid.map((v) => v.type as string);
  const commands = [
    { type: 'start', config: DEFAULT_CONFIG, data: { kind: 'embedded' }, paused: false, snapshotsPerSecond: 10, threads: 1 },
    { type: 'loadSpec', text: '{}', name: 'a.mlp.json', snapshotsPerSecond: 10 }, { type: 'pause' },
    { type: 'requestMatrix', requestId: 1, layer: 0, name: 'dW' }, { type: 'exportWeights', requestId: 2 },
    { type: 'readDigit', requestId: 3, pixels: new Float32Array(784), saliencyFor: null },
    { type: 'track', digit: { pixels: new Float32Array(784), target: 4, name: 'validation digit 3' } }, { type: 'confusionCell', requestId: 4, trueClass: 4, predicted: 9 },
  ];
  const events = [
    { type: 'state', state: 'paused', stepping: { canStepForward: true, canStepBackward: false, canApplyUpdate: false } },
    { type: 'loaded', source: 'x', train: 1, validation: 1, test: 1, engine: 'e' }, { type: 'snapshot', snapshot },
    { type: 'epoch', result: { epoch: 1 } }, { type: 'finished', result: { testAccuracy: 0.9 } },
    { type: 'diverged', divergence: { step: 2, message: 'm' } }, { type: 'matrix', requestId: 1, matrix: null },
    { type: 'weights', requestId: 1, layers: [] }, { type: 'error', kind: 'data', message: 'm' },
    { type: 'digit', requestId: 2, reading: { probabilities: new Float64Array(10), predicted: 3, saliency: null }, problem: null },
    { type: 'digit', requestId: 3, reading: null, problem: 'no network yet' },
    { type: 'confusionCell', requestId: 4, cell: null },
    { type: 'confusionCell', requestId: 5, cell: { trueClass: 4, predicted: 9, epoch: 1, count: 1, digits: [{ index: 3, pixels: new Float32Array(784) }] } },
  ];
  const host = [
    { type: 'status', status: { state: 'idle', epochs: [] } }, { type: 'snapshot', snapshot },
    { type: 'matrix', matrix: { layer: 0, name: 'W', rows: 1, cols: 1, data: new Float32Array(1) } },
    { type: 'check', check: { file: 'a.py', error: 'no Python' } },
    { type: 'digit', digit: { id: 1, reading: { probabilities: new Float64Array(10), predicted: 3, saliency: { target: 3, gradient: new Float64Array(784) } } } },
    { type: 'digit', digit: { id: 2, problem: 'no network yet' } },
    { type: 'confusionCell', cell: { trueClass: 4, predicted: 9, epoch: 2, count: 0, digits: [] } },
  ];
  const cases: [string, (x: unknown) => { type: string } | null, Record<string, unknown>[]][] = [
    ['host -> worker commands', parseWorkerCommand, commands], ['worker -> host events', parseWorkerEvent, events], ['host -> webview messages', parseHostMessage, host],
  ];
  for (const [name, parse, valid] of cases) {
    for (const v of valid) assert.ok(parse(v), `the valid ${v.type} passes`);
    holds(name, fc.property(hostile(valid), (x) => {
      const m = parse(x);
      assert.ok(m === null || types(valid).includes(m.type));
    }), RUNS);
  }
});
