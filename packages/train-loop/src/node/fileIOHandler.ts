import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodeModelFiles, readModelArtifacts } from '../checkpoint/format';
import { fail } from '../validate';
import { readFileOrNull, writeFileAtomic } from './files';

/**
 * A tfjs `IOHandler` for a model on disk (Node), without tfjs-node: `save` writes `model.json` (topology and weights
 * manifest, the format `tf.loadLayersModel` reads) and `weights.bin` into the directory `target`, each through a
 * temporary file then a rename; `load` reads them back from `target`, a directory or the path of its `model.json`
 * (the weight files are found next to it), checking that the files hold exactly the bytes the manifest describes.
 * `tf.io`'s `file://` URLs go through it once `@aa/train-loop/node` is imported.
 *
 * @param target Directory to write to (created on save), or to read from; or the `model.json` to read.
 */
export function fileIOHandler(target: string): tf.io.IOHandler {
  if (typeof target !== 'string' || target.length === 0) fail('fileIOHandler', 'target', target, 'a non-empty directory or model.json path');
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const files = encodeModelFiles('fileIOHandler.save', artifacts);
      await fs.mkdir(target, { recursive: true });
      // Weights first: model.json names them, so it is written last.
      await writeFileAtomic(path.join(target, 'weights.bin'), files['weights.bin']);
      await writeFileAtomic(path.join(target, 'model.json'), files['model.json']);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const isJson = target.endsWith('.json');
      const dir = isJson ? path.dirname(target) : target;
      const reader = { path: dir, read: (file: string) => readFileOrNull(path.join(dir, file)) };
      return readModelArtifacts('fileIOHandler.load', reader, isJson ? path.basename(target) : 'model.json');
    },
  };
}

const SCHEME = 'file://';
// One registration per process, even if both the ESM and the CJS build of this package get loaded.
const REGISTERED = Symbol.for('@aa/train-loop/file-router');
let routing = false;

/**
 * The `file://` router: this package's handler, unless another handler (tfjs-node's) also takes the URL — tfjs refuses
 * a URL that two handlers claim. The guard stops the look-up of the others from asking this router again.
 */
function route(url: string | string[], others: (u: string) => tf.io.IOHandler[]): tf.io.IOHandler | null {
  if (routing || typeof url !== 'string' || !url.startsWith(SCHEME)) return null;
  routing = true;
  let claimed: number;
  try {
    claimed = others(url).length;
  } finally {
    routing = false;
  }
  return claimed > 0 ? null : fileIOHandler(url.slice(SCHEME.length));
}

/** Registers the `file://` save and load routers (what importing `@aa/train-loop/node` does). */
export function registerFileRouters(): void {
  const g = globalThis as { [REGISTERED]?: boolean };
  if (g[REGISTERED]) return;
  g[REGISTERED] = true;
  // tfjs's IORouter type says IOHandler, but the registry expects null from a router that does not take the URL.
  tf.io.registerSaveRouter((url) => route(url, (u) => tf.io.getSaveHandlers(u)) as tf.io.IOHandler);
  tf.io.registerLoadRouter((url) => route(url, (u) => tf.io.getLoadHandlers(u)) as tf.io.IOHandler);
}
