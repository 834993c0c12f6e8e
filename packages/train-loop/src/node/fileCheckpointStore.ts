import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { readLatestCheckpoint, restoreModelFrom } from '../checkpoint/format';
import type { LoadedCheckpoint } from '../checkpoint/format';
import type { CheckpointStore, StoredCheckpoint } from '../checkpoint/store';
import { fail, isNil } from '../validate';
import { randomTag, readFileOrNull, writeFileAtomic } from './files';

const POINTER = 'checkpoint.json';

interface Pointer {
  format: 'aa-train-loop-checkpoints';
  latest: string;
  kept: string[];
}

/** A checkpoint directory as a {@link StoredCheckpoint}. */
function storedAt(dir: string): StoredCheckpoint {
  return { path: dir, read: (file) => readFileOrNull(path.join(dir, file)) };
}

async function readPointer(dir: string): Promise<Pointer | null> {
  const file = path.join(dir, POINTER);
  const bytes = await readFileOrNull(file);
  if (bytes === null) return null;
  let p: Partial<Pointer> | null;
  try {
    p = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Pointer> | null;
  } catch (e) {
    throw new Error(`loadCheckpoint: ${file} is not valid JSON (truncated or corrupt?): ${(e as Error).message}`);
  }
  const plainName = (n: unknown): boolean => typeof n === 'string' && n.length > 0 && !/[\\/]/.test(n) && n !== '.' && n !== '..';
  if (isNil(p) || p.format !== 'aa-train-loop-checkpoints' || !plainName(p.latest) || !Array.isArray(p.kept) || !p.kept.every(plainName)) {
    throw new Error(`loadCheckpoint: ${file} is not a train-loop checkpoint pointer.`);
  }
  return p as Pointer;
}

/**
 * Checkpoints in a directory (Node): each checkpoint is a fresh sub-directory `epoch-NNNN-xxxxxxxx/` written under a
 * temporary name, its files each flushed, then renamed; then the pointer `checkpoint.json` is written to a temporary
 * file and renamed — the single atomic step that makes it the latest. Older checkpoints beyond `keep`, and what
 * interrupted writes left behind, are deleted afterwards. This is what `trainNetwork`'s `checkpointDir` uses.
 *
 * @param dir The checkpoint directory (created on the first save).
 */
export function fileCheckpointStore(dir: string): CheckpointStore {
  if (typeof dir !== 'string' || dir.length === 0) fail('fileCheckpointStore', 'dir', dir, 'a non-empty directory path');
  return {
    location: dir,
    async save(epoch, files, keep) {
      await fs.mkdir(dir, { recursive: true });
      const name = `epoch-${String(epoch).padStart(4, '0')}-${randomTag()}`;
      const tmp = path.join(dir, `.tmp-${name}`);
      await fs.mkdir(tmp);
      try {
        for (const [file, data] of Object.entries(files)) await writeFileAtomic(path.join(tmp, file), data);
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
    },
    async latest() {
      const pointer = await readPointer(dir);
      return pointer === null ? null : storedAt(path.join(dir, pointer.latest));
    },
  };
}

/**
 * Reads the latest checkpoint's state in `dir`, or `null` when `dir` holds none.
 * Its model can be loaded with `tf.loadLayersModel(fileIOHandler(checkpoint.path))` or `restoreModel`.
 *
 * @throws When the pointer or `state.json` is missing, truncated or otherwise corrupt (the message names the file).
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint | null> {
  if (typeof dir !== 'string' || dir.length === 0) fail('loadCheckpoint', 'dir', dir, 'a non-empty directory path');
  const cp = await readLatestCheckpoint(fileCheckpointStore(dir));
  return cp === null ? null : { path: cp.path, state: cp.state };
}

/**
 * Loads the weights of the checkpoint in the directory `checkpointPath` into `model` (of the same architecture):
 * by weight name when every name matches, else by position, shapes checked either way.
 */
export async function restoreModel(model: tf.LayersModel, checkpointPath: string): Promise<void> {
  if (typeof checkpointPath !== 'string' || checkpointPath.length === 0) fail('restoreModel', 'checkpointPath', checkpointPath, 'a checkpoint directory');
  await restoreModelFrom(model, storedAt(checkpointPath));
}
