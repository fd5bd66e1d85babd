/**
 * Check My Backprop with a real Python: Debian's python3 and python3-numpy
 * (installed by .ci/run), the built CLI, and homework files in both styles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compare, tensor, transpose } from '../../engine/check/compare';
import { checkFile } from '../../engine/check/report';
import { CheckSetupError } from '../../engine/check/python';

const ROOT = path.join(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/check');
const PYTHON = '/usr/bin/python3';

interface JsonCheck {
  name: string; tensor: string; case: string | null; ok: boolean | null;
  shape: number[] | null; expectedShape: number[] | null; maxAbsError: number | null; maxRelError: number | null;
  first: { index: number[]; actual: number; expected: number } | null; mismatches: number | null;
  hint: string | null; mistake: string | null; message: string | null;
  ownForward: { ok: boolean; maxRelError: number } | null; location: { file: string; line: number } | null;
}
interface JsonReport { style: string; python: string; checks: JsonCheck[]; passed: number; failed: number; skipped: number }

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function checkJson(file: string, ...flags: string[]): { status: number | null; report: JsonReport } {
  const r = cli([path.join(FIXTURES, file), '--python', PYTHON, '--json', ...flags]);
  return { status: r.status, report: JSON.parse(r.stdout) as JsonReport };
}

const failing = (r: JsonReport): string[] => r.checks.filter((c) => c.ok === false).map((c) => `${c.name} ${c.tensor}${c.case ? ` (${c.case})` : ''}: ${c.mistake}`);

test('Debian python3 with NumPy is there (installed by .ci/run)', () => {
  assert.match(execFileSync(PYTHON, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }), /^\d+\.\d+/);
});

test('a correct CSCI567 homework passes every check, in the JSON contract', () => {
  const { status, report } = checkJson('csci567/neural_networks.py');
  assert.equal(status, 0);
  assert.equal(report.style, 'csci567');
  assert.match(report.python, /^\/usr\/bin\/python3 3\.\d+\.\d+, numpy \d+\.\d+/);
  assert.deepEqual([report.passed, report.failed, report.skipped], [17, 0, 2]);
  assert.deepEqual(Object.keys(report).sort(), ['checks', 'failed', 'passed', 'python', 'skipped', 'style']);
  const names = new Set(report.checks.map((c) => `${c.name} ${c.tensor}`));
  for (const n of ['linear_layer.forward output', 'linear_layer.backward dX', 'linear_layer.backward dW', 'linear_layer.backward db', 'relu.backward dX',
    'tanh.backward dX', 'dropout.forward output', 'dropout.backward dX', 'softmax_cross_entropy.forward loss', 'softmax_cross_entropy.backward dX',
    'miniBatchStochasticGradientDescent W', 'miniBatchStochasticGradientDescent b']) assert.ok(names.has(n), n);
  for (const c of report.checks) {
    for (const key of ['name', 'tensor', 'ok', 'shape', 'expectedShape', 'maxAbsError', 'maxRelError', 'first', 'mismatches', 'hint']) assert.ok(key in c, `${c.name} has ${key}`);
  }
  const skipped = report.checks.filter((c) => c.ok === null);
  assert.deepEqual(skipped.map((c) => c.name), ['sigmoid.forward', 'sigmoid.backward']);
  assert.match(skipped[0].message!, /not defined in neural_networks\.py/);
  // Shapes are the student's: W is input_D x output_D, b is 1 x output_D.
  const dW = report.checks.find((c) => c.name === 'linear_layer.backward' && c.tensor === 'dW')!;
  assert.deepEqual([dW.shape, dW.expectedShape], [[6, 5], [6, 5]]);
  assert.ok(dW.maxAbsError! < 1e-12, `dW agrees to float64 rounding (${dW.maxAbsError})`);
  assert.equal(dW.ownForward!.ok, true);
  assert.equal(path.basename(dW.location!.file), 'neural_networks.py');
  const lines = fs.readFileSync(path.join(FIXTURES, 'csci567/neural_networks.py'), 'utf8').split('\n');
  assert.match(lines[dW.location!.line - 1], /def backward\(self, X, grad\)/);
  const loss = report.checks.find((c) => c.name === 'softmax_cross_entropy.forward')!;
  assert.equal(path.basename(loss.location!.file), 'utils.py', 'the loss lives in the course helper module');
});

test('a correct CS231n layers.py passes every check', () => {
  const { status, report } = checkJson('cs231n/layers.py');
  assert.equal(status, 0);
  assert.equal(report.style, 'cs231n');
  assert.deepEqual([report.passed, report.failed, report.skipped], [13, 0, 2]);
  const dx = report.checks.find((c) => c.name === 'affine_backward' && c.tensor === 'dX')!;
  assert.deepEqual(dx.shape, [4, 3, 2], "dx has x's own shape");
});

/** Each mistake: the only failing checks, with the mistake the hint names, and a phrase of the hint. */
const MISTAKES: [string, string[], RegExp][] = [
  ['csci567/mistake_transposed_dW.py', ['linear_layer.backward dW: transposed'], /transposed: it should have shape \(6, 5\), not \(5, 6\)/],
  ['csci567/mistake_dW_extra_mean.py', ['linear_layer.backward dW: extra-1/N'], /divided by N = 4/],
  ['csci567/mistake_bias_never_added.py', ['linear_layer.forward output: no-bias'], /bias was never added/],
  ['csci567/mistake_db_wrong_axis.py', ['linear_layer.backward db: wrong-axis'], /wrong axis/],
  ['csci567/mistake_loss_missing_mean.py', ['softmax_cross_entropy.backward dX: missing-1/N'], /N = 4 times the reference/],
  ['csci567/mistake_loss_flipped_sign.py', ['softmax_cross_entropy.backward dX: sign'], /wrong sign/],
  ['csci567/mistake_dropout_no_scale.py', ['dropout.forward output (training): missing-scale'], /not scaled by 1\/\(1 − r\) = 1\.4286/],
  ['csci567/mistake_tanh_derivative_of_output.py', ['tanh.backward dX: derivative-of-output'], /written for the output h = tanh\(X\)/],
  ['csci567/mistake_l2_off_bias.py', ['miniBatchStochasticGradientDescent b (no momentum): l2-bias', 'miniBatchStochasticGradientDescent b (momentum 0.9): l2-bias'], /L2 was left off the bias/],
  ['csci567/mistake_l2_twice.py', ['miniBatchStochasticGradientDescent W (no momentum): l2-twice', 'miniBatchStochasticGradientDescent b (no momentum): l2-twice',
    'miniBatchStochasticGradientDescent W (momentum 0.9): l2-twice', 'miniBatchStochasticGradientDescent b (momentum 0.9): l2-twice'], /applied twice/],
  ['cs231n/mistake_dw_transposed.py', ['affine_backward dW: transposed'], /transposed/],
  ['cs231n/mistake_dx_flat.py', ['affine_backward dX: flat-dx'], /dx\.reshape\(x\.shape\)/],
  ['cs231n/mistake_db_wrong_axis.py', ['affine_backward db: wrong-axis'], /wrong axis/],
  ['cs231n/mistake_no_bias.py', ['affine_forward output: no-bias'], /x @ w \+ b/],
  ['cs231n/mistake_softmax_dx_not_averaged.py', ['softmax_loss dX: missing-1/N'], /1\/N is missing/],
  ['cs231n/mistake_dropout_no_scale.py', ['dropout_forward output (training): missing-scale'], /not scaled by 1\/p = 1\.4286/],
  ['cs231n/mistake_sigmoid_derivative_of_input.py', ['sigmoid_backward dX: derivative-of-input'], /applied to the output h instead of the input x/],
];

for (const [file, expected, hint] of MISTAKES) {
  test(`a mistake is reported on its piece and tensor, with its hint, and nothing else fails: ${file}`, () => {
    const { status, report } = checkJson(file);
    assert.equal(status, 1);
    assert.deepEqual(failing(report), expected);
    for (const c of report.checks.filter((x) => x.ok === false)) {
      assert.match(c.hint!, hint);
      assert.ok(c.first && c.mismatches! > 0 || c.shape!.join() !== c.expectedShape!.join(), 'a first wrong entry, or a shape that differs');
    }
  });
}

test('a wrong entry is located exactly: the first index, both values and the count', () => {
  const { report } = checkJson('csci567/mistake_loss_missing_mean.py');
  const c = report.checks.find((x) => x.ok === false)!;
  assert.deepEqual(c.first!.index, [0, 0]);
  assert.ok(Math.abs(c.first!.actual - 4 * c.first!.expected) < 1e-12, 'the student value is N times the reference');
  assert.equal(c.mismatches, 20);
  assert.ok(Math.abs(c.maxRelError! - 0.75) < 1e-9, `|4e - e| / |4e| = 0.75 (${c.maxRelError})`);
});

test("the numerical gradient of the student's own forward tells a wrong backward from a wrong forward", () => {
  const transposed = checkJson('csci567/mistake_transposed_dW.py').report.checks.find((c) => c.ok === false)!;
  assert.equal(transposed.ownForward!.ok, false, 'the backward does not match the forward');
  // Without the bias, the forward's numerical db is 0 while the backward (correctly) gives the sum of grad.
  const noBias = checkJson('csci567/mistake_bias_never_added.py').report.checks;
  const db = noBias.find((c) => c.name === 'linear_layer.backward' && c.tensor === 'db')!;
  assert.equal(db.ok, true);
  assert.equal(db.ownForward!.ok, false);
  const text = cli([path.join(FIXTURES, 'csci567/mistake_transposed_dW.py'), '--python', PYTHON]).stdout;
  assert.match(text, /your backward does not match your own forward either/);
});

test('the readable report: a line per check, then the failure with its place, first entry and hint', () => {
  const r = cli([path.join(FIXTURES, 'cs231n/mistake_dw_transposed.py'), '--python', PYTHON]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^✓ affine_forward output$/m);
  assert.match(r.stdout, /^✗ affine_backward dW$/m);
  assert.match(r.stdout, /^– tanh_forward output: skipped, not defined in mistake_dw_transposed\.py/m);
  assert.match(r.stdout, /^✗ affine_backward dW {2}mistake_dw_transposed\.py:5$/m);
  assert.match(r.stdout, /^ {2}shape \(5, 6\), expected \(6, 5\)$/m);
  assert.match(r.stdout, /^ {2}hint: dw \(= x\.T @ dout, shaped like w\) is transposed/m);
  assert.match(r.stdout, /^12 passed, 1 failed, 2 skipped$/m);
});

test('--style overrides the detected style; a style the file does not use is refused', () => {
  const r = cli([path.join(FIXTURES, 'cs231n/layers.py'), '--python', PYTHON, '--style', 'csci567']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /layers\.py defines none of the csci567 pieces/);
  assert.equal(cli([path.join(FIXTURES, 'cs231n/layers.py'), '--style', 'keras']).status, 2);
});

/** Bad input: each has its own message and exit code 2, and never a stack trace of ours. */
const BAD: [string, string[], RegExp][] = [
  ['syntax_error.py', [], /syntax_error\.py line 5: SyntaxError/],
  ['import_error.py', [], /import_error\.py line 3: ModuleNotFoundError: No module named 'a_module_that_is_not_installed'/],
  ['endless_backward.py', ['--time-limit', '2'], /relu\.backward did not return within 2 s and was stopped: an endless loop\?/],
  ['trains_on_import.py', ['--time-limit', '2'], /importing trains_on_import\.py did not finish within 2 s.*if __name__ == "__main__"/],
  ['print_flood.py', [], /printed more than 1 MB while running relu\.forward.*"debugging relu 0"/],
  ['nothing_to_check.py', [], /nothing_to_check\.py defines none of the pieces/],
  ['exits.py', [], /Python exited with code 3 while running relu\.backward/],
];

for (const [file, flags, message] of BAD) {
  test(`bad input ends with its own message and exit code 2: ${file}`, () => {
    const started = Date.now();
    const r = cli([path.join(FIXTURES, 'bad', file), '--python', PYTHON, ...flags]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^error: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(Date.now() - started < 15000, 'the time limit holds');
  });
}

test('an endless loop leaves no Python process behind', () => {
  cli([path.join(FIXTURES, 'bad/endless_backward.py'), '--python', PYTHON, '--time-limit', '1']);
  const left = spawnSync('pgrep', ['-f', 'endless_backward|harness\\.py'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', `processes left: ${left}`);
});

test('a check cancelled half-way (the extension stops) ends at once, its Python process group with it', async () => {
  const stopping = new AbortController();
  const started = Date.now();
  const check = checkFile(path.join(FIXTURES, 'bad/endless_backward.py'), { python: PYTHON, timeLimitMs: 60000, signal: stopping.signal });
  // Cancel once the harness has reached the endless loop.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.notEqual(spawnSync('pgrep', ['-f', 'harness\\.py'], { encoding: 'utf8' }).stdout.trim(), '', 'the check is under way');
  stopping.abort();
  await assert.rejects(check, (e: unknown) => e instanceof CheckSetupError && e.problem === 'cancelled' && /the check of endless_backward\.py was cancelled/.test(e.message));
  assert.ok(Date.now() - started < 5000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const left = spawnSync('pgrep', ['-f', 'endless_backward|harness\\.py'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', `processes left: ${left}`);
});

test('a piece that raises, runs out of memory or returns no array is named with its problem, and the check exits 2', () => {
  const cases: [string, RegExp][] = [
    ['raises.py', /relu\.backward raised NotImplementedError: relu\.backward is homework \(raises\.py line 9\)/],
    ['huge_allocation.py', /relu\.forward raised MemoryError: it asked for more memory than the check allows/],
    ['wrong_type.py', /relu\.forward gave a list .* where a NumPy array of numbers was expected: make it an array with np\.array/],
  ];
  for (const [file, message] of cases) {
    const { status, report } = checkJson(`bad/${file}`);
    assert.equal(status, 2, file);
    const bad = report.checks.filter((c) => c.ok === false);
    assert.equal(bad.length, 1, file);
    assert.match(bad[0].message!, message);
  }
});

test('the right numbers in the wrong shape fail the check (exit 1) and say so', () => {
  const { status, report } = checkJson('bad/wrong_shape.py');
  assert.equal(status, 1);
  const c = report.checks.find((x) => x.ok === false)!;
  assert.deepEqual([c.name, c.shape, c.expectedShape, c.mistake], ['relu.forward', [24], [4, 6], 'shape']);
  assert.match(c.hint!, /the right numbers in the wrong shape/);
});

test("the student's prints, from Python and on file descriptor 1, cannot corrupt the answers", () => {
  const { status, report } = checkJson('bad/prints_everywhere.py');
  assert.equal(status, 0);
  assert.deepEqual([report.passed, report.failed], [2, 0]);
});

test('no NumPy, and no Python: a message with the fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-lens-python-'));
  // Debian's python3 without its site packages: a real interpreter that has no NumPy.
  const bare = path.join(dir, 'python3-without-numpy');
  fs.writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`, { mode: 0o755 });
  const r = cli([path.join(FIXTURES, 'csci567/neural_networks.py'), '--python', bare]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /NumPy is not installed for \/usr\/bin\/python3 \(Python 3\.\d+\.\d+\)\. Install it with: .*python3-without-numpy -m pip install numpy/);
  const none = cli([path.join(FIXTURES, 'csci567/neural_networks.py'), '--python', path.join(dir, 'no-such-python')]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /the Python interpreter .*no-such-python was not found/);
  const missing = cli([path.join(FIXTURES, 'no_such_file.py'), '--python', PYTHON]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*no_such_file\.py: ENOENT/);
  fs.rmSync(dir, { recursive: true });
});

test('comparison: a transpose, a flattened bias, a NaN and a constant factor', () => {
  const E = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  const t = compare(transpose(E), E, [{ mistake: 'transposed', hint: 'transposed', values: transpose(E) }]);
  assert.deepEqual([t.ok, t.mistake, t.mismatches], [false, 'transposed', 4]);
  const flat = compare(tensor([5], [1, 2, 3, 4, 5]), tensor([1, 5], [1, 2, 3, 4, 5]));
  assert.equal(flat.ok, true);
  assert.match(flat.note!, /compared after flattening/);
  const nan = compare(tensor([2, 3], [1, 2, NaN, 4, 5, 6]), E);
  assert.deepEqual([nan.ok, nan.mismatches, nan.first!.index], [false, 1, [0, 2]]);
  const k = compare(tensor([2, 3], E.data.map((x) => x * 3)), E);
  assert.match(k.hint!, /every entry is 3 times the reference's/);
});
