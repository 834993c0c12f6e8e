import * as tf from '@tensorflow/tfjs';
import type { EpochRecord } from '../records';
import { isRngState } from '../rng';
import { describe, fail, isNil } from '../validate';
import type { CheckpointStore, StoredCheckpoint } from './store';

/**
 * The checkpoint format, independent of where it is stored: `model.json` + `weights.bin` (what `tf.loadLayersModel`
 * reads), `optimizer.bin` and `state.json`. Everything read back is checked, so a damaged file is an error naming it
 * rather than a silently wrong resume.
 */

/** Everything besides tensors that a checkpoint holds (`state.json`). */
export interface CheckpointState {
  /** Identifies the file. */
  format: 'aa-train-loop-checkpoint';
  /** Layout version. */
  version: 1;
  /** Last completed epoch (0-based). */
  epoch: number;
  /** Training seconds so far. */
  totalTime: number;
  /** Schedule position: steps taken and the base learning rate it scales. */
  schedule: { step: number; baseLr: number | null };
  /** The optimizer's learning rate when saved. */
  learningRate: number | null;
  /** State of the loop's random generator (four uint32). */
  rng: number[];
  /** States of the `stateful` objects passed to `trainNetwork`. */
  stateful: Record<string, unknown>;
  /** The records so far. */
  records: EpochRecord[];
  /** Optimizer class and hyper-parameters; its tensors are in `optimizer.bin`. */
  optimizer: { className: string; config: tf.serialization.ConfigDict | null; weightSpecs: tf.io.WeightsManifestEntry[] };
}

/** A checkpoint read back: where it is and its checked `state.json`. */
export interface LoadedCheckpoint {
  /** Where this checkpoint is (for the file store, its directory). */
  path: string;
  /** Its `state.json`. */
  state: CheckpointState;
}

/** `dir/file` for messages; the stores decide what a path really is. */
export function joinPath(dir: string, file: string): string {
  return dir.endsWith('/') ? `${dir}${file}` : `${dir}/${file}`;
}

const text = new TextEncoder();

/** A file's bytes; a missing file is an error naming `fn` and the file. */
async function readFile(fn: string, from: StoredCheckpoint, file: string): Promise<Uint8Array> {
  const bytes = await from.read(file);
  if (bytes === null) throw new Error(`${fn}: ${joinPath(from.path, file)} is missing.`);
  return bytes;
}

/** A JSON file, parsed; a missing, truncated or corrupt file is an error naming `fn` and the file. */
async function readJson(fn: string, from: StoredCheckpoint, file: string): Promise<unknown> {
  const bytes = await readFile(fn, from, file);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    throw new Error(`${fn}: ${joinPath(from.path, file)} is not valid JSON (truncated or corrupt?): ${(e as Error).message}`);
  }
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Checks a weights manifest; returns the byte size its weights need (`null` when unknown, e.g. strings). */
export function checkSpecs(fn: string, file: string, specs: unknown): number | null {
  if (!Array.isArray(specs)) throw new Error(`${fn}: ${file} is corrupt: its weight specs must be an array, got ${describe(specs)}.`);
  let bytes: number | null = 0;
  specs.forEach((spec: Partial<tf.io.WeightsManifestEntry> | null, i) => {
    const ok =
      !isNil(spec) &&
      typeof spec.name === 'string' &&
      typeof spec.dtype === 'string' &&
      Array.isArray(spec.shape) &&
      spec.shape.every((d) => Number.isInteger(d) && d >= 0);
    if (!ok) throw new Error(`${fn}: ${file} is corrupt: weight spec ${i} must be {name, shape, dtype}, got ${describe(spec)}.`);
    const size = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? (spec.dtype as string)];
    bytes = bytes === null || size === undefined ? null : bytes + size * (spec.shape as number[]).reduce((a, b) => a * b, 1);
  });
  return bytes;
}

/** One contiguous buffer of several byte arrays. */
function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** `model.json` and `weights.bin` of a model's save artifacts (weights first in the manifest's single group). */
export function encodeModelFiles(fn: string, artifacts: tf.io.ModelArtifacts): { 'model.json': Uint8Array; 'weights.bin': Uint8Array } {
  if (artifacts.modelTopology instanceof ArrayBuffer) fail(fn, 'artifacts.modelTopology', artifacts.modelTopology, 'a JSON model topology');
  const { weightData, weightSpecs, ...rest } = artifacts;
  const modelJSON: Record<string, unknown> = { ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs ?? [] }] };
  const weights = weightData === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData));
  return { 'model.json': text.encode(JSON.stringify(modelJSON)), 'weights.bin': weights };
}

/**
 * Reads `model.json` and the weight files it names from `from`, checking that the manifest is well formed and the
 * files hold exactly the bytes it describes: what `tf.loadLayersModel` needs.
 */
export async function readModelArtifacts(fn: string, from: StoredCheckpoint, modelFile = 'model.json'): Promise<tf.io.ModelArtifacts> {
  const file = joinPath(from.path, modelFile);
  const modelJSON = (await readJson(fn, from, modelFile)) as Partial<tf.io.ModelJSON> | null;
  const manifest = modelJSON?.weightsManifest;
  const groupsOk = Array.isArray(manifest) && manifest.every((g) => !isNil(g) && Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string'));
  if (isNil(modelJSON) || typeof modelJSON !== 'object' || isNil(modelJSON.modelTopology) || !groupsOk) {
    throw new Error(`${fn}: ${file} is corrupt: it must be a tfjs model.json with modelTopology and weightsManifest.`);
  }
  return tf.io.getModelArtifactsForJSON(modelJSON as tf.io.ModelJSON, async (groups) => {
    const specs = groups.flatMap((g) => g.weights);
    const paths = groups.flatMap((g) => g.paths);
    const expected = checkSpecs(fn, file, specs);
    // The manifest's byte count can only be checked against all its files together.
    const all = concatBytes(await Promise.all(paths.map((p) => readFile(fn, from, p))));
    if (expected !== null && all.byteLength !== expected) {
      const names = paths.map((p) => joinPath(from.path, p)).join(', ');
      throw new Error(`${fn}: ${names} ${paths.length === 1 ? 'holds' : 'hold'} ${all.byteLength} bytes but ${file} describes ${expected} (truncated or corrupt?).`);
    }
    return [specs, toArrayBuffer(all)];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !isNil(value) && typeof value === 'object' && !Array.isArray(value);
}

/** Checks every field of a parsed `state.json`. */
function checkState(raw: unknown, file: string): CheckpointState {
  const corrupt = (what: string, got: unknown): never => {
    throw new Error(`loadCheckpoint: ${file} is corrupt: ${what}, got ${describe(got)}.`);
  };
  if (!isRecord(raw)) return corrupt('it must be a JSON object', raw);
  if (raw.format !== 'aa-train-loop-checkpoint' || raw.version !== 1) {
    throw new Error(`loadCheckpoint: ${file} has format ${String(raw.format)} v${String(raw.version)}, expected aa-train-loop-checkpoint v1.`);
  }
  const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
  const rate = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
  const { epoch, totalTime, schedule, learningRate, rng, stateful, records, optimizer } = raw;
  if (!count(epoch)) corrupt('epoch must be an integer >= 0', epoch);
  if (typeof totalTime !== 'number' || !Number.isFinite(totalTime) || totalTime < 0) corrupt('totalTime must be a number >= 0', totalTime);
  if (!isRecord(schedule) || !count(schedule.step) || !rate(schedule.baseLr)) corrupt('schedule must be {step: integer >= 0, baseLr: number | null}', schedule);
  if (!rate(learningRate)) corrupt('learningRate must be a number >= 0 or null', learningRate);
  if (!isRngState(rng)) corrupt('rng must be four uint32 numbers', rng);
  if (!isRecord(stateful)) corrupt('stateful must be an object', stateful);
  if (!Array.isArray(records) || records.length !== (epoch as number) + 1) corrupt(`records must be an array of ${(epoch as number) + 1} epoch records`, records);
  (records as unknown[]).forEach((r, i) => {
    if (!isRecord(r) || r.epoch !== i || !(typeof r.trainLoss === 'number' || r.trainLoss === null) || !isRecord(r.trainScores) || !isRecord(r.testScores)) {
      corrupt(`records[${i}] must be the EpochRecord of epoch ${i}`, r);
    }
  });
  if (!isRecord(optimizer) || typeof optimizer.className !== 'string' || !(optimizer.config === null || isRecord(optimizer.config))) {
    corrupt('optimizer must be {className, config, weightSpecs}', optimizer);
  }
  checkSpecs('loadCheckpoint', file, (optimizer as Record<string, unknown>).weightSpecs);
  return raw as unknown as CheckpointState;
}

/** The latest checkpoint of `store` with its checked `state.json`, or null when the store holds none. */
export async function readLatestCheckpoint(store: CheckpointStore): Promise<(LoadedCheckpoint & { stored: StoredCheckpoint }) | null> {
  const stored = await store.latest();
  if (stored === null) return null;
  const state = checkState(await readJson('loadCheckpoint', stored, 'state.json'), joinPath(stored.path, 'state.json'));
  return { path: stored.path, state, stored };
}

/**
 * Loads a checkpoint's weights into `model`: by weight name when every name matches, else by position
 * (a fresh copy of the same architecture gets new automatic layer names), shapes checked either way.
 * Everything is read and checked before the model changes.
 */
export async function restoreModelFrom(model: tf.LayersModel, from: StoredCheckpoint): Promise<void> {
  const artifacts = await readModelArtifacts('restoreModel', from);
  const specs = (artifacts.weightSpecs ?? []).filter((s) => s.group !== 'optimizer');
  const named = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs);
  try {
    const weights = model.weights;
    if (specs.length !== weights.length) {
      fail('restoreModel', 'model', model, `a model with ${specs.length} weights like the checkpoint (it has ${weights.length})`);
    }
    const byName = weights.every((w) => named[w.originalName] !== undefined);
    const values = weights.map((w, i) => {
      const t = byName ? named[w.originalName] : named[(specs[i] as tf.io.WeightsManifestEntry).name];
      if (t === undefined || !tf.util.arraysEqual(t.shape, w.shape as number[])) {
        fail('restoreModel', `the weight ${w.originalName} of model`, t, `shape [${w.shape.join(', ')}] as saved`);
      }
      return t;
    });
    model.setWeights(values);
  } finally {
    tf.dispose(named);
  }
}

/**
 * Reads and decodes the optimizer tensors of a checkpoint for `optimizer.setWeights`, checking first that
 * the optimizer has the saved class and that `optimizer.bin` is complete. Nothing is changed yet; the
 * caller owns (and disposes) the returned tensors.
 */
export async function readOptimizerWeights(optimizer: tf.Optimizer, cp: LoadedCheckpoint & { stored: StoredCheckpoint }): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
  const saved = cp.state.optimizer;
  if (saved.className !== optimizer.getClassName()) {
    fail('trainNetwork', 'options.optimizer', optimizer.getClassName(), `${/^[AEIOU]/i.test(saved.className) ? 'an' : 'a'} ${saved.className} to resume the checkpoint ${cp.path}`);
  }
  const expected = checkSpecs('trainNetwork', joinPath(cp.path, 'state.json'), saved.weightSpecs);
  const bytes = await readFile('trainNetwork', cp.stored, 'optimizer.bin');
  if (expected !== null && bytes.byteLength !== expected) {
    throw new Error(`trainNetwork: ${joinPath(cp.path, 'optimizer.bin')} holds ${bytes.byteLength} bytes but its manifest describes ${expected} (truncated or corrupt?).`);
  }
  const named = tf.io.decodeWeights(toArrayBuffer(bytes), saved.weightSpecs);
  return saved.weightSpecs.map((s) => ({ name: s.name, tensor: named[s.name] as tf.Tensor }));
}

/** The four files of a checkpoint: the model, the optimizer's tensors and `state.json`. */
export async function encodeCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: Omit<CheckpointState, 'format' | 'version' | 'optimizer'>,
): Promise<Record<string, Uint8Array>> {
  let modelFiles: ReturnType<typeof encodeModelFiles> | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      modelFiles = encodeModelFiles('trainNetwork', artifacts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const weights = await optimizer.getWeights();
  let encoded: { data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] };
  try {
    encoded = await tf.io.encodeWeights(weights);
  } finally {
    // getWeights hands out its variables plus fresh tensors (the iteration count): free only the latter.
    tf.dispose(weights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  }
  let config: tf.serialization.ConfigDict | null = null;
  try {
    config = optimizer.getConfig();
  } catch {
    config = null;
  }
  const full: CheckpointState = {
    format: 'aa-train-loop-checkpoint',
    version: 1,
    ...state,
    optimizer: { className: optimizer.getClassName(), config, weightSpecs: encoded.specs },
  };
  return {
    ...(modelFiles as ReturnType<typeof encodeModelFiles>),
    'optimizer.bin': new Uint8Array(encoded.data),
    'state.json': text.encode(JSON.stringify(full)),
  };
}
