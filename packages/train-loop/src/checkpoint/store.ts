/** One stored checkpoint: where it is, and its files. */
export interface StoredCheckpoint {
  /** Where it is (a directory for the file store), for messages and `NonFiniteLossError.checkpoint`. */
  readonly path: string;
  /** The bytes of one of its files (`model.json`, `weights.bin`, `optimizer.bin`, `state.json`), or null when it has none. */
  read(file: string): Promise<Uint8Array | null>;
}

/**
 * Where `trainNetwork` keeps its checkpoints: a few named files per checkpoint (the loop encodes and checks them).
 * `@aa/train-loop/node`'s `fileCheckpointStore(dir)` keeps them in directories; a browser could keep them in IndexedDB.
 */
export interface CheckpointStore {
  /** Where the checkpoints are (e.g. the directory), for messages. */
  readonly location: string;
  /**
   * Stores the files of the checkpoint written after `epoch` (0-based) so that it becomes the latest only once all of
   * them are stored — an interrupted save leaves the previous latest — then deletes all but the newest `keep`.
   *
   * @returns the new checkpoint's path
   */
  save(epoch: number, files: Readonly<Record<string, Uint8Array>>, keep: number): Promise<string>;
  /** The latest completely saved checkpoint, or null when there is none. */
  latest(): Promise<StoredCheckpoint | null>;
}

/** Makes the store of a `checkpointDir` path. */
export type CheckpointDirStore = (dir: string) => CheckpointStore;

let dirStore: CheckpointDirStore | undefined;

/**
 * Sets what `trainNetwork`'s `checkpointDir` option means: importing `@aa/train-loop/node` registers its
 * `fileCheckpointStore`. The main entry has none, so that it bundles for browsers without Node's `fs`.
 */
export function registerCheckpointDirStore(factory: CheckpointDirStore): void {
  if (typeof factory !== 'function') throw new Error(`registerCheckpointDirStore: factory must be a function (dir) => CheckpointStore, got ${typeof factory}.`);
  dirStore = factory;
}

/** The registered store for a `checkpointDir`, or undefined when none is registered (see {@link registerCheckpointDirStore}). */
export function checkpointDirStore(dir: string): CheckpointStore | undefined {
  return dirStore?.(dir);
}
