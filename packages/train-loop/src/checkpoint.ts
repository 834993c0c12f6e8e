import type * as FsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EpochRecord } from './records';
import { fail } from './validate';

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
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
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
    load: () => loadArtifacts(dir),
  };
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const { fs, path } = await node();
  const modelJSON = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights);
    const buffers = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => fs.readFile(path.join(dir, p))));
    return [specs, toArrayBuffer(new Uint8Array(Buffer.concat(buffers)))];
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
  const p = JSON.parse(text) as Partial<Pointer>;
  if (p.format !== 'aa-train-loop-checkpoints' || typeof p.latest !== 'string' || !Array.isArray(p.kept)) {
    throw new Error(`loadCheckpoint: ${path.join(dir, POINTER)} is not a train-loop checkpoint pointer`);
  }
  return p as Pointer;
}

/**
 * Reads the latest checkpoint's state in `dir`, or `null` when `dir` holds none.
 * Its model can be loaded with `tf.loadLayersModel(fileIOHandler(checkpoint.path))`.
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint | null> {
  if (typeof dir !== 'string' || dir.length === 0) fail('loadCheckpoint', 'dir', dir, 'a non-empty directory path');
  const { fs, path } = await node();
  const pointer = await readPointer(dir);
  if (pointer === null) return null;
  const cp = path.join(dir, pointer.latest);
  const state = JSON.parse(await fs.readFile(path.join(cp, 'state.json'), 'utf8')) as CheckpointState;
  if (state.format !== 'aa-train-loop-checkpoint' || state.version !== 1) {
    throw new Error(`loadCheckpoint: ${cp}/state.json has format ${String(state.format)} v${String(state.version)}, expected aa-train-loop-checkpoint v1`);
  }
  return { path: cp, state };
}

/**
 * Loads a checkpoint's weights into `model`: by weight name when every name matches, else by position
 * (a fresh copy of the same architecture gets new automatic layer names), shapes checked either way.
 */
export async function restoreModel(model: tf.LayersModel, checkpointPath: string): Promise<void> {
  const artifacts = await loadArtifacts(checkpointPath);
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

/** Loads the optimizer tensors of a checkpoint into `optimizer` (`setWeights`). */
export async function restoreOptimizer(optimizer: tf.Optimizer, cp: LoadedCheckpoint): Promise<void> {
  const { fs, path } = await node();
  const saved = cp.state.optimizer;
  if (saved.className !== optimizer.getClassName()) {
    fail('trainNetwork', 'options.optimizer', optimizer.getClassName(), `${/^[AEIOU]/i.test(saved.className) ? 'an' : 'a'} ${saved.className} to resume the checkpoint ${cp.path}`);
  }
  const data = toArrayBuffer(await fs.readFile(path.join(cp.path, 'optimizer.bin')));
  const named = tf.io.decodeWeights(data, saved.weightSpecs);
  try {
    await optimizer.setWeights(saved.weightSpecs.map((s) => ({ name: s.name, tensor: named[s.name] as tf.Tensor })));
  } finally {
    tf.dispose(named);
  }
}
