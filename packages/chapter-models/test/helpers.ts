import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

/** Trainable parameters, as PyTorch counts them (BatchNorm's moving statistics are buffers there). */
export function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);
}

/** Serves `root` over HTTP on 127.0.0.1; `rewrite` may alter a file's bytes (to test damaged downloads). */
export async function serveFolder(root: string, rewrite?: (file: string, bytes: Buffer) => Buffer): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push(pathname);
    const file = path.join(root, ...pathname.split('/').map(decodeURIComponent));
    readFile(file).then(
      (bytes) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(rewrite ? rewrite(file, bytes) : bytes);
      },
      () => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs `body` and asserts that it leaves no tensor behind. */
export async function expectNoLeak(body: () => unknown): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  expect(tf.memory().numTensors).toBe(before);
}
