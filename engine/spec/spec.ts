/**
 * Network spec files (*.mlp.json): a small network described completely (layers
 * with optional exact weights, loss, optimizer, seed and one batch of data) so
 * that a textbook example can be reproduced number for number. Parsing keeps
 * each value's place in the text, so that every problem points at its line.
 */
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { ActivationType, LayerSpec } from '../nn/layers/layer';
import type { LossType } from '../nn/losses';
import { ACTIVATIONS } from '../train/config';
import { grouped, jsonDepth, LIMITS, networkTooLarge } from '../limits';
import { MNIST_CLASSES, MNIST_FEATURES } from '../data/idx';

export type SpecPath = (string | number)[];

export interface SpecProblem {
  readonly path: SpecPath;
  readonly message: string;
  /** Where in the text: the value at `path`, or the nearest enclosing one that exists. */
  readonly offset: number;
  readonly length: number;
}

export type SpecLayer =
  | { readonly type: 'linear'; readonly in: number; readonly out: number; readonly W?: number[][]; readonly b?: number[] }
  | { readonly type: ActivationType }
  | { readonly type: 'dropout'; readonly rate: number; readonly mask?: number[] | number[][] };

export type SpecData =
  | { readonly inputs: number[][]; readonly targets: number[][] }
  | { readonly inputs: number[][]; readonly labels: number[] }
  | { readonly dataset: 'mnist'; readonly batchSize: number };

export interface NetworkSpec {
  readonly layers: SpecLayer[];
  readonly loss: LossType;
  readonly optimizer: { readonly learningRate: number; readonly momentum: number; readonly l2: number; readonly l2Biases: boolean };
  readonly seed: number;
  readonly data: SpecData;
}

/** `$.layers[2].W[1]`, the way the trace command and the problems name a place. */
export function formatPath(path: SpecPath): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

const LAYER_TYPES = ['linear', ...ACTIVATIONS, 'dropout'];
const LOSSES: LossType[] = ['softmax-cross-entropy', 'mse'];

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 1;

/** Checks a spec's structure, shapes and values, collecting every problem rather than stopping at the first. */
class Checker {
  readonly problems: { path: SpecPath; message: string }[] = [];

  problem(path: SpecPath, message: string): void {
    this.problems.push({ path, message });
  }

  /** A matrix of `rows` x `cols` finite numbers; false (with a problem) if not. */
  matrix(path: SpecPath, x: unknown, rows: number | null, cols: number | null, what: string): x is number[][] {
    if (!Array.isArray(x) || x.length === 0) return this.fail(path, `${what} must be a non-empty array of rows`);
    if (rows !== null && x.length !== rows) return this.fail(path, `${what} has ${x.length} rows but must have ${rows}`);
    const width = cols ?? (Array.isArray(x[0]) ? x[0].length : 0);
    for (let r = 0; r < x.length; r++) {
      const row: unknown = x[r];
      if (!Array.isArray(row)) return this.fail([...path, r], `row ${r} of ${what} must be an array of numbers`);
      if (row.length !== width) return this.fail([...path, r], `row ${r} of ${what} has ${row.length} entries but must have ${width}`);
      const bad = row.findIndex((v) => !isNumber(v));
      if (bad >= 0) return this.fail([...path, r, bad], `${what}[${r}][${bad}] must be a number`);
    }
    return true;
  }

  vector(path: SpecPath, x: unknown, length: number, what: string): x is number[] {
    if (!Array.isArray(x)) return this.fail(path, `${what} must be an array of ${length} numbers`);
    if (x.length !== length) return this.fail(path, `${what} has ${x.length} entries but must have ${length}`);
    const bad = x.findIndex((v) => !isNumber(v));
    return bad >= 0 ? this.fail([...path, bad], `${what}[${bad}] must be a number`) : true;
  }

  private fail(path: SpecPath, message: string): false {
    this.problem(path, message);
    return false;
  }
}

function checkLayers(c: Checker, layers: unknown, inputs: number | null): { layers: SpecLayer[]; outputs: number | null } {
  const out: SpecLayer[] = [];
  if (!Array.isArray(layers) || layers.length === 0) {
    c.problem(['layers'], 'layers must be a non-empty array such as [{"type": "linear", "in": 3, "out": 2}, {"type": "sigmoid"}]');
    return { layers: out, outputs: null };
  }
  let features = inputs, parameters = 0;
  layers.forEach((layer: unknown, i) => {
    const at: SpecPath = ['layers', i];
    if (!isObject(layer) || !LAYER_TYPES.includes(layer.type as string)) {
      const type = isObject(layer) ? JSON.stringify(layer.type) : 'missing';
      c.problem(isObject(layer) && 'type' in layer ? [...at, 'type'] : at, `unknown layer type ${type}: use one of ${LAYER_TYPES.join(', ')}`);
      features = null;
      return;
    }
    if (layer.type === 'linear') {
      const inCount = layer.in ?? features;
      if (!isCount(layer.out)) c.problem([...at, 'out'], 'a linear layer needs "out", its number of units');
      const mismatch = isCount(inCount) && features !== null && inCount !== features;
      if (!isCount(inCount)) c.problem([...at, 'in'], 'a linear layer needs "in", its number of inputs');
      else if (mismatch) c.problem([...at, 'in'], `layer ${i} takes ${inCount} inputs but ${i === 0 ? 'the data has' : `layer ${i - 1} gives`} ${features}`);
      // With "in" itself wrong, W's width would be a second, misleading complaint.
      const sized = isCount(layer.out) && isCount(inCount) && !mismatch;
      const before = parameters;
      if (sized) parameters += (inCount + 1) * (layer.out as number);
      const withinLimit = parameters <= LIMITS.parameters;
      if (sized && !withinLimit && before <= LIMITS.parameters) {
        c.problem([...at, 'out'], `with this layer the network has ${grouped(parameters)} parameters, more than the ${grouped(LIMITS.parameters)} a laptop can train (the parameter limit); use fewer units`);
      }
      const ok = sized && withinLimit;
      if (ok && layer.W !== undefined) c.matrix([...at, 'W'], layer.W, layer.out as number, inCount, 'W');
      if (ok && layer.b !== undefined) c.vector([...at, 'b'], layer.b, layer.out as number, 'b');
      if (ok) out.push({ type: 'linear', in: inCount, out: layer.out as number, W: layer.W as number[][] | undefined, b: layer.b as number[] | undefined });
      // Past the limit, sizes downstream would only repeat the complaint.
      features = isCount(layer.out) && withinLimit ? layer.out : null;
      return;
    }
    if (layer.type === 'dropout') {
      const rate = layer.rate;
      if (!isNumber(rate) || rate < 0 || rate >= 1) c.problem([...at, 'rate'], 'dropout needs "rate" in [0, 1), such as 0.5');
      if (layer.mask !== undefined && features !== null) checkMask(c, [...at, 'mask'], layer.mask, features);
      out.push({ type: 'dropout', rate: rate as number, mask: layer.mask as number[] | undefined });
      return;
    }
    out.push({ type: layer.type as ActivationType });
  });
  return { layers: out, outputs: features };
}

function checkMask(c: Checker, path: SpecPath, mask: unknown, units: number): void {
  const rows = Array.isArray(mask) && Array.isArray(mask[0]) ? (mask as unknown[][]) : [mask];
  rows.forEach((row, r) => {
    const at = rows.length === 1 && !Array.isArray((mask as unknown[])[0]) ? path : [...path, r];
    if (!Array.isArray(row) || row.length !== units || !row.every((m) => m === 0 || m === 1)) {
      c.problem(at, `a dropout mask is ${units} entries of 0 (dropped) or 1 (kept), one row per example or one for all`);
    }
  });
}

function checkData(c: Checker, data: unknown, outputs: number | null): { data: SpecData | null; inputs: number | null; rows: number | null } {
  if (!isObject(data)) {
    c.problem(['data'], 'data must be {"inputs": [[...]], "targets": [[...]]}, {"inputs": [[...]], "labels": [...]} or {"dataset": "mnist"}');
    return { data: null, inputs: null, rows: null };
  }
  if ('dataset' in data) {
    if (data.dataset !== 'mnist') c.problem(['data', 'dataset'], 'the only dataset is "mnist"');
    const batchSize = data.batchSize ?? 5;
    if (!isCount(batchSize) || batchSize > LIMITS.specRows) c.problem(['data', 'batchSize'], `batchSize must be a whole number of examples from 1 to ${LIMITS.specRows} (the batch limit), such as 5`);
    return { data: { dataset: 'mnist', batchSize: batchSize as number }, inputs: MNIST_FEATURES, rows: batchSize as number };
  }
  if (!c.matrix(['data', 'inputs'], data.inputs, null, null, 'inputs')) return { data: null, inputs: null, rows: null };
  const inputs = data.inputs as number[][];
  const rows = inputs.length;
  if (rows > LIMITS.specRows) {
    c.problem(['data', 'inputs'], `${grouped(rows)} examples, more than the batch limit of ${grouped(LIMITS.specRows)}: a spec is one batch to step through`);
    return { data: null, inputs: inputs[0].length, rows };
  }
  if ('targets' in data) {
    if (c.matrix(['data', 'targets'], data.targets, rows, outputs, 'targets')) return { data: { inputs, targets: data.targets as number[][] }, inputs: inputs[0].length, rows };
  } else if ('labels' in data) {
    const labels = data.labels;
    if (!Array.isArray(labels) || labels.length !== rows) c.problem(['data', 'labels'], `labels must have one class index per input row (${rows})`);
    else {
      const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || (outputs !== null && l >= outputs));
      if (bad >= 0) c.problem(['data', 'labels', bad], `label ${JSON.stringify(labels[bad])} is not a class index from 0 to ${(outputs ?? 1) - 1}`);
      else return { data: { inputs, labels: labels as number[] }, inputs: inputs[0].length, rows };
    }
  } else c.problem(['data'], 'data needs "targets" (one vector per input) or "labels" (one class index per input)');
  return { data: null, inputs: inputs[0].length, rows };
}

function checkSpec(c: Checker, x: unknown): NetworkSpec | null {
  if (!isObject(x)) {
    c.problem([], 'a network spec is a JSON object with "layers", "loss", "optimizer", "seed" and "data"');
    return null;
  }
  // The data fix the input size, which the first layer is checked against.
  const firstPass = isObject(x.data) && 'dataset' in x.data ? MNIST_FEATURES : isObject(x.data) && Array.isArray(x.data.inputs) && Array.isArray(x.data.inputs[0]) ? x.data.inputs[0].length : null;
  const { layers, outputs } = checkLayers(c, x.layers, firstPass);
  const data = checkData(c, x.data, outputs);
  const widths = [firstPass ?? 0, ...layers.flatMap((l) => (l.type === 'linear' ? [l.out] : []))];
  const tooLarge = c.problems.length === 0 && data.rows !== null ? networkTooLarge(widths, data.rows) : null;
  if (tooLarge) c.problem(['data'], tooLarge);
  if (isObject(x.data) && 'dataset' in x.data && outputs !== null && outputs !== MNIST_CLASSES) {
    c.problem(['layers', (x.layers as unknown[]).length - 1], `the mnist dataset has ${MNIST_CLASSES} classes but the network ends with ${outputs} outputs`);
  }
  const loss = x.loss ?? 'softmax-cross-entropy';
  if (!LOSSES.includes(loss as LossType)) c.problem(['loss'], `loss must be ${LOSSES.map((l) => `"${l}"`).join(' or ')}`);
  const o = x.optimizer ?? {};
  const optimizer = { learningRate: 0.01, momentum: 0, l2: 0, l2Biases: false, ...(isObject(o) ? o : {}) };
  if (!isObject(o)) c.problem(['optimizer'], 'optimizer must be an object such as {"learningRate": 0.01, "momentum": 0, "l2": 0}');
  else {
    if (!isNumber(optimizer.learningRate) || optimizer.learningRate <= 0) c.problem(['optimizer', 'learningRate'], 'learningRate must be a positive number such as 0.01');
    if (!isNumber(optimizer.momentum) || optimizer.momentum < 0 || optimizer.momentum >= 1) c.problem(['optimizer', 'momentum'], 'momentum must be in [0, 1)');
    if (!isNumber(optimizer.l2) || optimizer.l2 < 0) c.problem(['optimizer', 'l2'], 'l2 must be 0 or a positive number');
    if (typeof optimizer.l2Biases !== 'boolean') c.problem(['optimizer', 'l2Biases'], 'l2Biases must be true or false');
  }
  const seed = x.seed ?? 42;
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > 0xffffffff) c.problem(['seed'], 'seed must be a whole number from 0 to 4294967295');
  if (c.problems.length > 0 || !data.data) return null;
  return { layers, loss: loss as LossType, optimizer: optimizer as NetworkSpec['optimizer'], seed: seed as number, data: data.data };
}

/** Where `path` points in the text: the value there, or the nearest enclosing one that exists. */
function locate(root: Node | undefined, path: SpecPath): { offset: number; length: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = root && findNodeAtLocation(root, path.slice(0, n));
    if (node) {
      // A whole object or array would underline many lines: its first line will do.
      const whole = node.type === 'object' || node.type === 'array';
      return { offset: node.offset, length: whole ? 1 : node.length };
    }
  }
  return { offset: 0, length: 1 };
}

/** Parses and checks a spec file's text: the spec, or every problem with its place. */
export function parseSpec(text: string): { spec: NetworkSpec | null; problems: SpecProblem[] } {
  const tooLarge = (message: string): { spec: null; problems: SpecProblem[] } => ({ spec: null, problems: [{ path: [], message, offset: 0, length: 1 }] });
  if (text.length > LIMITS.specBytes) return tooLarge(`the file has ${grouped(text.length)} characters, more than the limit of ${grouped(LIMITS.specBytes)} for a network spec`);
  if (jsonDepth(text, LIMITS.specDepth) > LIMITS.specDepth) {
    return tooLarge(`arrays and objects are nested more than ${LIMITS.specDepth} deep (the nesting limit); a spec needs 5: {"layers": [{"W": [[...]]}]}`);
  }
  const errors: ParseError[] = [];
  let root: Node | undefined, value: unknown;
  try {
    root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
    value = root && getNodeValue(root);
  } catch (e) {
    // The depth check counts brackets that a comment hides as well; this is its backstop.
    if (e instanceof RangeError) return tooLarge(`arrays and objects are nested too deeply (the nesting limit is ${LIMITS.specDepth})`);
    throw e;
  }
  if (errors.length > 0 || !root) {
    const problems = errors.map((e) => ({ path: [], message: `not valid JSON: ${printParseErrorCode(e.error)}`, offset: e.offset, length: Math.max(1, e.length) }));
    return { spec: null, problems: problems.length ? problems : [{ path: [], message: 'the file is empty', offset: 0, length: 1 }] };
  }
  const checker = new Checker();
  const spec = checkSpec(checker, value);
  return { spec, problems: checker.problems.map((p) => ({ ...p, ...locate(root, p.path) })) };
}

/** The layers of a spec in the form the engine builds. */
export function specLayers(spec: NetworkSpec): LayerSpec[] {
  return spec.layers.map((l) => (l.type === 'linear' ? { type: 'linear', in: l.in, out: l.out } : l.type === 'dropout' ? { type: 'dropout', rate: l.rate } : { type: l.type }));
}
