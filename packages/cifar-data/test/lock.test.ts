import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCifar } from '../src/index';
import { writeFolderAtomically } from '../src/folder';
import { withLock } from '../src/lock';
import { TINY10, cleanup, datasetFiles, datasetMembers, tarGz, tempDir } from './helpers/cifar';
import type { TestServer } from './helpers/server';
import { sendBody, startServer } from './helpers/server';

const packageDir = path.resolve(__dirname, '..');
const archive = tarGz(datasetMembers(TINY10));
const md5 = createHash('md5').update(archive).digest('hex');
const lockName = `${TINY10.id}.lock`;

describe('the cache lock', () => {
  let cache: string;
  beforeEach(() => {
    cache = tempDir('lock');
    fs.writeFileSync(path.join(cache, TINY10.archiveName), archive); // a cached archive: no network needed
  });
  afterEach(() => cleanup(cache));

  const writeLock = (info: object, ageMs = 0): void => {
    const p = path.join(cache, lockName);
    fs.writeFileSync(p, JSON.stringify(info));
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(p, t, t);
  };

  it('waits for a live holder and gives up after lockTimeoutMs with a message naming the holder', async () => {
    writeLock({ pid: process.pid, host: os.hostname(), token: 'live', since: 'now' });
    const t0 = Date.now();
    await expect(loadCifar(TINY10, { cacheDir: cache, download: false, lockTimeoutMs: 300 })).rejects.toThrow(
      new RegExp(`waited 300 ms for the cache lock .*${lockName}, held by process ${process.pid} on `),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(fs.existsSync(path.join(cache, lockName))).toBe(true); // not ours to remove
  });

  it('breaks a lock whose holder died (same host, pid gone)', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeLock({ pid: Number(dead.stdout), host: os.hostname(), token: 'dead', since: 'then' });
    const data = await loadCifar(TINY10, { cacheDir: cache, download: false, lockTimeoutMs: 5000 });
    expect(data.train.count).toBe(10);
    expect(fs.readdirSync(cache).sort()).toEqual([TINY10.archiveName, TINY10.folder].sort());
  });

  it('breaks a lock not touched for staleLockMs (holder on another host)', async () => {
    writeLock({ pid: 1, host: 'some-other-host', token: 'old', since: 'long ago' }, 10_000);
    const data = await loadCifar(TINY10, { cacheDir: cache, download: false, staleLockMs: 5000, lockTimeoutMs: 5000 });
    expect(data.source.kind).toBe('cache');
  });

  it('keeps a live holder\'s lock fresh while it works, so waiters do not break it', async () => {
    const lock = path.join(cache, 'x.lock');
    const order: string[] = [];
    const first = withLock('t', lock, async () => {
      order.push('a-start');
      await new Promise((r) => setTimeout(r, 400));
      order.push('a-end');
    }, { timeoutMs: 5000, staleMs: 200, pollMs: 20 });
    await new Promise((r) => setTimeout(r, 50));
    const second = withLock('t', lock, async () => {
      order.push('b');
    }, { timeoutMs: 5000, staleMs: 200, pollMs: 20 });
    await Promise.all([first, second]);
    expect(order).toEqual(['a-start', 'a-end', 'b']);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('removes what killed runs left (partial downloads and folders), keeping files of live processes', async () => {
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const part = `${TINY10.archiveName}.${dead}.0123abcd.part`;
    const tmp = `.${TINY10.folder}.${dead}.89abcdef.tmp`;
    const live = `${TINY10.archiveName}.${process.ppid}.0123abcd.part`;
    const unrelated = `notes.${dead}.0123abcd.part`;
    for (const f of [part, live, unrelated]) fs.writeFileSync(path.join(cache, f), Buffer.alloc(1000));
    fs.mkdirSync(path.join(cache, tmp));
    fs.writeFileSync(path.join(cache, tmp, 'data_batch_1.bin'), Buffer.alloc(10));
    const data = await loadCifar(TINY10, { cacheDir: cache, download: false });
    expect(data.train.count).toBe(10);
    expect(fs.readdirSync(cache).sort()).toEqual([TINY10.archiveName, TINY10.folder, live, unrelated].sort());
  });

  it('publishes the unpacked folder complete or not at all', async () => {
    const target = path.join(cache, TINY10.folder);
    const files = datasetFiles(TINY10);
    const complete = (): boolean => [...files].every(([f, b]) => fs.existsSync(path.join(target, f)) && fs.statSync(path.join(target, f)).size === b.length);
    // Look at the target between every I/O step of the write.
    const seen: boolean[] = [];
    let writing = true;
    const poll = (): void => {
      if (!writing) return;
      if (fs.existsSync(target)) seen.push(complete());
      setImmediate(poll);
    };
    poll();
    await writeFolderAtomically(TINY10, cache, files);
    writing = false;
    expect(complete()).toBe(true);
    expect(seen.every(Boolean)).toBe(true);
    expect(fs.readdirSync(cache).sort()).toEqual([TINY10.archiveName, TINY10.folder].sort());
  });

  it('releases the lock when the work throws', async () => {
    const lock = path.join(cache, 'y.lock');
    await expect(withLock('t', lock, () => Promise.reject(new Error('boom')), { timeoutMs: 100, staleMs: 1000 })).rejects.toThrow('boom');
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('two processes filling one cache at once', () => {
  let server: TestServer;
  let cache: string;
  beforeAll(async () => {
    // Slow enough (~40 chunks with pauses) that the second process asks while the first downloads.
    server = await startServer({ '/slow.tar.gz': (_req, res) => sendBody(res, archive, 1024) });
    cache = tempDir('two');
  });
  afterAll(async () => {
    await server.close();
    cleanup(cache);
  });

  it('downloads once; both get the same complete data; nothing is left behind', async () => {
    const tsx = require.resolve('tsx/cli');
    const children = [0, 1].map(() =>
      spawn(process.execPath, [tsx, 'test/helpers/load-child.ts', cache, server.url('/slow.tar.gz'), md5, String(archive.length)], {
        cwd: packageDir,
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const lines = children.map((child) => {
      let buf = '';
      const waiters: ((l: string) => void)[] = [];
      const got: string[] = [];
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const w = waiters.shift();
          if (w !== undefined) w(line);
          else got.push(line);
        }
      });
      return (): Promise<string> => (got.length > 0 ? Promise.resolve(got.shift()!) : new Promise((r) => waiters.push(r)));
    });
    expect(await Promise.all(lines.map((next) => next()))).toEqual(['ready', 'ready']);
    for (const child of children) child.stdin!.write('go\n');
    const results = (await Promise.all(lines.map((next) => next()))).map((l) => JSON.parse(l) as { kind?: string; hash?: string; error?: string });
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode === null ? c.on('exit', r) : r(null)))));

    const reference = await loadCifar(TINY10, { cacheDir: cache, download: false });
    const hash = createHash('md5').update(reference.train.images).update(reference.test.images).update(reference.train.labels).digest('hex');
    expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(results.map((r) => r.hash)).toEqual([hash, hash]);
    expect(results.map((r) => r.kind).sort()).toEqual(['cache', 'download']);
    expect(server.hits('/slow.tar.gz')).toBe(1);
    expect(fs.readdirSync(cache).sort()).toEqual([TINY10.archiveName, TINY10.folder].sort());
  });
});
