import '@aa/blur';
import * as tf from '@tensorflow/tfjs';

import { loadChapterCnn, loadChapterCnnMetadata, modelsDir } from '../src/node';
import { serveFolder } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** What a browser does: the same fetch code path, here against a local HTTP server holding a copy of models/. */
describe('loadChapterCnn over http(s)', () => {
  it('loads the same model from a base URL as from the disk, fetching model.json and the weights file it names', async () => {
    const server = await serveFolder(modelsDir());
    try {
      const [remote, local] = await Promise.all([loadChapterCnn('aa', { baseUrl: server.url }), loadChapterCnn('aa')]);
      expect(server.requests.sort()).toEqual(['/aa/model.json', '/aa/weights.bin']);
      const x = tf.randomUniform([3, 24, 24, 3], 0, 1, 'float32', 9);
      const [a, b] = [remote.predict(x) as tf.Tensor, local.predict(x) as tf.Tensor];
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      tf.dispose([x, a, b]);
      remote.dispose();
      local.dispose();
      // A base URL without the trailing slash is the same folder.
      expect((await loadChapterCnnMetadata('plain', { baseUrl: server.url.slice(0, -1) })).key).toBe('plain');
    } finally {
      await server.close();
    }
  });

  it('a missing file is an error naming its URL and the HTTP status', async () => {
    const server = await serveFolder(modelsDir());
    try {
      await expect(loadChapterCnn('aa', { baseUrl: `${server.url}nowhere/` })).rejects.toThrow(`loadChapterCnn: fetching ${server.url}nowhere/aa/model.json failed: HTTP 404 Not Found.`);
    } finally {
      await server.close();
    }
  });

  it('a truncated weights download is an error naming both files and the byte counts', async () => {
    const server = await serveFolder(modelsDir(), (file, bytes) => (file.endsWith('weights.bin') ? bytes.subarray(0, 1000) : bytes));
    try {
      await expect(loadChapterCnn('plain', { baseUrl: server.url })).rejects.toThrow(
        `loadChapterCnn: ${server.url}plain/weights.bin holds 1000 bytes but ${server.url}plain/model.json describes 72808 (truncated or corrupt?).`,
      );
    } finally {
      await server.close();
    }
  });

  it('takes a fetch of its own (e.g. with credentials or a cache)', async () => {
    const seen: string[] = [];
    const server = await serveFolder(modelsDir());
    try {
      const metadata = await loadChapterCnnMetadata('aa', {
        baseUrl: server.url,
        fetch: (url) => {
          seen.push(url);
          return fetch(url);
        },
      });
      expect(metadata.label).toMatch(/anti-aliased/);
      expect(seen).toEqual([`${server.url}aa/metadata.json`]);
    } finally {
      await server.close();
    }
  });
});
