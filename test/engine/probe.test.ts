import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, loadEmbeddedSplits, maxRelativeError, Probe, SoftmaxCrossEntropy, Trainer, type TrainingConfig } from '../../engine';

const data = loadEmbeddedSplits();
const CONFIG: TrainingConfig = { ...DEFAULT_CONFIG, hidden: [32], batchSize: 16 };

function trained(steps: number, config = CONFIG): Trainer {
  const t = new Trainer(config, data);
  for (let s = 0; s < steps; s++) t.trainStep();
  return t;
}

const digit = (n: number): Float64Array => Float64Array.from(data.test.images.subarray(n * 784, (n + 1) * 784));

test('a reading gives the probabilities of the network\'s own evaluation pass (dropout off), and its argmax', () => {
  const t = trained(40), probe = new Probe(t.network);
  const net = t.network, X = net.kernels.allocate('float32', 784), Y = net.kernels.allocate('float32', 10);
  for (const n of [0, 1, 2]) {
    const x = digit(n), reading = probe.read(x, null);
    X.set(x);
    net.forward(X, 1, false);
    net.computeLoss(Y, 1);
    const p = (net.loss as SoftmaxCrossEntropy).probabilities;
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(reading.probabilities[k] - p[k]) < 1e-5, `p(${k}) of test digit ${n}: ${reading.probabilities[k]} against ${p[k]}`);
    assert.ok(Math.abs(reading.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.equal(reading.predicted, reading.probabilities.indexOf(Math.max(...reading.probabilities)));
    assert.equal(reading.saliency, null, 'no saliency unless asked');
  }
});

test('the saliency is dL/dx of -log p_c, as central differences of the probe\'s own loss say', () => {
  const probe = new Probe(trained(40).network), x = digit(3);
  for (const c of ['predicted', 4] as const) {
    const reading = probe.read(x, c);
    const target = c === 'predicted' ? reading.predicted : c;
    assert.equal(reading.saliency!.target, target);
    const loss = (): number => -Math.log(probe.read(x, null).probabilities[target]);
    assert.ok(maxRelativeError(loss, x, reading.saliency!.gradient) < 1e-6, `class ${c}`);
  }
});

test('reading a digit leaves the run as it was: the next steps are those of an unprobed run', () => {
  const probed = trained(5), plain = trained(5), probe = new Probe(probed.network);
  probe.read(digit(0), 'predicted');
  for (let s = 0; s < 5; s++) assert.equal(probed.trainStep().loss, plain.trainStep().loss);
});

test('a class the network does not have is refused with its name', () => {
  const probe = new Probe(trained(0).network);
  assert.throws(() => probe.read(digit(0), 12), /there is no class 12: the network has 10/);
  assert.throws(() => probe.read(new Float64Array(5), null), /takes 784 inputs, not 5/);
});
