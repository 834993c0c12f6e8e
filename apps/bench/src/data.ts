import { CIFAR10_SPEC, createRng, loadCifar, loadCifar100, shuffleInPlace, type CifarSplit, type DatasetSpec, type LabeledImages, type LoadOptions } from '@aa/cifar-data';
import { cifar10Subset } from '@aa/cifar10-subset';

import type { TrainTest } from './experiments/types';

/** Where the bench's data comes from, as the user asked for it. */
export interface DataRequest {
  dataDir?: string;
  archive?: string;
  /** Use the embedded subset on purpose, without trying the cache or a download. */
  subset?: boolean;
  cacheDir?: string;
  /** CIFAR-10 download address (tests use an unreachable one). */
  url?: string;
  /** The layout to expect; default the official CIFAR-10 (tests use one with tiny record counts). */
  spec?: DatasetSpec;
}

/** The data a run has loaded: whole splits, before the run's subsets are drawn. */
export interface RunData {
  train: CifarSplit;
  /** The whole test split (the shift figures' test image is indexed in it). */
  fullTest: CifarSplit;
  classNames: readonly string[];
  /** `true` when this is the CIFAR-10 subset embedded in the project (@aa/cifar10-subset), not the full set. */
  embedded: boolean;
  /** Where it was read from. */
  source: string;
  request: DataRequest;
}

/** Size of the embedded subset. */
export const EMBEDDED = { train: cifar10Subset.counts.train, test: cifar10Subset.counts.test };

/** The one line printed when the full set is not available and the embedded subset is used instead. */
export function fallbackMessage(reason: string): string {
  return (
    `CIFAR-10 is not available locally and could not be downloaded (${reason}); running on the embedded subset ` +
    `(${EMBEDDED.train.toLocaleString('en-US')} train / ${EMBEDDED.test.toLocaleString('en-US')} test images). ` +
    'For the full set pass --data-dir DIR or --archive cifar-10-binary.tar.gz, or allow network access to www.cs.toronto.edu.'
  );
}

function loadOptions(req: DataRequest): LoadOptions {
  if (req.dataDir !== undefined) return { dataDir: req.dataDir };
  if (req.archive !== undefined) return { archive: req.archive };
  return { cacheDir: req.cacheDir, url: req.url, retries: 1, retryDelayMs: 500, timeoutMs: 20_000, progressBar: false };
}

async function loadEmbedded(request: DataRequest, source: string): Promise<RunData> {
  const d = await loadCifar(CIFAR10_SPEC, { pack: cifar10Subset });
  return { train: d.train, fullTest: d.test, classNames: d.classNames, embedded: true, source, request };
}

/**
 * CIFAR-10 as requested: a folder or archive given by the user is used or is an error (never silently replaced);
 * otherwise the cache, then a download; only when both fail, the embedded subset, announced by one `log` line. All of
 * them go through @aa/cifar-data's loader.
 */
export async function resolveCifar10(request: DataRequest, log: (line: string) => void): Promise<RunData> {
  if (request.subset === true) return loadEmbedded(request, 'embedded CIFAR-10 subset (--subset)');
  const explicit = request.dataDir !== undefined || request.archive !== undefined;
  try {
    const d = await loadCifar(request.spec ?? CIFAR10_SPEC, loadOptions(request));
    return { train: d.train, fullTest: d.test, classNames: d.classNames, embedded: false, source: `${d.source.kind} ${d.source.path}`, request };
  } catch (err) {
    if (explicit) throw err;
    // The loader's own advice follows its first sentence; the fallback line gives the bench's.
    const reason = (err instanceof Error ? err.message : String(err)).split(/\.\s|\n/)[0]?.slice(0, 240) ?? 'unknown error';
    log(fallbackMessage(reason));
    return loadEmbedded(request, 'embedded CIFAR-10 subset (full set unavailable)');
  }
}

/**
 * CIFAR-100 for exercises 3 and 6, from the same kind of source; `null` when it is not available (the caller then
 * runs those exercises on the CIFAR-10 data it has, and says so).
 */
export async function tryCifar100(req: DataRequest, log: (line: string) => void): Promise<Omit<RunData, 'request' | 'embedded'> | null> {
  if (req.subset === true || req.dataDir !== undefined || req.archive !== undefined) return null;
  try {
    const d = await loadCifar100({ cacheDir: req.cacheDir, retries: 1, retryDelayMs: 500, timeoutMs: 20_000, progressBar: false, ...(req.url ? { url: req.url } : {}) });
    return { train: d.train, fullTest: d.test, classNames: d.classNames, source: `${d.source.kind} ${d.source.path}` };
  } catch (err) {
    log(`CIFAR-100 unavailable (${(err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 160)}); exercises 3 and 6 run on CIFAR-10 instead.`);
    return null;
  }
}

/**
 * `n` images of `set` picked at random with `seed` (kept in their original order), or the whole set when
 * `n >= count`. Random, not the first `n`: a data set may be stored class by class.
 */
export function subset<T extends LabeledImages>(set: T, n: number, seed: number): CifarSplit {
  const pixels = set.height * set.width * set.channels;
  if (n >= set.count) {
    return { images: set.images, labels: Uint8Array.from(set.labels), count: set.count, height: set.height, width: set.width, channels: set.channels };
  }
  const order = shuffleInPlace(Array.from({ length: set.count }, (_, i) => i), createRng(seed));
  const picked = order.slice(0, n).sort((a, b) => a - b);
  const images = new Uint8Array(n * pixels);
  const labels = new Uint8Array(n);
  picked.forEach((src, i) => {
    images.set(set.images.subarray(src * pixels, (src + 1) * pixels), i * pixels);
    labels[i] = set.labels[src] as number;
  });
  return { images, labels, count: n, height: set.height, width: set.width, channels: set.channels };
}

/** The run's train/test subsets of a data set: the test subset is the same for every seed, so runs pair on it. */
export function trainTest(d: Pick<RunData, 'train' | 'fullTest' | 'classNames'>, sizes: { trainSize: number; testSize: number }, seed: number, name: string): TrainTest {
  return { train: subset(d.train, sizes.trainSize, seed), test: subset(d.fullTest, sizes.testSize, seed + 1), name, classes: d.classNames.length };
}
