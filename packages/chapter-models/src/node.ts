/**
 * @aa/chapter-models in Node: the chapter's plain and anti-aliased CNNs from the package's own `models/` folder (no
 * download, no tfjs-node), or from another folder or URL.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type * as tf from '@tensorflow/tfjs';

import type { ChapterCnnUrls } from './common';
import { CHAPTER_CNN_KEYS, type ChapterCnnKey, MODEL_FILES } from './core/keys';
import type { ChapterCnnMetadata } from './core/metadata';
import { checkOptions, type LoadChapterCnnOptions } from './core/options';
import { asFolderUrl, fetchSource, loadMetadataFrom, loadModelFrom, locationUnder, type FileSource, type ModelLocation } from './core/sources';
import { assertOneOf, fail } from './core/validate';

export * from './common';

/**
 * Absolute path of the package's `models/` folder. `src/` (tests) and `dist/` (both builds; tsup's shim gives the ESM
 * build a `__dirname`) sit beside it, so one relative step works wherever the package is installed.
 */
export function modelsDir(): string {
  return path.resolve(__dirname, '..', 'models');
}

/** Files on disk; a missing one is an error naming it. */
function diskSource(fn: string): FileSource {
  return {
    async read(file) {
      try {
        const b = await fs.readFile(file);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${fn}: ${file} is missing.`, { cause: err });
        throw err;
      }
    },
    resolve: (from, relative) => path.join(path.dirname(from), relative),
  };
}

function inDir(dir: string, key: ChapterCnnKey): ModelLocation {
  return { model: path.join(dir, key, MODEL_FILES.model), metadata: path.join(dir, key, MODEL_FILES.metadata) };
}

/** Where model `key` is and how to read it: the package's folder, another directory, or an http(s) URL. */
function locate(fn: string, key: unknown, options: unknown): { location: ModelLocation; source: FileSource } {
  assertOneOf(fn, 'key', key, CHAPTER_CNN_KEYS);
  const { baseUrl, fetch } = checkOptions(fn, options);
  if (baseUrl === undefined) return { location: inDir(modelsDir(), key), source: diskSource(fn) };
  const text = String(baseUrl);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { location: inDir(path.resolve(text), key), source: diskSource(fn) };
  const url = new URL(text);
  if (url.protocol === 'file:') return { location: inDir(fileURLToPath(url), key), source: diskSource(fn) };
  if (url.protocol === 'http:' || url.protocol === 'https:') return { location: locationUnder(asFolderUrl(url), key), source: fetchSource(fn, fetch) };
  return fail(fn, 'options.baseUrl', text, 'a directory, or a file:, http: or https: URL');
}

/**
 * Loads one of the chapter's CNNs, trained on CIFAR-10: input `[n, 24, 24, 3]` in [0, 1] (channels-last, no
 * normalisation), output `[n, 10]` logits in {@link CIFAR10_CLASS_NAMES} order. The `'aa'` model holds `@aa/blur`'s
 * `MaxBlurPool2D`: import `@aa/blur` first.
 *
 * @param key `'plain'` (max pooling) or `'aa'` (max-blur pooling).
 * @param options `baseUrl`: another folder laid out like the package's `models/` (a directory, `file://` or http(s) URL).
 * @example
 * import '@aa/blur';
 * import { loadChapterCnn } from '@aa/chapter-models';
 * const model = await loadChapterCnn('aa');
 */
export async function loadChapterCnn(key: ChapterCnnKey, options?: LoadChapterCnnOptions): Promise<tf.LayersModel> {
  const { location, source } = locate('loadChapterCnn', key, options);
  return loadModelFrom('loadChapterCnn', key, location, source);
}

/**
 * The training record of one of the models (`metadata.json`): the aa-bench command, data, epochs, test accuracy and
 * exercise 1's shift figures.
 */
export async function loadChapterCnnMetadata(key: ChapterCnnKey, options?: LoadChapterCnnOptions): Promise<ChapterCnnMetadata> {
  const { location, source } = locate('loadChapterCnnMetadata', key, options);
  return loadMetadataFrom('loadChapterCnnMetadata', key, location, source);
}

/** The `file://` URLs of the package's three files of model `key` (to copy or serve them). */
export function chapterCnnUrls(key: ChapterCnnKey): ChapterCnnUrls {
  assertOneOf('chapterCnnUrls', 'key', key, CHAPTER_CNN_KEYS);
  const url = (file: string) => pathToFileURL(path.join(modelsDir(), key, file)).href;
  return { model: url(MODEL_FILES.model), weights: url(MODEL_FILES.weights), metadata: url(MODEL_FILES.metadata) };
}
