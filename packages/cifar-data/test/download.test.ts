import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCifar } from '../src/index';
import type { DownloadProgress, LoadOptions } from '../src/index';
import { ProgressBar } from '../src/progress';
import { TINY10, cleanup, datasetMembers, expectedImage, tarGz, tempDir } from './helpers/cifar';
import type { TestServer } from './helpers/server';
import { sendBody, sendHalfAndCut, startServer } from './helpers/server';

const archive = tarGz(datasetMembers(TINY10));
const md5 = createHash('md5').update(archive).digest('hex');

describe('downloading into the cache (local HTTP server on 127.0.0.1)', () => {
  let server: TestServer;
  let cache: string;
  beforeAll(async () => {
    server = await startServer({
      '/ok.tar.gz': (_req, res) => sendBody(res, archive),
      '/moved': (_req, res) => {
        res.writeHead(302, { location: '/ok.tar.gz' });
        res.end();
      },
      '/cut-once.tar.gz': (_req, res, n) => (n === 1 ? sendHalfAndCut(res, archive) : sendBody(res, archive)),
      '/cut-always.tar.gz': (_req, res) => sendHalfAndCut(res, archive),
      '/busy-once.tar.gz': (_req, res, n) => {
        if (n > 1) return sendBody(res, archive);
        res.writeHead(503);
        res.end('busy');
      },
      '/stall.tar.gz': (_req, res) => {
        res.writeHead(200, { 'content-length': archive.length });
        res.write(archive.subarray(0, 1000)); // and then nothing
      },
      '/short-no-length.tar.gz': (_req, res) => {
        res.writeHead(200);
        res.end(archive.subarray(0, 3000));
      },
      '/too-long.tar.gz': (_req, res) => {
        res.writeHead(200); // no Content-Length: only the client can stop an endless body
        res.write(archive);
        res.end(Buffer.alloc(100_000));
      },
      '/wrong-length.tar.gz': (_req, res) => {
        res.writeHead(200, { 'content-length': 12 });
        res.end('twelve bytes');
      },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => (cache = tempDir('cache')));
  afterEach(() => cleanup(cache));

  const opts = (p: string, extra: LoadOptions = {}): LoadOptions => ({ cacheDir: cache, url: server.url(p), md5, size: archive.length, retryDelayMs: 0, progressBar: false, ...extra });
  const leftovers = (): string[] => fs.readdirSync(cache).filter((f) => f.endsWith('.part') || f.endsWith('.lock') || f.endsWith('.tmp'));

  it('downloads with progress, verifies, unpacks into the cache, then reuses the cache', async () => {
    const progress: DownloadProgress[] = [];
    const data = await loadCifar(TINY10, opts('/ok.tar.gz', { onProgress: (p) => progress.push(p) }));
    expect(data.source).toEqual({ kind: 'download', path: path.join(cache, TINY10.archiveName) });
    expect(Buffer.from(data.test.images.subarray(3072, 6144)).equals(Buffer.from(expectedImage(1, 1)))).toBe(true);
    expect(progress.length).toBeGreaterThan(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.receivedBytes).toBeGreaterThan(progress[i - 1]!.receivedBytes);
    expect(progress.at(-1)).toEqual({ url: server.url('/ok.tar.gz'), receivedBytes: archive.length, totalBytes: archive.length, attempt: 1 });
    expect(fs.readFileSync(path.join(cache, TINY10.archiveName)).equals(archive)).toBe(true);
    expect(fs.readdirSync(path.join(cache, TINY10.folder))).toHaveLength(7);
    expect(leftovers()).toEqual([]);
    expect(server.hits('/ok.tar.gz')).toBe(1);

    const again = await loadCifar(TINY10, opts('/ok.tar.gz'));
    expect(again.source).toEqual({ kind: 'cache', path: path.join(cache, TINY10.folder) });
    expect(Buffer.from(again.train.images).equals(Buffer.from(data.train.images))).toBe(true);

    // A damaged unpacked folder is rebuilt from the cached archive, still without the network.
    fs.truncateSync(path.join(cache, TINY10.folder, 'data_batch_5.bin'), 100);
    const rebuilt = await loadCifar(TINY10, opts('/ok.tar.gz'));
    expect(rebuilt.source).toEqual({ kind: 'cache', path: path.join(cache, TINY10.archiveName) });
    expect(Buffer.from(rebuilt.train.images).equals(Buffer.from(data.train.images))).toBe(true);
    expect(server.hits('/ok.tar.gz')).toBe(1);
    // ... and the folder is whole again, so the next load reads it instead of the archive.
    expect(fs.statSync(path.join(cache, TINY10.folder, 'data_batch_5.bin')).size).toBe(2 * 3073);
    expect((await loadCifar(TINY10, opts('/ok.tar.gz'))).source).toEqual({ kind: 'cache', path: path.join(cache, TINY10.folder) });
    expect(leftovers()).toEqual([]);
  });

  it('follows redirects', async () => {
    const data = await loadCifar(TINY10, opts('/moved'));
    expect(data.train.count).toBe(10);
  });

  it('rejects an MD5 mismatch without retrying and leaves nothing in the cache', async () => {
    const wrong = 'f'.repeat(32);
    await expect(loadCifar(TINY10, opts('/ok.tar.gz', { md5: wrong }))).rejects.toThrow(
      new RegExp(`could not download .*\\(1 attempt\\): the downloaded file has MD5 ${md5}, expected ${wrong}; it was deleted`),
    );
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  it('retries after a connection cut mid-file and then succeeds', async () => {
    const attempts = new Set<number>();
    const data = await loadCifar(TINY10, opts('/cut-once.tar.gz', { onProgress: (p) => attempts.add(p.attempt) }));
    expect(data.train.count).toBe(10);
    expect(server.hits('/cut-once.tar.gz')).toBe(2);
    expect([...attempts]).toEqual([1, 2]);
    expect(leftovers()).toEqual([]);
  });

  it('gives up after the retries when every transfer is cut, and says how to use a local copy', async () => {
    const err = await loadCifar(TINY10, opts('/cut-always.tar.gz', { retries: 2 })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/loadCifar: could not download .*cut-always.* \(3 attempts\): the transfer broke after \d+ of \d+ bytes/);
    expect((err as Error).message).toMatch(/If this machine is offline: To use a local copy instead, pass \{ archive: '\/path\/to\/cifar-10-binary\.tar\.gz' \}/);
    expect(server.hits('/cut-always.tar.gz')).toBe(3);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  it('does not retry a 404', async () => {
    await expect(loadCifar(TINY10, opts('/missing.tar.gz'))).rejects.toThrow(/\(1 attempt\): the server answered HTTP 404 Not Found\. .*\{ dataDir:/);
    expect(server.hits('/missing.tar.gz')).toBe(1);
  });

  it('retries a 503', async () => {
    await loadCifar(TINY10, opts('/busy-once.tar.gz'));
    expect(server.hits('/busy-once.tar.gz')).toBe(2);
  });

  it('treats a short body without Content-Length as truncated, and a wrong Content-Length as fatal', async () => {
    await expect(loadCifar(TINY10, opts('/short-no-length.tar.gz', { retries: 1 }))).rejects.toThrow(/\(2 attempts\): the transfer ended after 3000 of/);
    await expect(loadCifar(TINY10, opts('/wrong-length.tar.gz'))).rejects.toThrow(/\(1 attempt\): the server offers 12 bytes, expected/);
  });

  it('stops a body longer than the expected size at once, without retrying', async () => {
    await expect(loadCifar(TINY10, opts('/too-long.tar.gz'))).rejects.toThrow(
      new RegExp(`\\(1 attempt\\): the server sent more than the expected ${archive.length} bytes`),
    );
    expect(server.hits('/too-long.tar.gz')).toBe(1);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  it('reports an exception thrown by onProgress instead of retrying the download', async () => {
    const before = server.hits('/ok.tar.gz');
    const onProgress = (): void => {
      throw new Error('progress UI gone');
    };
    await expect(loadCifar(TINY10, opts('/ok.tar.gz', { onProgress }))).rejects.toThrow(/\(1 attempt\): options\.onProgress threw: progress UI gone/);
    expect(server.hits('/ok.tar.gz')).toBe(before + 1);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  it('aborts an idle connection after timeoutMs', async () => {
    await expect(loadCifar(TINY10, opts('/stall.tar.gz', { retries: 0, timeoutMs: 150 }))).rejects.toThrow(/broke after 1000 of .*idle for 150 ms/);
    expect(leftovers()).toEqual([]);
  });

  it('explains how to proceed offline (connection refused)', async () => {
    const gone = await startServer({});
    const url = gone.url('/x.tar.gz');
    await gone.close();
    await expect(loadCifar(TINY10, opts('/', { url, retries: 1 }))).rejects.toThrow(
      /could not download http:\/\/127\.0\.0\.1:\d+\/x\.tar\.gz \(2 attempts\): .*ECONNREFUSED.*copy cifar-10-binary\.tar\.gz \(from https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz\) to /,
    );
  });

  it('with download: false, a missing dataset is an error that says where to put it', async () => {
    const before = server.hits('/ok.tar.gz');
    await expect(loadCifar(TINY10, opts('/ok.tar.gz', { download: false }))).rejects.toThrow(
      new RegExp(`CIFAR-10 is not in the cache .* and options.download is false\\. .*to ${cache.replace(/[/\\]/g, '.')}.cifar-10-binary\\.tar\\.gz`),
    );
    expect(server.hits('/ok.tar.gz')).toBe(before);
  });

  it('draws a progress bar on a stream', () => {
    let text = '';
    const stream = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
    const bar = new ProgressBar('dl', stream);
    bar.update(0, 1000);
    bar.update(1000, 1000);
    bar.finish();
    expect(text).toMatch(/^\rdl \[-{30}\] {3}0% .*\rdl \[#{30}\] 100% 0\.0\/0\.0 MB .*\n$/s);
  });
});
