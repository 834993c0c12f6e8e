import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { checkRedis, parseQueueUrl } from '../src/jobs/redis';

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe('--queue addresses', () => {
  it('parse host, port, database and credentials, and never show the password', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6390')).toEqual({ url: 'redis://127.0.0.1:6390', host: '127.0.0.1', port: 6390, db: 0, username: undefined, password: undefined, tls: false });
    expect(parseQueueUrl('redis://queue.lan')).toMatchObject({ host: 'queue.lan', port: 6379, db: 0 });
    const secret = parseQueueUrl('rediss://bench:s%3Acret@queue.lan:7000/3');
    expect(secret).toMatchObject({ url: 'rediss://bench:***@queue.lan:7000/3', username: 'bench', password: 's:cret', port: 7000, db: 3, tls: true });
  });

  it.each([
    ['127.0.0.1:6379', "got '127.0.0.1:6379'."],
    ['localhost:6379', "got 'localhost:6379' (scheme localhost)."],
    ['http://127.0.0.1:6379', "got 'http://127.0.0.1:6379' (scheme http)."],
    ['redis://127.0.0.1:6379/queue', "got 'redis://127.0.0.1:6379/queue' (the path must be a database number)."],
    ['nonsense', "got 'nonsense'."],
  ])('reject %p, naming the option and the format', (value, tail) => {
    expect(() => parseQueueUrl(value)).toThrow(`--queue must be a Redis URL redis://host:port (or redis://[user:password@]host:port/db, rediss:// for TLS), e.g. redis://127.0.0.1:6379, ${tail}`);
  });

  it('an unreachable Redis fails fast, naming the address and how to start one', async () => {
    const port = await closedPort();
    await expect(checkRedis(parseQueueUrl(`redis://127.0.0.1:${port}`), 2000)).rejects.toThrow(
      `cannot reach Redis at redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}). Start one with: redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no (Debian: apt-get install -y redis-server), or give --queue the address of a running one.`,
    );
  });

  it('the CLI: a bad or unreachable address stops the run before anything is loaded; the worker needs --queue', async () => {
    const tsx = require.resolve('tsx/cli');
    const run = (args: string[]) => spawnSync(process.execPath, [tsx, 'src/cli.ts', ...args], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    const bad = run(['shift', '--subset', '--preset', 'smoke', '--queue', 'localhost:6379']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--queue must be a Redis URL redis:\/\/host:port .*got 'localhost:6379'/);
    expect(bad.stderr).not.toMatch(/data: /);
    const closed = await closedPort();
    const unreachable = run(['shift', '--subset', '--preset', 'smoke', '--queue', `redis://127.0.0.1:${closed}`]);
    expect(unreachable.status).not.toBe(0);
    expect(unreachable.stderr).toMatch(new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${closed} \\(connect ECONNREFUSED`));
    expect(unreachable.stderr).not.toMatch(/data: /);
    const worker = run(['worker']);
    expect(worker.status).not.toBe(0);
    expect(worker.stderr).toMatch(/required option '--queue <url>' not specified/);
  }, 120000);
});
