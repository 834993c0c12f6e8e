import { CIFAR10_SPEC, loadCifar, loadCifar100, loadCifar10Sample, type CifarSplit, type DatasetSpec, type LabeledImages, type LoadOptions } from '@aa/cifar-data';

/** Where the bench's data comes from, as the user asked for it. */
export interface DataRequest {
  dataDir?: string;
  archive?: string;
  /** Use the shipped sample on purpose. */
  sample?: boolean;
  cacheDir?: string;
  /** CIFAR-10 download address (tests use an unreachable one). */
  url?: string;
  /** The layout to expect; default the official CIFAR-10 (tests use one with tiny record counts). */
  spec?: DatasetSpec;
}

/** A dataset the experiments train on. */
export interface BenchData {
  train: LabeledImages;
  test: CifarSplit;
  classNames: readonly string[];
  /** `true` when this is the shipped 1,000/500-image sample, not the full set. */
  sample: boolean;
  /** Where it was read from. */
  source: string;
}

/** The one line printed when the full set is not available and the sample is used instead. */
export function fallbackMessage(reason: string): string {
  return (
    `CIFAR-10 is not available locally and could not be downloaded (${reason}); running on the shipped sample ` +
    '(1,000 train / 500 test images). For the full set pass --data-dir DIR or --archive cifar-10-binary.tar.gz, or allow network access to www.cs.toronto.edu.'
  );
}

function loadOptions(req: DataRequest, url: string | undefined): LoadOptions {
  if (req.dataDir !== undefined) return { dataDir: req.dataDir };
  if (req.archive !== undefined) return { archive: req.archive };
  return { cacheDir: req.cacheDir, url, retries: 1, retryDelayMs: 500, timeoutMs: 20_000, progressBar: false };
}

/**
 * CIFAR-10 as requested: a folder or archive given by the user is used or is an error (never silently replaced);
 * otherwise the cache, then a download; only when both fail, the shipped sample, announced by one `log` line.
 */
export async function resolveCifar10(req: DataRequest, log: (line: string) => void): Promise<BenchData> {
  if (req.sample === true) {
    const d = await loadCifar10Sample();
    return { train: d.train, test: d.test, classNames: d.classNames, sample: true, source: 'shipped sample (--sample)' };
  }
  const explicit = req.dataDir !== undefined || req.archive !== undefined;
  try {
    const d = await loadCifar(req.spec ?? CIFAR10_SPEC, loadOptions(req, req.url));
    return { train: d.train, test: d.test, classNames: d.classNames, sample: false, source: `${d.source.kind} ${d.source.path}` };
  } catch (err) {
    if (explicit) throw err;
    // The loader's own advice follows its first sentence; the fallback line gives the bench's.
    const reason = (err instanceof Error ? err.message : String(err)).split(/\.\s|\n/)[0]?.slice(0, 240) ?? 'unknown error';
    log(fallbackMessage(reason));
    const d = await loadCifar10Sample();
    return { train: d.train, test: d.test, classNames: d.classNames, sample: true, source: 'shipped sample (full set unavailable)' };
  }
}

/**
 * CIFAR-100 for exercises 3 and 6, from the same kind of source; `null` when it is not available (the caller
 * then runs those exercises on the CIFAR-10 data it has, and says so).
 */
export async function tryCifar100(req: DataRequest, log: (line: string) => void): Promise<BenchData | null> {
  if (req.sample === true || req.dataDir !== undefined || req.archive !== undefined) return null;
  try {
    const d = await loadCifar100({ cacheDir: req.cacheDir, retries: 1, retryDelayMs: 500, timeoutMs: 20_000, progressBar: false, ...(req.url ? { url: req.url } : {}) });
    return { train: d.train, test: d.test, classNames: d.classNames, sample: false, source: `${d.source.kind} ${d.source.path}` };
  } catch (err) {
    log(`CIFAR-100 unavailable (${(err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 160)}); exercises 3 and 6 run on CIFAR-10 instead.`);
    return null;
  }
}

/** Mulberry32: a small seeded generator for picking subsets. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` images of `set` picked at random with `seed` (kept in their original order), or the whole set when
 * `n >= count`. Random, not the first `n`: the sample is stored class by class.
 */
export function subset<T extends LabeledImages>(set: T, n: number, seed: number): CifarSplit {
  const pixels = set.height * set.width * set.channels;
  if (n >= set.count) {
    return { images: set.images, labels: Uint8Array.from(set.labels), count: set.count, height: set.height, width: set.width, channels: set.channels };
  }
  const order = Array.from({ length: set.count }, (_, i) => i);
  const next = rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const picked = order.slice(0, n).sort((a, b) => a - b);
  const images = new Uint8Array(n * pixels);
  const labels = new Uint8Array(n);
  picked.forEach((src, i) => {
    images.set(set.images.subarray(src * pixels, (src + 1) * pixels), i * pixels);
    labels[i] = set.labels[src] as number;
  });
  return { images, labels, count: n, height: set.height, width: set.width, channels: set.channels };
}
