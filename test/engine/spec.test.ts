import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSpecRun, formatPath, Linear, parseSpec, traceStep, type Trace } from '../../engine';
import { lineAndColumn } from '../../engine/cli/trace';
import { assertRounds } from './helpers';
import fc from 'fast-check';
import { holds } from '../fuzz';

const ROOT = path.join(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'extension/examples');
const CLI = path.join(ROOT, 'dist/cli.js');

function cliTrace(file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'trace', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('trace of the worked example prints every number of worked-example-sigmoid-mse.md', () => {
  const r = cliTrace(path.join(EXAMPLES, 'worked-example-3-2-2.mlp.json'));
  assert.equal(r.status, 0, r.stderr);
  const t = JSON.parse(r.stdout) as Trace;
  const rounded = (xs: number[], expected: number[], what: string): void => expected.forEach((e, i) => assertRounds(xs[i], e, 4, `${what}[${i}]`));
  rounded(t.forward[0].output[0], [4.3, 5.3], 's1');
  rounded(t.forward[1].output[0], [0.9866, 0.995], 'a1');
  rounded(t.forward[2].output[0], [2.0862, 1.3888], 's2');
  rounded(t.forward[3].output[0], [0.8896, 0.8004], 'a2');
  assertRounds(t.loss, 0.5932, 4, 'E');
  assert.equal(t.penalty, 0);
  assert.equal(t.probabilities, undefined, 'no softmax, no probabilities');
  assert.deepEqual(t.backward.map((b) => [b.layer, b.type]), [[3, 'sigmoid'], [2, 'linear'], [1, 'sigmoid'], [0, 'linear']]);
  const [, second, firstSigmoid, first] = t.backward;
  rounded(second.db!, [0.0776, 0.1199], 'dE/dw2[0,j]');
  rounded(firstSigmoid.gradOutput[0], [0.1502, 0.0818], 'dE/da1');
  assertRounds(first.db![0], 0.002, 4, 'dE/dw1[0,1]');
  assertRounds(first.dW![0][2], 0.0099, 4, 'dE/dw1[3,1]');
  // One SGD step at 0.01: every weight moves by -0.01 times its gradient.
  const W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]];
  t.updated[0].W.forEach((row, o) => row.forEach((w, i) => assert.equal(w, W1[o][i] - 0.01 * first.dW![o][i])));
  t.updated[1].b.forEach((b, o) => assert.equal(b, 0.5 - 0.01 * second.db![o]));
});

test('the lecture example: softmax probabilities, and the loss is the batch mean of -log z_y', () => {
  const { spec } = parseSpec(fs.readFileSync(path.join(EXAMPLES, 'lecture-5-7-4-3.mlp.json'), 'utf8'));
  const t = traceStep(buildSpecRun(spec!));
  assert.equal(t.probabilities!.length, 4);
  for (const row of t.probabilities!) assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-12);
  const labels = [2, 0, 1, 2];
  const mean = labels.reduce((s, y, r) => s - Math.log(t.probabilities![r][y]), 0) / 4;
  assert.ok(Math.abs(t.dataLoss - mean) < 1e-12);
  assert.deepEqual(t.forward.map((f) => f.output[0].length), [7, 7, 4, 4, 3]);
});

test('with l2, the traced dW is the data gradient plus lambda W, and the loss adds the penalty', () => {
  const text = fs.readFileSync(path.join(EXAMPLES, 'worked-example-3-2-2.mlp.json'), 'utf8');
  const plain = traceStep(buildSpecRun(parseSpec(text).spec!));
  const withL2 = traceStep(buildSpecRun(parseSpec(text.replace('"l2": 0', '"l2": 0.1')).spec!));
  const W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]];
  withL2.backward[3].dW!.forEach((row, o) => row.forEach((g, i) => assert.ok(Math.abs(g - (plain.backward[3].dW![o][i] + 0.1 * W1[o][i])) < 1e-15)));
  const squares = [...W1.flat(), 0.7, 0.9, 0.8, 0.1].reduce((s, w) => s + w * w, 0);
  assert.ok(Math.abs(withL2.penalty - 0.05 * squares) < 1e-15);
  assert.equal(withL2.loss, withL2.dataLoss + withL2.penalty);
});

/** The worked example with one thing broken, and where the problem must be reported. */
const BROKEN: [string, (s: string) => string, string, RegExp, number][] = [
  ['a shape mismatch between layers', (s) => s.replace('{ "type": "linear", "in": 2, "out": 2,', '{ "type": "linear", "in": 3, "out": 2,'), '$.layers[2].in', /layer 2 takes 3 inputs but layer 1 gives 2/, 6],
  ['W of the wrong size', (s) => s.replace('"W": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]', '"W": [[0.1, 0.3], [0.2, 0.4]]'), '$.layers[0].W[0]', /row 0 of W has 2 entries but must have 3/, 4],
  ['an unknown layer type', (s) => s.replace('{ "type": "sigmoid" },', '{ "type": "softplus" },'), '$.layers[1].type', /unknown layer type "softplus": use one of linear, relu, tanh, sigmoid, dropout/, 5],
  ['targets that do not match the output size', (s) => s.replace('"targets": [[0.1, 0.05]]', '"targets": [[0.1, 0.05, 0.2]]'), '$.data.targets[0]', /row 0 of targets has 3 entries but must have 2/, 12],
  ['inputs that do not match the first layer', (s) => s.replace('"inputs": [[1, 4, 5]]', '"inputs": [[1, 4]]'), '$.layers[0].in', /layer 0 takes 3 inputs but the data has 2/, 4],
  ['a dropout rate of 1', (s) => s.replace('{ "type": "sigmoid" },', '{ "type": "dropout", "rate": 1 },'), '$.layers[1].rate', /dropout needs "rate" in \[0, 1\)/, 5],
  ['a negative learning rate', (s) => s.replace('"learningRate": 0.01', '"learningRate": -1'), '$.optimizer.learningRate', /learningRate must be a positive number/, 10],
  ['broken JSON', (s) => s.replace('"loss": "mse",', '"loss": "mse"'), '$', /not valid JSON: CommaExpected/, 10],
  ['a 3 -> 400,000,000 linear layer', (s) => s.replace('{ "type": "linear", "in": 3, "out": 2,', '{ "type": "linear", "in": 3, "out": 400000000,'), '$.layers[0].out', /with this layer the network has 1,600,000,000 parameters, more than the 20,000,000 a laptop can train \(the parameter limit\)/, 4],
  ['20,000 nested brackets', (s) => s.replace('"loss": "mse",', `"loss": "mse", "deep": ${'['.repeat(20000)}${']'.repeat(20000)},`), '$', /arrays and objects are nested more than 32 deep \(the nesting limit\)/, 1],
  ['a batch of 5,000 examples', (s) => s.replace('"inputs": [[1, 4, 5]], "targets": [[0.1, 0.05]]', `"inputs": [${Array(5000).fill('[1, 4, 5]').join(', ')}], "targets": [${Array(5000).fill('[0.1, 0.05]').join(', ')}]`), '$.data.inputs', /5,000 examples, more than the batch limit of 4,096/, 12],
];

for (const [what, breakIt, where, message, line] of BROKEN) {
  test(`a spec with ${what}: the problem names ${where}, on line ${line}, and trace exits with 2`, () => {
    const text = breakIt(fs.readFileSync(path.join(EXAMPLES, 'worked-example-3-2-2.mlp.json'), 'utf8'));
    const { spec, problems } = parseSpec(text);
    assert.equal(spec, null);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(formatPath(problems[0].path), where);
    assert.match(problems[0].message, message);
    assert.equal(lineAndColumn(text, problems[0].offset).line, line);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spec-')), 'broken.mlp.json');
    fs.writeFileSync(file, text);
    const r = cliTrace(file);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`${file}:${line}:`), r.stderr);
    assert.ok(r.stderr.includes(`${where}: `), r.stderr);
    fs.rmSync(path.dirname(file), { recursive: true });
  });
}

test('a batch of MNIST digits over the batch limit names $.data.batchSize', () => {
  const text = fs.readFileSync(path.join(EXAMPLES, 'homework-mnist.mlp.json'), 'utf8').replace('"batchSize": 5', '"batchSize": 5000');
  const { problems } = parseSpec(text);
  assert.deepEqual(problems.map((p) => [formatPath(p.path), p.message]), [['$.data.batchSize', 'batchSize must be a whole number of examples from 1 to 4096 (the batch limit), such as 5']]);
});

test('a step whose numbers overflow: trace prints it, says where on stderr, and exits with 3', () => {
  const spec = {
    layers: [{ type: 'linear', in: 2, out: 1, W: [[1e200, 1e200]], b: [0] }],
    loss: 'mse',
    data: { inputs: [[1e200, 1e200]], targets: [[0]] },
  };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spec-')), 'overflow.mlp.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  const r = cliTrace(file);
  assert.equal(r.status, 3, r.stderr);
  const t = JSON.parse(r.stdout) as Trace;
  assert.equal(t.forward[0].output[0][0], null, 'JSON writes an infinity as null');
  assert.deepEqual(t.updated[0].W, [[1e200, 1e200]], 'the broken step is not applied');
  assert.equal(`${file}: ${t.divergence!.message}\n`, r.stderr);
  assert.match(r.stderr, /diverged at step 1 \(epoch 1\): the first infinite value appeared in the output of layer 0 \(linear\) in the forward pass/);
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('trace of the homework example runs one step of the 784-1000-10 network on 5 real digits', () => {
  const { spec } = parseSpec(fs.readFileSync(path.join(EXAMPLES, 'homework-mnist.mlp.json'), 'utf8'));
  const t = traceStep(buildSpecRun(spec!));
  assert.deepEqual(t.forward.map((f) => [f.output.length, f.output[0].length]), [[5, 1000], [5, 1000], [5, 1000], [5, 10]]);
  assert.ok(Number.isFinite(t.dataLoss) && t.dataLoss > 0);
  for (const row of t.probabilities!) assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-12);
  // Inverted dropout: every unit of layer 2 is 0 or twice the relu's output.
  t.forward[2].output[0].forEach((s, j) => assert.ok(s === 0 || s === 2 * t.forward[1].output[0][j]));
});

test('the worked example through the step-through state machine: each number as its sub-step computes it', () => {
  const { spec } = parseSpec(fs.readFileSync(path.join(EXAMPLES, 'worked-example-3-2-2.mlp.json'), 'utf8'));
  const run = buildSpecRun(spec!);
  const { stepper, network: net } = run;
  const layer = (i: number) => net.layers[i];
  const rounded = (xs: ArrayLike<number>, expected: number[], what: string): void => expected.forEach((e, i) => assertRounds(xs[i], e, 4, `${what}[${i}]`));
  const step = (expected: string): void => {
    stepper.advance();
    const p = stepper.phase;
    assert.equal(p.kind === 'forward' || p.kind === 'backward' ? `${p.kind} ${p.layer}` : p.kind, expected);
  };
  stepper.begin(run.X, run.Y, run.rows);
  step('forward 0');
  rounded(layer(0).output, [4.3, 5.3], 's1');
  step('forward 1');
  rounded(layer(1).output, [0.9866, 0.995], 'a1');
  step('forward 2');
  rounded(layer(2).output, [2.0862, 1.3888], 's2');
  step('forward 3');
  rounded(layer(3).output, [0.8896, 0.8004], 'a2');
  step('loss');
  assertRounds(stepper.dataLoss, 0.5932, 4, 'E');
  assert.equal(layer(3).gradOutput, null, 'no gradient reaches a layer before its backward sub-step');
  step('backward 3');
  rounded(layer(3).gradInput!, [0.0776, 0.1199], 'dE/ds2');
  step('backward 2');
  rounded((layer(2) as Linear).db, [0.0776, 0.1199], 'dE/dw2[0,j]');
  step('backward 1');
  rounded(layer(1).gradOutput!, [0.1502, 0.0818], 'dE/da1');
  step('backward 0');
  assertRounds((layer(0) as Linear).db[0], 0.002, 4, 'dE/dw1[0,1]');
  assertRounds((layer(0) as Linear).dW[2], 0.0099, 4, 'dE/dw1[3,1]');
  assert.ok(stepper.readyToUpdate);
  const dW1 = Array.from((layer(0) as Linear).dW);
  stepper.update();
  assert.equal(stepper.phase.kind, 'ready');
  Array.from((layer(0) as Linear).W).forEach((w, i) => assert.equal(w, [0.1, 0.3, 0.5, 0.2, 0.4, 0.6][i] - 0.01 * dW1[i]));
  // Whole, the same step gives the same weights as the trace.
  const traced = traceStep(buildSpecRun(spec!));
  assert.deepEqual(traced.updated[0].W.flat(), Array.from((layer(0) as Linear).W));
});

/** Every place in a JSON value, as paths, to mutate one at a time. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [at];
  const entries = Array.isArray(value) ? value.slice(0, 4).map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...entries.flatMap(([k, v]) => paths(v, [...at, k]))];
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  const [key, ...rest] = path;
  if (rest.length === 0 && replacement === DELETE) delete copy[key];
  else copy[key] = setAt(copy[key], rest, replacement);
  return copy;
}

const DELETE = Symbol('delete');
const NAN = 'NaN-literal';

/** parseSpec's promise: problems with JSON paths and places inside the text, never an exception. */
function assertProblemsWellFormed(text: string): void {
  const { spec, problems } = parseSpec(text);
  assert.ok(spec !== null || problems.length > 0);
  for (const p of problems) {
    assert.ok(Array.isArray(p.path) && p.path.every((k) => typeof k === 'string' || Number.isInteger(k)), JSON.stringify(p.path));
    assert.ok(typeof p.message === 'string' && p.message.length > 0);
    assert.ok(p.offset >= 0 && p.offset <= text.length && p.length >= 1);
  }
}

test('fuzz: random JSON, and the examples mutated, give problems with JSON paths and never throw', () => {
  holds('spec parser, random JSON', fc.property(fc.oneof(fc.json({ maxDepth: 6 }), fc.string({ maxLength: 200 })), assertProblemsWellFormed), 500);
  const examples = fs.readdirSync(EXAMPLES).map((f) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')) as unknown);
  const replacement = fc.oneof(
    fc.constantFrom<unknown>(DELETE, NAN, '3', '0.5', 1e300, -5, 0, 1.5, 2 ** 31, 400_000_000, null, true, [], {}, [[]], 'mnist', '__proto__'),
    fc.integer({ min: 1, max: 200 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const mutation = fc.constantFrom(...examples).chain((example) => fc.tuple(fc.constant(example), fc.constantFrom(...paths(example)), replacement));
  holds('spec parser, examples mutated', fc.property(mutation, ([example, at, value]) => {
    // Deleting the whole spec leaves an empty file.
    const text = (JSON.stringify(setAt(example, at, value === NAN ? '__NaN__' : value), null, 1) ?? '').replace('"__NaN__"', 'NaN');
    assertProblemsWellFormed(text);
  }), 500);
});
