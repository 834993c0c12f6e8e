import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { readArchiveMembers } from './archive';
import { downloadVerified } from './download';
import { exists, isCompleteFolder, readFolder, removeLeftovers, resolveDataDir, writeFolderAtomically } from './folder';
import type { DatasetSpec } from './formats';
import { CIFAR100_SPEC, CIFAR10_SPEC, assertSpec } from './formats';
import { withLock } from './lock';
import type { JpegPackSource } from './pack';
import { assertJpegPackSource } from './pack';
import type { ParsedDataset } from './parse';
import { parseDataset } from './parse';
import { readJpegPack } from './readPack';
import type { DownloadProgress } from './progress';
import type { Cifar100Data, Cifar100Split, Cifar10Data, CifarData, DataSource } from './types';
import { assertBoolean, assertInt, assertMd5, assertOptionalFunction, assertOptions, assertString, fail } from './validate';

/**
 * Where to find CIFAR and, failing that, how to download it. Sources are tried in this order:
 * `dataDir`, `archive`, the cache, a download into the cache; `pack` is used alone.
 */
export interface LoadOptions {
  /**
   * A JPEG pack to load instead of the official files, e.g. `cifar10Subset` from `@aa/cifar10-subset`
   * (10,000 + 2,500 images, offline). Every file's size and SHA-256 are checked before decoding.
   * Not combinable with `dataDir` or `archive`; the cache and download options do not apply to it.
   */
  pack?: JpegPackSource;
  /** An extracted folder: the archive's top folder (e.g. `cifar-10-batches-bin`) or its parent. Used as is, never written to. */
  dataDir?: string;
  /** A local archive (`.tar.gz` or `.tar`) in the official binary layout. Read in memory, not unpacked; its MD5 is not checked (rebuilt archives differ), its members are. */
  archive?: string;
  /** Cache folder; default `$XDG_CACHE_HOME/aa-cifar-data` or `~/.cache/aa-cifar-data` (see {@link defaultCacheDir}). */
  cacheDir?: string;
  /** Download when the cache is empty (default true). With false, a missing dataset is an error. */
  download?: boolean;
  /** Download address; default the official one. */
  url?: string;
  /** MD5 the download must have; default the official one. */
  md5?: string;
  /** Byte size the download must have; default the official one. */
  size?: number;
  /** Extra download attempts after transient failures (default 3). */
  retries?: number;
  /** Delay before the first retry in ms, doubled for each further one (default 1000). */
  retryDelayMs?: number;
  /** Abort a download attempt after this many ms without data (default 60000). */
  timeoutMs?: number;
  /** Download progress callback, called after every received chunk. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Draw a progress bar on stderr while downloading (default: when stderr is a terminal). */
  progressBar?: boolean;
  /** Give up waiting for another process that is filling the cache after this many ms (default 30 minutes). */
  lockTimeoutMs?: number;
  /** Treat a cache lock untouched for this many ms as abandoned (default 60000; a live holder touches it every quarter of that). */
  staleLockMs?: number;
}

const OPTION_NAMES: readonly string[] = [
  'dataDir',
  'archive',
  'pack',
  'cacheDir',
  'download',
  'url',
  'md5',
  'size',
  'retries',
  'retryDelayMs',
  'timeoutMs',
  'onProgress',
  'progressBar',
  'lockTimeoutMs',
  'staleLockMs',
];

/**
 * The default cache folder: `$XDG_CACHE_HOME/aa-cifar-data` when that variable holds an absolute path,
 * else `~/.cache/aa-cifar-data`.
 */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'aa-cifar-data');
}

function validate(fn: string, options: LoadOptions): void {
  assertOptions(fn, options);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new Error(`${fn}: unknown option '${key}'; allowed options are ${OPTION_NAMES.join(', ')}.`);
  }
  for (const key of ['dataDir', 'archive', 'cacheDir', 'url'] as const) {
    if (options[key] !== undefined) assertString(fn, `options.${key}`, options[key]);
  }
  if (options.pack !== undefined) {
    assertJpegPackSource(fn, 'options.pack', options.pack);
    for (const key of ['dataDir', 'archive'] as const) {
      if (options[key] !== undefined) fail(fn, `options.${key}`, options[key], 'undefined when options.pack is given (pass one source)');
    }
  }
  if (options.md5 !== undefined) assertMd5(fn, 'options.md5', options.md5);
  if (options.size !== undefined) assertInt(fn, 'options.size', options.size, 1);
  if (options.retries !== undefined) assertInt(fn, 'options.retries', options.retries, 0, 100);
  if (options.retryDelayMs !== undefined) assertInt(fn, 'options.retryDelayMs', options.retryDelayMs, 0);
  if (options.timeoutMs !== undefined) assertInt(fn, 'options.timeoutMs', options.timeoutMs, 1);
  if (options.lockTimeoutMs !== undefined) assertInt(fn, 'options.lockTimeoutMs', options.lockTimeoutMs, 0);
  if (options.staleLockMs !== undefined) assertInt(fn, 'options.staleLockMs', options.staleLockMs, 1);
  if (options.download !== undefined) assertBoolean(fn, 'options.download', options.download);
  if (options.progressBar !== undefined) assertBoolean(fn, 'options.progressBar', options.progressBar);
  assertOptionalFunction(fn, 'options.onProgress', options.onProgress);
}

/** Runs `parse`, appending `hint` (what to delete to recover) to any error it throws. */
function withHint<T>(parse: () => T, hint: string): T {
  try {
    return parse();
  } catch (err) {
    throw new Error(`${(err as Error).message} ${hint}`, { cause: err });
  }
}

/**
 * Reads the cache's unpacked folder. It was written whole and verified, so a bad byte in it now means
 * it was damaged since; the error says to delete it, after which the next load rebuilds it from the
 * cached archive (or downloads the archive again).
 */
async function readCachedFolder(fn: string, spec: DatasetSpec, folder: string): Promise<ParsedDataset> {
  const hint = `Delete ${folder} to rebuild it from the cached archive (or download it again).`;
  const files = await readFolder(fn, spec, folder).catch((err: unknown) => {
    throw new Error(`${(err as Error).message} ${hint}`, { cause: err });
  });
  return withHint(() => parseDataset(fn, spec, files, `folder ${folder}`), hint);
}

/** Resolves a source for `spec` (see {@link LoadOptions}) and parses it. */
export async function loadDataset(fn: string, spec: DatasetSpec, options: LoadOptions): Promise<{ parsed: ParsedDataset; source: DataSource }> {
  validate(fn, options);
  const {
    pack,
    dataDir,
    archive,
    cacheDir = defaultCacheDir(),
    download = true,
    url = spec.url,
    md5 = spec.md5,
    size = spec.size,
    retries = 3,
    retryDelayMs = 1000,
    timeoutMs = 60_000,
    onProgress,
    progressBar = process.stderr.isTTY === true,
    lockTimeoutMs = 30 * 60_000,
    staleLockMs = 60_000,
  } = options;

  if (pack !== undefined) return { parsed: await readJpegPack(fn, spec, pack), source: { kind: 'pack', path: pack.dir } };
  if (dataDir !== undefined) {
    const dir = await resolveDataDir(fn, spec, dataDir);
    return { parsed: parseDataset(fn, spec, await readFolder(fn, spec, dir), `folder ${dir}`), source: { kind: 'dataDir', path: dir } };
  }
  if (archive !== undefined) {
    const file = path.resolve(archive);
    if (!(await exists(file))) throw new Error(`${fn}: archive ${file} does not exist.`);
    return { parsed: parseDataset(fn, spec, await readArchiveMembers(fn, spec, file), `archive ${file}`), source: { kind: 'archive', path: file } };
  }

  const root = path.resolve(cacheDir);
  const folder = path.join(root, spec.folder);
  const archivePath = path.join(root, spec.archiveName);
  // Fast path without the lock: a folder in the cache only ever appears complete (atomic rename).
  if (await isCompleteFolder(spec, folder)) {
    return { parsed: await readCachedFolder(fn, spec, folder), source: { kind: 'cache', path: folder } };
  }
  await fs.mkdir(root, { recursive: true });
  const hint =
    `To use a local copy instead, pass { archive: '/path/to/${spec.archiveName}' } or { dataDir: '/path/to/${spec.folder}' }, ` +
    `or copy ${spec.archiveName} (from ${spec.url}) to ${archivePath}.`;
  return withLock(
    fn,
    path.join(root, `${spec.id}.lock`),
    async () => {
      // Partial downloads and folders of interrupted runs (killed before their own cleanup).
      await removeLeftovers(spec, root);
      // Another process may have filled the cache while this one waited for the lock.
      if (await isCompleteFolder(spec, folder)) {
        return { parsed: await readCachedFolder(fn, spec, folder), source: { kind: 'cache', path: folder } };
      }
      // A folder that exists but is incomplete was damaged after it was written; rebuild it.
      await fs.rm(folder, { recursive: true, force: true });
      let kind: DataSource['kind'] = 'cache';
      if (!(await exists(archivePath))) {
        if (!download) throw new Error(`${fn}: ${spec.title} is not in the cache ${root} and options.download is false. ${hint}`);
        await downloadVerified(fn, url, archivePath, {
          expectedSize: size,
          expectedMd5: md5,
          retries,
          retryDelayMs,
          timeoutMs,
          onProgress,
          progressBar,
          hint: `If this machine is offline: ${hint}`,
        });
        kind = 'download';
      }
      const deleteHint = `Delete ${archivePath} to download it again.`;
      const members = await readArchiveMembers(fn, spec, archivePath).catch((err: unknown) => {
        throw new Error(`${(err as Error).message} ${deleteHint}`, { cause: err });
      });
      const parsed = withHint(() => parseDataset(fn, spec, members, `archive ${archivePath}`), deleteHint);
      await writeFolderAtomically(spec, root, members);
      return { parsed, source: { kind, path: archivePath } };
    },
    { timeoutMs: lockTimeoutMs, staleMs: staleLockMs },
  );
}

/**
 * Loads any dataset in the CIFAR binary layout described by `spec` (see {@link CIFAR10_SPEC}); the
 * engine behind {@link loadCifar10} and {@link loadCifar100}, exported for subsets in the same format
 * (e.g. small test archives) that need their own record counts.
 */
export async function loadCifar(spec: DatasetSpec, options: LoadOptions = {}): Promise<CifarData> {
  assertSpec('loadCifar', spec);
  const { parsed, source } = await loadDataset('loadCifar', spec, options);
  return { ...parsed, source };
}

/**
 * Loads CIFAR-10 (the chapter's `torchvision.datasets.CIFAR10`): 50,000 training and 10,000 test
 * images as NHWC uint8 `[N, 32, 32, 3]`, labels 0..9 and the class names. Sources, in order:
 * `options.dataDir`, `options.archive`, the cache, a verified download into the cache; or, alone,
 * `options.pack`, e.g. the 10,000 + 2,500-image subset of `@aa/cifar10-subset` for offline runs.
 * @example const { train, test, classNames } = await loadCifar10();
 * @example const subset = await loadCifar10({ pack: cifar10Subset }); // from '@aa/cifar10-subset'
 */
export async function loadCifar10(options: LoadOptions = {}): Promise<Cifar10Data> {
  const { parsed, source } = await loadDataset('loadCifar10', CIFAR10_SPEC, options);
  return { train: parsed.train, test: parsed.test, classNames: parsed.classNames, source };
}

/**
 * Loads CIFAR-100: 50,000 training and 10,000 test images as NHWC uint8 `[N, 32, 32, 3]` with fine
 * labels (0..99, `labels`) and coarse labels (0..19, `coarseLabels`) and both name lists. Same sources
 * and options as {@link loadCifar10}. To train on the superclasses, batch
 * `{ ...data.train, labels: data.train.coarseLabels }`.
 */
export async function loadCifar100(options: LoadOptions = {}): Promise<Cifar100Data> {
  const { parsed, source } = await loadDataset('loadCifar100', CIFAR100_SPEC, options);
  return {
    train: parsed.train as Cifar100Split,
    test: parsed.test as Cifar100Split,
    classNames: parsed.classNames,
    coarseClassNames: parsed.coarseClassNames!,
    source,
  };
}
