import * as tf from '@tensorflow/tfjs';

/** What `--backend` accepts. `auto` takes the fastest one that loads. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'onednn', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The backend a run uses, and what the user should know about it. */
export interface BackendInfo {
  /** tfjs backend name in use (`tensorflow`, `cpu`, ...). */
  name: string;
  /** The package that provided it (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`, or `@tensorflow/tfjs` for cpu). */
  provider: string;
  /** One line per optional backend that was tried and could not be used, with the reason. */
  skipped: string[];
}

interface Candidate {
  choice: Exclude<BackendChoice, 'auto' | 'cpu'>;
  pkg: string;
  backendName: string;
  /** Registers the backend once the package is loaded; returns why it cannot be used, or null. */
  register?: (loaded: unknown) => string | null;
}

/** The part of @aa/backend-onednn's API the bench uses (loaded optionally, so typed here). */
interface OneDnnModule {
  registerOneDnnBackend(): boolean;
  unavailableReason(): string | null | undefined;
}

/** Fastest first. Each is an optional install: missing, or installed without its native binary, means skipped. */
const CANDIDATES: Candidate[] = [
  { choice: 'tensorflow-gpu', pkg: '@tensorflow/tfjs-node-gpu', backendName: 'tensorflow' },
  { choice: 'tensorflow', pkg: '@tensorflow/tfjs-node', backendName: 'tensorflow' },
  {
    choice: 'onednn',
    pkg: '@aa/backend-onednn',
    backendName: 'onednn',
    register: (loaded) => {
      const onednn = loaded as OneDnnModule;
      return onednn.registerOneDnnBackend() ? null : `its native addon is unavailable (${onednn.unavailableReason() ?? 'no reason given'})`;
    },
  },
];

/**
 * tfjs-node 4.22 calls `util.isNullOrUndefined`, which Node 23 removed; restore it before loading
 * tfjs-node so a newer Node does not crash it.
 */
function patchNodeUtil(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const util = require('node:util') as Record<string, unknown>;
  if (typeof util.isNullOrUndefined !== 'function') {
    util.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
  }
}

function tryLoad(candidate: Candidate): string | null {
  try {
    patchNodeUtil();
    // A package that installed without its native binary throws here; that counts as missing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded: unknown = require(candidate.pkg);
    return candidate.register ? candidate.register(loaded) : null;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return /Cannot find module/.test(message ?? '') && (message ?? '').includes(candidate.pkg)
      ? 'not installed'
      : `installed but failed to load (${message})`;
  }
}

/**
 * Picks and activates the tfjs backend. `auto` tries tfjs-node-gpu, then tfjs-node, then this
 * project's oneDNN backend, then the pure-JavaScript `cpu` backend; a named choice fails with a clear
 * error if it cannot load.
 * This is the only place in the project that calls `tf.setBackend`.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const candidate of CANDIDATES) {
    if (choice !== 'auto' && choice !== candidate.choice) continue;
    const problem = tryLoad(candidate);
    if (problem === null && (await tf.setBackend(candidate.backendName))) {
      return { name: candidate.backendName, provider: candidate.pkg, skipped };
    }
    const reason = `${candidate.pkg}: ${problem ?? 'loaded but its backend did not initialise'}`;
    if (choice !== 'auto') throw new Error(`--backend ${choice}: ${reason}.`);
    skipped.push(reason);
  }
  await tf.setBackend('cpu');
  return { name: 'cpu', provider: '@tensorflow/tfjs', skipped };
}

/** A short human description, with advice when the run is on the slow pure-JS backend. */
export function describeBackend(info: BackendInfo): string[] {
  const lines = [`backend: ${info.name} (${info.provider})`];
  if (info.name === 'cpu') {
    lines.push(
      'the pure-JavaScript cpu backend trains convolutions about 1000x slower than PyTorch; for real-size runs install ' +
        "oneDNN (apt-get install libdnnl-dev) and rebuild @aa/backend-onednn (pnpm rebuild), or @tensorflow/tfjs-node where its native library can be downloaded",
    );
  }
  for (const reason of info.skipped) lines.push(`  skipped ${reason}`);
  return lines;
}
