import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** The BullMQ queue the bench's jobs go on (one per Redis database; job ids keep runs apart). */
export const QUEUE_NAME = 'aa-bench';

/** A parsed `--queue` address. */
export interface QueueAddress {
  /** The address as given, without any password (safe to print and record). */
  url: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

const FORMAT = 'a Redis URL redis://host:port (or redis://[user:password@]host:port/db, rediss:// for TLS), e.g. redis://127.0.0.1:6379';

/** Parses `--queue`; a bad address is an error naming the option, the format and the value. */
export function parseQueueUrl(value: string, option = '--queue'): QueueAddress {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`${option} must be ${FORMAT}, got '${value}'.`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`${option} must be ${FORMAT}, got '${value}' (scheme ${u.protocol.replace(/:$/, '')}).`);
  if (!u.hostname) throw new Error(`${option} must be ${FORMAT}, got '${value}' (no host).`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new Error(`${option} must be ${FORMAT}, got '${value}' (the path must be a database number).`);
  if (u.search || u.hash) throw new Error(`${option} must be ${FORMAT}, got '${value}' (no query or fragment).`);
  const hidden = new URL(u.href);
  hidden.password = hidden.password ? '***' : '';
  return {
    url: hidden.href.replace(/\/$/, ''),
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: path === '' ? 0 : Number(path),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:',
  };
}

/** ioredis options for `address`; BullMQ needs `maxRetriesPerRequest: null` on its connections. */
export function redisOptions(address: QueueAddress): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    username: address.username,
    password: address.password,
    ...(address.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * Connects once to `address` and pings it, failing fast with what to do: BullMQ itself would retry an unreachable
 * Redis forever without a word.
 */
export async function checkRedis(address: QueueAddress, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...redisOptions(address), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  // The socket's own error (ECONNREFUSED, ENOTFOUND) comes as an event; the promise only says the connection closed.
  let socketError: Error | undefined;
  client.on('error', (e: Error) => (socketError ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const why = socketError?.message ?? (err instanceof Error ? err.message : String(err));
    const local = ['127.0.0.1', 'localhost', '::1'].includes(address.host);
    throw new Error(
      `cannot reach Redis at ${address.url} (${why}). ` +
        (local
          ? `Start one with: redis-server --port ${address.port} --bind ${address.host === 'localhost' ? '127.0.0.1' : address.host} --save '' --appendonly no (Debian: apt-get install -y redis-server)`
          : `Start redis-server on ${address.host} (Debian: apt-get install -y redis-server; listen on that address with --bind and --protected-mode no on a trusted network)`) +
        ', or give --queue the address of a running one.',
    );
  } finally {
    client.disconnect();
  }
}
