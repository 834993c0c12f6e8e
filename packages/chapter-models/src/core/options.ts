import type { FetchFn } from './sources';
import { assertOptions, fail } from './validate';

/** Options of `loadChapterCnn` and `loadChapterCnnMetadata`, the same in Node and in browsers. */
export interface LoadChapterCnnOptions {
  /**
   * A folder laid out like the package's `models/` (`plain/model.json`, `plain/weights.bin`, `plain/metadata.json`,
   * and `aa/…`): a URL (relative ones resolve against the page), or in Node also a directory or `file://` URL.
   * Default: the package's own files (in a browser, the URLs your bundler gives them).
   */
  baseUrl?: string | URL;
  /** The `fetch` for http(s) URLs (default: the global one). */
  fetch?: FetchFn;
}

export const OPTION_NAMES = ['baseUrl', 'fetch'] as const;

/** Checks the options object and its fields. */
export function checkOptions(fn: string, options: unknown): LoadChapterCnnOptions {
  assertOptions(fn, options, OPTION_NAMES);
  const o = (options ?? {}) as LoadChapterCnnOptions;
  if (o.baseUrl !== undefined && !(o.baseUrl instanceof URL) && (typeof o.baseUrl !== 'string' || o.baseUrl.length === 0)) {
    fail(fn, 'options.baseUrl', o.baseUrl, 'a URL or a non-empty string');
  }
  if (o.fetch !== undefined && typeof o.fetch !== 'function') fail(fn, 'options.fetch', o.fetch, 'a fetch function');
  return o;
}
