import * as tf from '@tensorflow/tfjs';

import {
  countTrainableParams,
  ReZero,
  rezeroDecoderLayer,
  rezeroEncoderLayer,
  rezeroGates,
  rezeroTransformerDecoder,
  rezeroTransformerEncoder,
  TorchMultiheadAttention,
} from '@aa/rezero';

import { expectClose, expectNoLeak, flat, loadFixture, setAlpha, setFixtureWeights, variableOf, type Nested } from './helpers';

interface TransformerCase {
  kind: 'encoder' | 'decoder';
  dModel: number;
  numHeads: number;
  dimFeedforward: number;
  activation: 'relu' | 'gelu';
  causal: boolean;
  alpha: number;
  src?: Nested;
  tgt?: Nested;
  memory?: Nested;
  keyPaddingMask?: Nested | null;
  memoryKeyPaddingMask?: Nested | null;
  weights: Record<string, Nested[]>;
  output: Nested;
  upstream: Nested;
  grads: { src?: Nested; tgt?: Nested; memory?: Nested; alpha: number; layers: Record<string, Nested[]> };
}

const fixture = loadFixture<{ defaultParameterCounts: { encoder: number; decoder: number }; cases: TransformerCase[] }>('transformer');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Like expectClose, but an expected gradient that is zero up to float64 rounding (the key bias: a constant
 * added to every key's score leaves the softmax unchanged) only has to be zero up to float32 rounding.
 */
function expectGradClose(actual: ArrayLike<number>, expected: Nested): void {
  const want = flat(expected);
  if (Math.max(...want.map(Math.abs)) < 1e-12) {
    expect(Math.max(...Array.from(actual, Math.abs))).toBeLessThan(1e-5);
    return;
  }
  expectClose(actual, want);
}

const shapeOf = (v: Nested): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0] as Nested)] : []);

/** The one-layer model of a fixture case, with its inputs in model order. */
function caseModel(c: TransformerCase): { model: tf.LayersModel; inputs: tf.Tensor[] } {
  const common = { numHeads: c.numHeads, dimFeedforward: c.dimFeedforward, activation: c.activation, dropout: 0, causal: c.causal, name: 'rz' };
  if (c.kind === 'encoder') {
    const src = tf.input({ shape: shapeOf(c.src!).slice(1) });
    const mask = c.keyPaddingMask ? tf.input({ shape: shapeOf(c.keyPaddingMask).slice(1) }) : undefined;
    const out = rezeroEncoderLayer(src, { ...common, keyPaddingMask: mask });
    const inputs = [tf.tensor(c.src as number[]), ...(c.keyPaddingMask ? [tf.tensor(c.keyPaddingMask as number[])] : [])];
    return { model: tf.model({ inputs: mask ? [src, mask] : [src], outputs: out }), inputs };
  }
  const tgt = tf.input({ shape: shapeOf(c.tgt!).slice(1) });
  const memory = tf.input({ shape: shapeOf(c.memory!).slice(1) });
  const mask = c.memoryKeyPaddingMask ? tf.input({ shape: shapeOf(c.memoryKeyPaddingMask).slice(1) }) : undefined;
  const out = rezeroDecoderLayer(tgt, memory, { ...common, memoryKeyPaddingMask: mask });
  const inputs = [tf.tensor(c.tgt as number[]), tf.tensor(c.memory as number[]), ...(c.memoryKeyPaddingMask ? [tf.tensor(c.memoryKeyPaddingMask as number[])] : [])];
  return { model: tf.model({ inputs: mask ? [tgt, memory, mask] : [tgt, memory], outputs: out }), inputs };
}

describe('rezeroEncoderLayer / rezeroDecoderLayer: golden values of majumderb/rezero (RZTXEncoderLayer, RZTXDecoderLayer)', () => {
  const label = (c: TransformerCase) =>
    `${c.kind} E=${c.dModel} heads=${c.numHeads} ff=${c.dimFeedforward} ${c.activation}${c.causal ? ' causal' : ''}${c.keyPaddingMask || c.memoryKeyPaddingMask ? ' padding mask' : ''}`;

  it.each(fixture.cases.map((c) => [label(c), c] as const))('%s: output and every gradient (inputs, weights, alpha)', (_name, c) => {
    const { model, inputs } = caseModel(c);
    setFixtureWeights(model, 'rz', c.weights);
    setAlpha(model, 'rz', c.alpha);
    const upstream = tf.tensor(c.upstream as number[]);
    const y = model.apply(inputs, { training: true }) as tf.Tensor;
    expectClose(y.dataSync(), c.output);

    const seqInputs = c.kind === 'encoder' ? 1 : 2;
    const loss = (...xs: tf.Tensor[]) => tf.sum(tf.mul(model.apply([...xs, ...inputs.slice(seqInputs)], { training: true }) as tf.Tensor, upstream)) as tf.Scalar;
    const gx = tf.grads(loss)(inputs.slice(0, seqInputs));
    expectClose(gx[0]!.dataSync(), (c.kind === 'encoder' ? c.grads.src : c.grads.tgt)!);
    if (c.kind === 'decoder') expectClose(gx[1]!.dataSync(), c.grads.memory!);

    const wanted: { variable: tf.Variable; expected: Nested }[] = [];
    for (const [suffix, grads] of Object.entries(c.grads.layers)) {
      grads.forEach((g, i) => wanted.push({ variable: variableOf(model, `rz_${suffix}`, i), expected: g }));
    }
    const alpha = variableOf(model, 'rz_rezero', 0);
    const { value, grads } = tf.variableGrads(() => loss(...inputs.slice(0, seqInputs)), [...wanted.map((w) => w.variable), alpha]);
    for (const { variable, expected } of wanted) expectGradClose(grads[variable.name]!.dataSync(), expected);
    expectClose(grads[alpha.name]!.dataSync(), [c.grads.alpha]);
    tf.dispose([upstream, y, ...gx, value, ...inputs, ...Object.values(grads)]);
    model.dispose();
  });

  it("has PyTorch's parameter count at the defaults (d_model 512, 8 heads, dim_feedforward 2048)", () => {
    const x = tf.input({ shape: [null, 512] });
    const memory = tf.input({ shape: [null, 512] });
    const encoder = tf.model({ inputs: x, outputs: rezeroEncoderLayer(x, { numHeads: 8 }) });
    const decoder = tf.model({ inputs: [x, memory], outputs: rezeroDecoderLayer(x, memory, { numHeads: 8 }) });
    expect(countTrainableParams(encoder)).toBe(fixture.defaultParameterCounts.encoder);
    expect(countTrainableParams(decoder)).toBe(fixture.defaultParameterCounts.decoder);
    encoder.dispose();
    decoder.dispose();
  });
});

describe('ReZero transformer layers', () => {
  const encoderModel = (options: Partial<Parameters<typeof rezeroEncoderLayer>[1]> = {}) => {
    const x = tf.input({ shape: [5, 8] });
    return tf.model({ inputs: x, outputs: rezeroEncoderLayer(x, { numHeads: 2, dimFeedforward: 12, name: 'enc', ...options }) });
  };

  it('start as the identity (alpha = 0), with one gate shared by every sub-layer', () => {
    const enc = encoderModel({ dropout: 0.2 });
    const x = tf.randomNormal([3, 5, 8]);
    const y = enc.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(rezeroGates(enc)).toEqual([{ layer: 'enc_rezero', alpha: 0 }]);
    // One ReZero layer, applied after the attention and after the feed-forward block.
    const gates = enc.layers.filter((l) => l instanceof ReZero);
    expect(gates).toHaveLength(1);
    expect(gates[0]!.inboundNodes).toHaveLength(2);
    expect(enc.layers.map((l) => l.name)).toEqual(['input1', 'enc_self_attn', 'enc_dropout1', 'enc_rezero', 'enc_linear1', 'enc_dropout', 'enc_linear2', 'enc_dropout2'].map((n, i) => (i === 0 ? enc.layers[0]!.name : n)));
    const target = tf.input({ shape: [4, 8] });
    const memory = tf.input({ shape: [6, 8] });
    const dec = tf.model({ inputs: [target, memory], outputs: rezeroDecoderLayer(target, memory, { numHeads: 2, dimFeedforward: 12, dropout: 0, name: 'dec' }) });
    expect(dec.layers.filter((l) => l instanceof ReZero)[0]!.inboundNodes).toHaveLength(3);
    expect(dec.layers.map((l) => l.name).filter((n) => n.startsWith('dec_'))).toEqual(['dec_self_attn', 'dec_rezero', 'dec_cross_attn', 'dec_linear1', 'dec_linear2']);
    tf.dispose([x, y]);
    enc.dispose();
    dec.dispose();
  });

  it('apply dropout in training only, and train the gate', async () => {
    const enc = encoderModel({ dropout: 0.5, initialAlpha: 0.5, seed: 3 });
    const x = tf.randomNormal([2, 5, 8]);
    const a = enc.predict(x) as tf.Tensor;
    const b = enc.predict(x) as tf.Tensor;
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const c = enc.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
    enc.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const target = tf.zeros([2, 5, 8]);
    await enc.fit(x, target, { epochs: 1, verbose: 0 });
    await expectNoLeak(async () => {
      await enc.fit(x, target, { epochs: 2, verbose: 0 });
    });
    expect(rezeroGates(enc)[0]!.alpha).not.toBe(0.5);
    tf.dispose([x, a, b, c, target]);
    enc.dispose();
  });

  it('are reproducible with a seed and save and load (masks included) with identical outputs', async () => {
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const one = encoderModel({ seed: 5 });
    const two = encoderModel({ seed: 5 });
    const other = encoderModel({ seed: 6 });
    expect(weights(two)).toEqual(weights(one));
    expect(weights(other)[0]).not.toEqual(weights(one)[0]);
    [one, two, other].forEach((m) => m.dispose());

    const target = tf.input({ shape: [4, 8] });
    const memory = tf.input({ shape: [6, 8] });
    const mask = tf.input({ shape: [6] });
    const out = rezeroDecoderLayer(target, memory, { numHeads: 2, dimFeedforward: 12, initialAlpha: 0.7, memoryKeyPaddingMask: mask, seed: 1, name: 'dec' });
    const model = tf.model({ inputs: [target, memory, mask], outputs: out });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (s) => ((saved = s), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
    expect(loaded.getLayer('dec_cross_attn').getConfig()).toMatchObject({ numHeads: 2, dropout: 0.1, causal: false, useBias: true });
    expect(loaded.getLayer('dec_self_attn').getConfig()).toMatchObject({ causal: true });
    const inputs = [tf.randomNormal([2, 4, 8]), tf.randomNormal([2, 6, 8]), tf.tensor2d([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1], [2, 6])];
    const a = model.predict(inputs) as tf.Tensor;
    const b = loaded.predict(inputs) as tf.Tensor;
    expectClose(b.dataSync(), a.dataSync(), 0, 0);
    tf.dispose([...inputs, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('reject bad options and inputs by name', () => {
    const x = tf.input({ shape: [5, 6] });
    const memory = tf.input({ shape: [7, 8] });
    expect(() => rezeroEncoderLayer(x, { numHeads: 4 })).toThrow(/rezeroEncoderLayer: numHeads must divide the model width, got numHeads 4 and input \[null, 5, 6\]\./);
    expect(() => rezeroEncoderLayer(x, { numHeads: 2, nhead: 2 } as never)).toThrow(/rezeroEncoderLayer: option names must be one of 'numHeads', .*, got 'nhead'\./);
    expect(() => rezeroEncoderLayer(x, { numHeads: 2, dropout: 1 })).toThrow(/rezeroEncoderLayer: dropout must be a number in \[0, 1\), got 1\./);
    expect(() => rezeroEncoderLayer(x, { numHeads: 2, activation: 'GELU' as never })).toThrow(/rezeroEncoderLayer: activation must be a tfjs activation name/);
    expect(() => rezeroEncoderLayer(x, { numHeads: 2, keyPaddingMask: tf.input({ shape: [4] }) })).toThrow(
      /rezeroEncoderLayer: keyPaddingMask must be undefined or a tf.SymbolicTensor of shape \[B, 5\] \(1 = attend, 0 = padding\), got a SymbolicTensor of shape \[null, 4\]\./,
    );
    expect(() => rezeroDecoderLayer(x, memory, { numHeads: 2 })).toThrow(/rezeroDecoderLayer: target and memory must have the same width E, got \[null, 5, 6\] and \[null, 7, 8\]\./);
    const concrete = tf.zeros([1, 5, 6]);
    expect(() => rezeroEncoderLayer(concrete as never, { numHeads: 2 })).toThrow(/rezeroEncoderLayer: input must be a tf.SymbolicTensor of shape \[B, T, E\]/);
    concrete.dispose();
  });
});

describe('TorchMultiheadAttention', () => {
  it("initialises as PyTorch's nn.MultiheadAttention (Xavier-uniform projections, U(±1/√E) output, zero biases)", () => {
    const layer = new TorchMultiheadAttention({ numHeads: 4, seed: 1 });
    layer.build([[null, 3, 64], [null, 5, 64], [null, 5, 64]]);
    const [wq, bq, wk, , , , wo, bo] = layer.getWeights();
    const bound = Math.sqrt(6 / (64 + 3 * 64));
    for (const w of [wq!, wk!]) {
      const v = Array.from(w.dataSync());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    }
    expect(Math.max(...Array.from(wo!.dataSync()).map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Array.from(bq!.dataSync()).every((v) => v === 0) && Array.from(bo!.dataSync()).every((v) => v === 0)).toBe(true);
    // Key and value of other sizes: each block is initialised on its own, as PyTorch's separate projections.
    const cross = new TorchMultiheadAttention({ numHeads: 2, useBias: false });
    cross.build([[null, 3, 8], [null, 5, 40], [null, 5, 40]]);
    expect(cross.getWeights().map((w) => w.shape)).toEqual([[8, 8], [40, 8], [40, 8], [8, 8]]);
    expect(Math.max(...Array.from(cross.getWeights()[1]!.dataSync()).map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 48));
  });

  it('takes [query], [query, keyValue] and [query, key, value]; causal and padding masks hide exactly the masked keys', () => {
    const layer = new TorchMultiheadAttention({ numHeads: 2, seed: 4 });
    const causal = new TorchMultiheadAttention({ numHeads: 2, causal: true, seed: 4 });
    const q = tf.randomNormal([2, 4, 6]) as tf.Tensor3D;
    const self = layer.apply(q) as tf.Tensor;
    for (const inputs of [[q, q], [q, q, q]]) expectClose((layer.apply(inputs) as tf.Tensor).dataSync(), self.dataSync(), 0, 0);
    // Causal: output i only sees keys j <= i, so changing the last position changes only the last output.
    const changed = tf.concat([tf.slice(q, [0, 0, 0], [2, 3, 6]), tf.fill([2, 1, 6], 9)], 1);
    const a = causal.apply(q) as tf.Tensor;
    const b = causal.apply(changed) as tf.Tensor;
    expectClose(tf.slice(b, [0, 0, 0], [2, 3, 6]).dataSync(), tf.slice(a, [0, 0, 0], [2, 3, 6]).dataSync(), 1e-6, 1e-6);
    expect(Array.from(tf.slice(b, [0, 3, 0], [2, 1, 6]).dataSync())).not.toEqual(Array.from(tf.slice(a, [0, 3, 0], [2, 1, 6]).dataSync()));
    // A padded key (the last one) may change freely without changing any output.
    const pad = tf.tensor2d([1, 1, 1, 0, 1, 1, 1, 0], [2, 4]);
    const c = layer.apply([q, q, pad]) as tf.Tensor;
    const d = layer.apply([q, changed, pad]) as tf.Tensor;
    expectClose(d.dataSync(), c.dataSync(), 1e-6, 1e-6);
    tf.dispose([q, self, changed, a, b, pad, c, d]);
  });

  it('leaves no tensor behind and rejects bad arguments by name', async () => {
    const layer = new TorchMultiheadAttention({ numHeads: 2 });
    const q = tf.randomNormal([1, 3, 4]);
    layer.apply(q);
    await expectNoLeak(() => {
      (layer.apply(q) as tf.Tensor).dispose();
      tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))(q).dispose();
    });
    q.dispose();
    expect(() => new TorchMultiheadAttention({ numHeads: 0 })).toThrow(/TorchMultiheadAttention: numHeads must be a positive integer/);
    expect(() => new TorchMultiheadAttention({ numHeads: 2, num_heads: 2 } as never)).toThrow(/TorchMultiheadAttention: option names must be one of .*, got 'num_heads'\./);
    expect(() => new TorchMultiheadAttention({ numHeads: 3 }).computeOutputShape([[null, 2, 4], [null, 2, 4], [null, 2, 4]])).toThrow(
      /TorchMultiheadAttention: numHeads must divide the query's feature size, got numHeads 3 and E = 4\./,
    );
    expect(() => new TorchMultiheadAttention({ numHeads: 1 }).computeOutputShape([[null, 2, 4], [null, 3, 4], [null, 5, 4]])).toThrow(
      /TorchMultiheadAttention: query, key and value must be \[B, T, E\], \[B, S, Ek\] and \[B, S, Ev\]/,
    );
    expect(() => new TorchMultiheadAttention({ numHeads: 1 }).computeOutputShape([[null, 2, 4], [null, 3, 4], [null, 3, 4], [null, 4]])).toThrow(
      /TorchMultiheadAttention: the key padding mask must be \[B, S\] for keys of length S, got \[null, 2, 4\], \[null, 3, 4\], \[null, 3, 4\], \[null, 4\]\./,
    );
    expect(() => new TorchMultiheadAttention({ numHeads: 1 }).computeOutputShape([[null, 2, 4], [null, 3, 4], [null, 3, 4], [null, 3, 4]])).toThrow(
      /TorchMultiheadAttention: expects \[query\], \[query, keyValue\] or \[query, key, value\], each optionally followed by a \[B, S\] mask/,
    );
    expect(flat([[1]])).toEqual([1]);
  });
});

describe('rezeroTransformerEncoder / rezeroTransformerDecoder (stacks, no final LayerNorm)', () => {
  it('chain numLayers layers, each with its own gate and weights, and equal the layers applied one by one', () => {
    const src = tf.input({ shape: [5, 8] });
    const tgt = tf.input({ shape: [3, 8] });
    const options = { numHeads: 2, dimFeedforward: 12, dropout: 0, initialAlpha: 0.3, seed: 9 };
    const memory = rezeroTransformerEncoder(src, { numLayers: 3, ...options });
    const out = rezeroTransformerDecoder(tgt, memory, { numLayers: 2, ...options, name: 'dec' });
    const model = tf.model({ inputs: [src, tgt], outputs: out });
    expect(rezeroGates(model).map((g) => g.layer)).toEqual(['encoder_layer0_rezero', 'encoder_layer1_rezero', 'encoder_layer2_rezero', 'dec_layer0_rezero', 'dec_layer1_rezero']);
    // The same graph by hand, with the stacked model's weights copied over layer by layer.
    let h = src;
    for (let i = 0; i < 3; i++) h = rezeroEncoderLayer(h, { ...options, seed: undefined, name: `e${i}` });
    let y = tgt;
    for (let i = 0; i < 2; i++) y = rezeroDecoderLayer(y, h, { ...options, seed: undefined, name: `d${i}` });
    const manual = tf.model({ inputs: [src, tgt], outputs: y });
    for (const layer of model.layers) {
      const m = /^(encoder|dec)_layer(\d)_(.*)$/.exec(layer.name);
      if (m) manual.getLayer(`${m[1] === 'encoder' ? 'e' : 'd'}${m[2]}_${m[3]}`).setWeights(layer.getWeights());
    }
    const xs = [tf.randomNormal([2, 5, 8]), tf.randomNormal([2, 3, 8])];
    const a = model.predict(xs) as tf.Tensor;
    const b = manual.predict(xs) as tf.Tensor;
    expectClose(b.dataSync(), a.dataSync(), 1e-6, 1e-6);
    // Seeded layers get distinct weights.
    expect(Array.from(model.getLayer('encoder_layer0_linear1').getWeights()[0]!.dataSync())).not.toEqual(
      Array.from(model.getLayer('encoder_layer1_linear1').getWeights()[0]!.dataSync()),
    );
    tf.dispose([...xs, a, b]);
    model.dispose();
    manual.dispose();
  });

  it('reject a bad layer count or option by name', () => {
    const x = tf.input({ shape: [5, 8] });
    expect(() => rezeroTransformerEncoder(x, { numLayers: 0, numHeads: 2 })).toThrow(/rezeroTransformerEncoder: numLayers must be a positive integer/);
    expect(() => rezeroTransformerEncoder(x, { numLayers: 2, numHeads: 2, layers: 2 } as never)).toThrow(
      /rezeroTransformerEncoder: option names must be one of 'numLayers', 'numHeads', .*, got 'layers'\./,
    );
    expect(() => rezeroTransformerDecoder(x, x, { numLayers: 1 } as never)).toThrow(/rezeroDecoderLayer: numHeads must be a positive integer/);
  });
});
