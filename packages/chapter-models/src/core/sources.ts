import type * as tf from '@tensorflow/tfjs';

import { modelFromFiles, checkModelJson } from './artifacts';
import type { ChapterCnnKey } from './keys';
import { MODEL_FILES } from './keys';
import type { ChapterCnnMetadata } from './metadata';
import { checkMetadata } from './metadata';
import { fail } from './validate';

/** Where one model's files are: URLs (or, in Node, paths). Without `weights`, the file `model.json` names is used. */
export interface ModelLocation {
  model: string;
  metadata: string;
  weights?: string;
}

/** Reads files by location; the Node entry reads the disk, browsers fetch. */
export interface FileSource {
  read(location: string): Promise<ArrayBuffer>;
  /** `relative` resolved against the location of the file `from`. */
  resolve(from: string, relative: string): string;
}

/** The `fetch` a source uses. */
export type FetchFn = (url: string) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>;

/** Files over HTTP (or anything `fetch` takes). A failed request is an error naming the URL and the status. */
export function fetchSource(fn: string, fetchImpl: FetchFn | undefined): FileSource {
  const get = fetchImpl ?? (globalThis.fetch as FetchFn | undefined);
  if (typeof get !== 'function') fail(fn, 'options.fetch', fetchImpl, 'a fetch function (this runtime has no global fetch)');
  return {
    async read(url) {
      let response: Awaited<ReturnType<FetchFn>>;
      try {
        response = await get(url);
      } catch (err) {
        throw new Error(`${fn}: could not fetch ${url} (${(err as Error).message}).`, { cause: err });
      }
      if (!response.ok) throw new Error(`${fn}: fetching ${url} failed: HTTP ${response.status} ${response.statusText}.`);
      return response.arrayBuffer();
    },
    resolve: (from, relative) => new URL(relative, from).href,
  };
}

/** A base URL's folder form (a trailing slash), so `plain/model.json` resolves inside it. */
export function asFolderUrl(base: string | URL, relativeTo?: string): string {
  const href = new URL(String(base), relativeTo).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** The three files of model `key` under a folder URL laid out like the package's `models/` (`plain/`, `aa/`). */
export function locationUnder(folderUrl: string, key: ChapterCnnKey): ModelLocation {
  return { model: new URL(`${key}/${MODEL_FILES.model}`, folderUrl).href, metadata: new URL(`${key}/${MODEL_FILES.metadata}`, folderUrl).href };
}

const decoder = new TextDecoder();

async function readJson(fn: string, source: FileSource, location: string): Promise<unknown> {
  const bytes = await source.read(location);
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch (err) {
    throw new Error(`${fn}: ${location} is not valid JSON (truncated, or not the file asked for?): ${(err as Error).message}`, { cause: err });
  }
}

/** Loads model `key` from `location` through `source`. */
export async function loadModelFrom(fn: string, key: ChapterCnnKey, location: ModelLocation, source: FileSource): Promise<tf.LayersModel> {
  const raw = await readJson(fn, source, location.model);
  const { weightsPath } = checkModelJson(fn, location.model, raw);
  const weights = location.weights ?? source.resolve(location.model, weightsPath);
  return modelFromFiles(fn, key, { model: location.model, weights }, raw, await source.read(weights));
}

/** Reads and checks the metadata of model `key` from `location` through `source`. */
export async function loadMetadataFrom(fn: string, key: ChapterCnnKey, location: ModelLocation, source: FileSource): Promise<ChapterCnnMetadata> {
  return checkMetadata(fn, location.metadata, await readJson(fn, source, location.metadata), key);
}
