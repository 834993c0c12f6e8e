/**
 * Child process for the cache-concurrency test: prints "ready", waits for a line on stdin, loads the
 * tiny dataset into the given cache, and prints where it came from and a hash of the pixels.
 * Imports src/load directly (not the index) to skip loading tfjs in every child.
 */
import { createHash } from 'node:crypto';
import { loadCifar } from '../../src/load';
import { TINY10 } from './cifar';

const [cacheDir, url, md5, size] = process.argv.slice(2);
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  loadCifar(TINY10, { cacheDir, url, md5, size: Number(size), retryDelayMs: 0, progressBar: false, staleLockMs: 2000 }).then(
    (data) => {
      const hash = createHash('md5').update(data.train.images).update(data.test.images).update(data.train.labels).digest('hex');
      process.stdout.write(JSON.stringify({ kind: data.source.kind, hash }) + '\n');
      process.exit(0);
    },
    (err: Error) => {
      process.stdout.write(JSON.stringify({ error: err.message }) + '\n');
      process.exit(1);
    },
  );
});
