import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';

/** How long to wait for, and when to break, another process's cache lock. */
export interface LockOptions {
  /** Give up waiting after this many milliseconds. */
  timeoutMs: number;
  /** A lock whose file was not touched for this long is considered abandoned. */
  staleMs: number;
  /** Poll interval while waiting. */
  pollMs?: number;
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  since: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True if process `pid` exists on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(lockPath: string): Promise<{ info: LockInfo | undefined; mtimeMs: number } | undefined> {
  try {
    const stat = await fs.stat(lockPath);
    const text = await fs.readFile(lockPath, 'utf8');
    let info: LockInfo | undefined;
    try {
      info = JSON.parse(text) as LockInfo;
    } catch {
      info = undefined; // being written right now, or garbage: only its age can tell
    }
    return { info, mtimeMs: stat.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Moves an abandoned lock aside. Renaming is atomic, so only one waiter can take a given file; if the
 * file taken turns out to be a fresh lock created in the meantime, it is linked back (link never
 * overwrites). The cache writes themselves are atomic renames, so even a lost race here costs a
 * duplicate download, never a corrupt cache.
 */
async function breakLock(lockPath: string, staleToken: string | undefined): Promise<void> {
  const aside = `${lockPath}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const taken = await fs.readFile(aside, 'utf8').catch(() => '');
  if (staleToken !== undefined && !taken.includes(staleToken)) {
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

/**
 * Runs `work` while holding an exclusive lock file, so that two processes filling one cache do not
 * download and unpack the same archive twice. The lock is a file created with `O_EXCL` ('wx'); its
 * holder touches it periodically, and a waiter breaks it when its holder died (same host, pid gone)
 * or when it was not touched for `staleMs`.
 * @param fn the public function name, for messages.
 */
export async function withLock<T>(fn: string, lockPath: string, work: () => Promise<T>, options: LockOptions): Promise<T> {
  const { timeoutMs, staleMs, pollMs = 100 } = options;
  const info: LockInfo = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(info));
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(lockPath);
    if (holder === undefined) continue;
    const dead = holder.info !== undefined && holder.info.host === os.hostname() && !pidAlive(holder.info.pid);
    if (dead || Date.now() - holder.mtimeMs > staleMs) {
      await breakLock(lockPath, holder.info?.token);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder.info === undefined ? 'another process' : `process ${holder.info.pid} on ${holder.info.host} (since ${holder.info.since})`;
      throw new Error(
        `${fn}: waited ${timeoutMs} ms for the cache lock ${lockPath}, held by ${who}. ` +
          `If no other process is loading this dataset, delete the lock file and retry.`,
      );
    }
    await sleep(pollMs);
  }
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      fs.utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(50, Math.floor(staleMs / 4)),
  );
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    const text = await fs.readFile(lockPath, 'utf8').catch(() => '');
    if (text.includes(info.token)) await fs.rm(lockPath, { force: true });
  }
}
