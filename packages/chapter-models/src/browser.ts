/**
 * @aa/chapter-models in browsers (and workers, Deno, …): the chapter's plain and anti-aliased CNNs fetched from the
 * URLs your bundler gives the package's files, or from a folder URL of your own.
 */
import type * as tf from '@tensorflow/tfjs';

import type { ChapterCnnUrls } from './common';
import { CHAPTER_CNN_KEYS, type ChapterCnnKey } from './core/keys';
import type { ChapterCnnMetadata } from './core/metadata';
import { checkOptions, type LoadChapterCnnOptions } from './core/options';
import { asFolderUrl, fetchSource, loadMetadataFrom, loadModelFrom, locationUnder, type ModelLocation } from './core/sources';
import { assertOneOf } from './core/validate';

export * from './common';

/**
 * The package's files as URLs. Each is a literal `new URL('…', import.meta.url)`: the form Vite, webpack 5 and Parcel
 * recognise, so they copy the files into the build and put their final (hashed) URLs here. Unbundled, they resolve
 * next to this file, i.e. wherever the package is served from.
 */
const PACKAGED: Record<ChapterCnnKey, () => ChapterCnnUrls> = {
  plain: () => ({
    model: new URL('../models/plain/model.json', import.meta.url).href,
    weights: new URL('../models/plain/weights.bin', import.meta.url).href,
    metadata: new URL('../models/plain/metadata.json', import.meta.url).href,
  }),
  aa: () => ({
    model: new URL('../models/aa/model.json', import.meta.url).href,
    weights: new URL('../models/aa/weights.bin', import.meta.url).href,
    metadata: new URL('../models/aa/metadata.json', import.meta.url).href,
  }),
};

/** The page's address, against which a relative `baseUrl` resolves. */
function pageUrl(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

function locate(fn: string, key: unknown, options: unknown): { location: ModelLocation; fetch: LoadChapterCnnOptions['fetch'] } {
  assertOneOf(fn, 'key', key, CHAPTER_CNN_KEYS);
  const { baseUrl, fetch } = checkOptions(fn, options);
  return { location: baseUrl === undefined ? PACKAGED[key]() : locationUnder(asFolderUrl(baseUrl, pageUrl()), key), fetch };
}

/**
 * Loads one of the chapter's CNNs, trained on CIFAR-10: input `[n, 24, 24, 3]` in [0, 1] (channels-last, no
 * normalisation), output `[n, 10]` logits in {@link CIFAR10_CLASS_NAMES} order. The `'aa'` model holds `@aa/blur`'s
 * `MaxBlurPool2D`: import `@aa/blur` first.
 *
 * @param key `'plain'` (max pooling) or `'aa'` (max-blur pooling).
 * @param options `baseUrl`: a folder URL laid out like the package's `models/` (copy that folder to your static files),
 *   if your bundler does not handle `new URL(…, import.meta.url)`; `fetch`: another fetch.
 */
export async function loadChapterCnn(key: ChapterCnnKey, options?: LoadChapterCnnOptions): Promise<tf.LayersModel> {
  const { location, fetch } = locate('loadChapterCnn', key, options);
  return loadModelFrom('loadChapterCnn', key, location, fetchSource('loadChapterCnn', fetch));
}

/** The training record of one of the models (`metadata.json`): command, data, epochs, test accuracy, shift figures. */
export async function loadChapterCnnMetadata(key: ChapterCnnKey, options?: LoadChapterCnnOptions): Promise<ChapterCnnMetadata> {
  const { location, fetch } = locate('loadChapterCnnMetadata', key, options);
  return loadMetadataFrom('loadChapterCnnMetadata', key, location, fetchSource('loadChapterCnnMetadata', fetch));
}

/** The URLs of the package's three files of model `key`, as the bundler gave them. */
export function chapterCnnUrls(key: ChapterCnnKey): ChapterCnnUrls {
  assertOneOf('chapterCnnUrls', 'key', key, CHAPTER_CNN_KEYS);
  return PACKAGED[key]();
}
