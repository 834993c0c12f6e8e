/**
 * What the buffer pool does with memory after a large tensor is freed: resident memory (RSS) before,
 * with a 2.1 GB native output alive, right after its dispose(), after the pool's idle time, and after
 * releaseBufferPool(); then the same for a 64 MiB output (small enough to be kept for reuse).
 * Prints figures; asserts nothing. `pnpm --filter @aa/backend-onednn exec tsx bench/pool-memory.ts`
 */
import * as tf from '@tensorflow/tfjs';

import { bufferPoolBytes, registerOneDnnBackend, releaseBufferPool } from '../src/index';

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const rss = () => process.memoryUsage().rss;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A native output of `rows` x 2^20 floats (Tile runs natively), alive until disposed. */
function nativeTensor(rows: number): tf.Tensor {
  return tf.tidy(() => tf.tile(tf.ones([1, 2 ** 20]), [rows, 1]));
}

async function scenario(label: string, rows: number): Promise<void> {
  const base = rss();
  const t = nativeTensor(rows);
  const alive = rss();
  t.dispose();
  const disposed = rss();
  await sleep(100);
  const later = rss();
  await sleep(3500);
  const idle = rss();
  const pooledAfterIdle = bufferPoolBytes();
  releaseBufferPool();
  const released = rss();
  console.log(
    `${label} (${mib(rows * 2 ** 22)}): rss before ${mib(base)}, alive ${mib(alive)}, right after dispose() ${mib(disposed)}, ` +
      `+100 ms ${mib(later)}, +3.6 s ${mib(idle)} (pool ${mib(pooledAfterIdle)}), after releaseBufferPool() ${mib(released)}`,
  );
}

async function main(): Promise<void> {
  if (!registerOneDnnBackend()) throw new Error('the onednn addon is unavailable');
  await tf.setBackend('onednn');
  await scenario('2.1 GB tensor', 501);
  await scenario('64 MiB tensor', 16);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
