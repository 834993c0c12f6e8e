import type * as FsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EpochRecord } from './records';
import { describe, fail, isNil } from './validate';

// Node's fs and path are loaded on first use, so the rest of the library still bundles for browsers.
async function node(): Promise<{ fs: typeof FsPromises; path: typeof NodePath }> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

function randomTag(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
}

/** Writes `data` to `file` through a temporary file in the same directory, flushed, then renamed. */
async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const { fs } = await node();
  const tmp = `${file}.tmp-${randomTag()}`;
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Reads and parses a JSON file; a missing, truncated or corrupt file is an error naming `fn` and the file. */
async function readJson(fn: string, file: string): Promise<unknown> {
  const { fs } = await node();
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new Error(`${fn}: ${file} is missing`);
    throw e;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${fn}: ${file} is not valid JSON (truncated or corrupt?): ${(e as Error).message}`);
  }
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Checks a weights manifest; returns the byte size its weights need (`null` when unknown, e.g. strings). */
function checkSpecs(fn: string, file: string, specs: unknown): number | null {
  if (!Array.isArray(specs)) throw new Error(`${fn}: ${file} is corrupt: its weight specs must be an array, got ${describe(specs)}`);
  let bytes: number | null = 0;
  specs.forEach((spec: Partial<tf.io.WeightsManifestEntry> | null, i) => {
    const ok =
      !isNil(spec) &&
      typeof spec.name === 'string' &&
      typeof spec.dtype === 'string' &&
      Array.isArray(spec.shape) &&
      spec.shape.every((d) => Number.isInteger(d) && d >= 0);
    if (!ok) throw new Error(`${fn}: ${file} is corrupt: weight spec ${i} must be {name, shape, dtype}, got ${describe(spec)}`);
    const size = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? (spec.dtype as string)];
    bytes = bytes === null || size === undefined ? null : bytes + size * (spec.shape as number[]).reduce((a, b) => a * b, 1);
  });
  return bytes;
}

/** Reads a binary weights file and checks it holds exactly the bytes its manifest describes. */
async function readWeightsFile(fn: string, file: string, expected: number | null): Promise<Uint8Array> {
  const { fs } = await node();
  let buf: Uint8Array;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new Error(`${fn}: ${file} is missing`);
    throw e;
  }
  if (expected !== null && buf.byteLength !== expected) {
    throw new Error(`${fn}: ${file} holds ${buf.byteLength} bytes but its manifest describes ${expected} (truncated or corrupt?)`);
  }
  return buf;
}

function toUint8(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/**
 * A tfjs `IOHandler` for a directory on disk (Node): `save` writes `model.json` (topology and weights
 * manifest, the format `tf.loadLayersModel` reads) and `weights.bin`, each through a temporary file
 * then a rename; `load` reads them back. Use it where tfjs-node's `file://` handler is not installed:
 * `await model.save(fileIOHandler('out/model'))`, `await tf.loadLayersModel(fileIOHandler('out/model'))`.
 *
 * @param dir Directory to write to / read from (created on save).
 */
export function fileIOHandler(dir: string): tf.io.IOHandler {
  if (typeof dir !== 'string' || dir.length === 0) fail('fileIOHandler', 'dir', dir, 'a non-empty directory path');
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        fail('fileIOHandler.save', 'artifacts.modelTopology', artifacts.modelTopology, 'a JSON model topology');
      }
      const { fs, path } = await node();
      await fs.mkdir(dir, { recursive: true });
      const { weightData, weightSpecs, ...rest } = artifacts;
      const modelJSON: Record<string, unknown> = { ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs ?? [] }] };
      // Weights first: model.json names them, so it is written last.
      await writeFileAtomic(path.join(dir, 'weights.bin'), toUint8(weightData));
      await writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => loadArtifacts(dir, 'fileIOHandler.load'),
  };
}

async function loadArtifacts(dir: string, fn: string): Promise<tf.io.ModelArtifacts> {
  const { path } = await node();
  const file = path.join(dir, 'model.json');
  const modelJSON = (await readJson(fn, file)) as Partial<tf.io.ModelJSON> | null;
  const manifest = modelJSON?.weightsManifest;
  const groupsOk = Array.isArray(manifest) && manifest.every((g) => !isNil(g) && Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string'));
  if (isNil(modelJSON) || typeof modelJSON !== 'object' || isNil(modelJSON.modelTopology) || !groupsOk) {
    throw new Error(`${fn}: ${file} is corrupt: it must be a tfjs model.json with modelTopology and weightsManifest`);
  }
  return tf.io.getModelArtifactsForJSON(modelJSON as tf.io.ModelJSON, async (groups) => {
    const specs = groups.flatMap((g) => g.weights);
    const paths = groups.flatMap((g) => g.paths);
    const expected = checkSpecs(fn, file, specs);
    // The manifest's byte count can only be checked against all its files together.
    const buffers = await Promise.all(paths.map((p) => readWeightsFile(fn, path.join(dir, p), null)));
    const all = Buffer.concat(buffers);
    if (expected !== null && all.byteLength !== expected) {
      throw new Error(`${fn}: ${paths.map((p) => path.join(dir, p)).join(', ')} ${paths.length === 1 ? 'holds' : 'hold'} ${all.byteLength} bytes but ${file} describes ${expected} (truncated or corrupt?)`);
    }
    return [specs, toArrayBuffer(new Uint8Array(all))];
  });
}

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

const POINTER = 'checkpoint.json';

interface Pointer {
  format: 'aa-train-loop-checkpoints';
  latest: string;
  kept: string[];
}

/** A checkpoint read back from disk. */
export interface LoadedCheckpoint {
  /** Directory of this checkpoint (inside the checkpoint directory). */
  path: string;
  /** Its `state.json`. */
  state: CheckpointState;
}

/**
 * Writes a checkpoint of `model` and `optimizer` plus `state` into `dir`: a fresh sub-directory
 * (written under a temporary name, then renamed), then the `checkpoint.json` pointer (temporary file,
 * then rename) — the single atomic step that makes it the latest. Older checkpoints beyond `keep`
 * are deleted afterwards.
 *
 * @returns The path of the new checkpoint directory.
 */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: Omit<CheckpointState, 'format' | 'version' | 'optimizer'>,
  keep = 1,
): Promise<string> {
  const { fs, path } = await node();
  await fs.mkdir(dir, { recursive: true });
  const name = `epoch-${String(state.epoch).padStart(4, '0')}-${randomTag()}`;
  const tmp = path.join(dir, `.tmp-${name}`);
  await fs.mkdir(tmp);
  try {
    await model.save(fileIOHandler(tmp));
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
    await writeFileAtomic(path.join(tmp, 'optimizer.bin'), new Uint8Array(encoded.data));
    await writeFileAtomic(path.join(tmp, 'state.json'), JSON.stringify(full));
    await fs.rename(tmp, path.join(dir, name));
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const previous = await readPointer(dir);
  const kept = [...(previous?.kept ?? []), name].slice(-Math.max(1, keep));
  const pointer: Pointer = { format: 'aa-train-loop-checkpoints', latest: name, kept };
  await writeFileAtomic(path.join(dir, POINTER), JSON.stringify(pointer));
  // Prune what the pointer no longer names, including temporaries of interrupted runs.
  for (const entry of await fs.readdir(dir)) {
    if ((entry.startsWith('epoch-') || entry.startsWith('.tmp-epoch-')) && !kept.includes(entry)) {
      await fs.rm(path.join(dir, entry), { recursive: true, force: true });
    }
  }
  return path.join(dir, name);
}

async function readPointer(dir: string): Promise<Pointer | null> {
  const { fs, path } = await node();
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, POINTER), 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
  let p: Partial<Pointer> | null;
  try {
    p = JSON.parse(text) as Partial<Pointer> | null;
  } catch (e) {
    throw new Error(`loadCheckpoint: ${path.join(dir, POINTER)} is not valid JSON (truncated or corrupt?): ${(e as Error).message}`);
  }
  const plainName = (n: unknown): boolean => typeof n === 'string' && n.length > 0 && !/[\\/]/.test(n) && n !== '.' && n !== '..';
  if (isNil(p) || p.format !== 'aa-train-loop-checkpoints' || !plainName(p.latest) || !Array.isArray(p.kept) || !p.kept.every(plainName)) {
    throw new Error(`loadCheckpoint: ${path.join(dir, POINTER)} is not a train-loop checkpoint pointer`);
  }
  return p as Pointer;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !isNil(value) && typeof value === 'object' && !Array.isArray(value);
}

/** Checks every field of a parsed `state.json`, so a damaged file is an error rather than a silently wrong resume. */
function checkState(raw: unknown, file: string): CheckpointState {
  const corrupt = (what: string, got: unknown): never => {
    throw new Error(`loadCheckpoint: ${file} is corrupt: ${what}, got ${describe(got)}`);
  };
  if (!isRecord(raw)) return corrupt('it must be a JSON object', raw);
  if (raw.format !== 'aa-train-loop-checkpoint' || raw.version !== 1) {
    throw new Error(`loadCheckpoint: ${file} has format ${String(raw.format)} v${String(raw.version)}, expected aa-train-loop-checkpoint v1`);
  }
  const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
  const rate = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
  const { epoch, totalTime, schedule, learningRate, rng, stateful, records, optimizer } = raw;
  if (!count(epoch)) corrupt('epoch must be an integer >= 0', epoch);
  if (typeof totalTime !== 'number' || !Number.isFinite(totalTime) || totalTime < 0) corrupt('totalTime must be a number >= 0', totalTime);
  if (!isRecord(schedule) || !count(schedule.step) || !rate(schedule.baseLr)) corrupt('schedule must be {step: integer >= 0, baseLr: number | null}', schedule);
  if (!rate(learningRate)) corrupt('learningRate must be a number >= 0 or null', learningRate);
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((v) => count(v) && v < 2 ** 32)) corrupt('rng must be four uint32 numbers', rng);
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

/**
 * Reads the latest checkpoint's state in `dir`, or `null` when `dir` holds none.
 * Its model can be loaded with `tf.loadLayersModel(fileIOHandler(checkpoint.path))`.
 *
 * @throws When the pointer or `state.json` is missing, truncated or otherwise corrupt (the message names the file).
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint | null> {
  if (typeof dir !== 'string' || dir.length === 0) fail('loadCheckpoint', 'dir', dir, 'a non-empty directory path');
  const { path } = await node();
  const pointer = await readPointer(dir);
  if (pointer === null) return null;
  const cp = path.join(dir, pointer.latest);
  const file = path.join(cp, 'state.json');
  return { path: cp, state: checkState(await readJson('loadCheckpoint', file), file) };
}

/**
 * Loads a checkpoint's weights into `model`: by weight name when every name matches, else by position
 * (a fresh copy of the same architecture gets new automatic layer names), shapes checked either way.
 */
export async function restoreModel(model: tf.LayersModel, checkpointPath: string): Promise<void> {
  const artifacts = await loadArtifacts(checkpointPath, 'restoreModel');
  const specs = (artifacts.weightSpecs ?? []).filter((s) => s.group !== 'optimizer');
  const named = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs);
  try {
    const weights = model.weights;
    const byName = specs.length === weights.length && weights.every((w) => named[w.originalName] !== undefined);
    if (specs.length !== weights.length) {
      fail('restoreModel', 'model', model, `a model with ${specs.length} weights like the checkpoint (it has ${weights.length})`);
    }
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
export async function readOptimizerWeights(optimizer: tf.Optimizer, cp: LoadedCheckpoint): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
  const { path } = await node();
  const saved = cp.state.optimizer;
  if (saved.className !== optimizer.getClassName()) {
    fail('trainNetwork', 'options.optimizer', optimizer.getClassName(), `${/^[AEIOU]/i.test(saved.className) ? 'an' : 'a'} ${saved.className} to resume the checkpoint ${cp.path}`);
  }
  const file = path.join(cp.path, 'optimizer.bin');
  const expected = checkSpecs('trainNetwork', path.join(cp.path, 'state.json'), saved.weightSpecs);
  const data = toArrayBuffer(await readWeightsFile('trainNetwork', file, expected));
  const named = tf.io.decodeWeights(data, saved.weightSpecs);
  return saved.weightSpecs.map((s) => ({ name: s.name, tensor: named[s.name] as tf.Tensor }));
}
