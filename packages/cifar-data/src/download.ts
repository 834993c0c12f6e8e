import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DownloadProgress } from './progress';
import { ProgressBar } from './progress';

/** Settings for {@link downloadVerified}. */
export interface DownloadSettings {
  /** Exact size the file must have. */
  expectedSize: number;
  /** MD5 (hex) the file must have. */
  expectedMd5: string;
  /** Extra attempts after a failure that may be transient (network error, 5xx, truncated transfer). */
  retries: number;
  /** Wait before the first retry; doubled for each further one. */
  retryDelayMs: number;
  /** Abort an attempt when the connection is idle this long. */
  timeoutMs: number;
  /** Called after every received chunk. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Draw a progress bar on stderr. */
  progressBar: boolean;
  /** Appended to the final error: how to proceed without the network. */
  hint: string;
}

/** A failed attempt; `retryable` says whether trying again can help. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function get(url: string, timeoutMs: number, redirectsLeft: number): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new AttemptError(`'${url}' is not a valid URL`, false));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (client === undefined) {
      reject(new AttemptError(`unsupported protocol '${parsed.protocol}' (use http: or https:)`, false));
      return;
    }
    const req = client.get(parsed, { timeout: timeoutMs, headers: { 'user-agent': '@aa/cifar-data' } }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        res.resume();
        if (redirectsLeft === 0) reject(new AttemptError('too many redirects', false));
        else resolve(get(new URL(location, parsed).href, timeoutMs, redirectsLeft - 1));
        return;
      }
      if (status !== 200) {
        res.resume();
        // 4xx will not change on retry, except timeouts and rate limits.
        const retryable = status >= 500 || status === 408 || status === 429;
        reject(new AttemptError(`the server answered HTTP ${status} ${res.statusMessage ?? ''}`.trim(), retryable));
        return;
      }
      resolve({ req, res });
    });
    req.on('timeout', () => req.destroy(new AttemptError(`the connection was idle for ${timeoutMs} ms`, true)));
    req.on('error', reject);
  });
}

async function attempt(url: string, dest: string, attemptNo: number, s: DownloadSettings, bar: ProgressBar | undefined): Promise<void> {
  // A unique name beside the target: concurrent downloaders never share a partial file, and rename is atomic
  // only within one file system.
  const tmp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    const { req, res } = await get(url, s.timeoutMs, 5);
    let idle = false;
    req.on('timeout', () => (idle = true));
    const announced = Number(res.headers['content-length']);
    if (Number.isFinite(announced) && res.headers['content-length'] !== undefined && announced !== s.expectedSize) {
      res.resume();
      throw new AttemptError(`the server offers ${announced} bytes, expected ${s.expectedSize}`, false);
    }
    const hash = createHash('md5');
    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        // Without a Content-Length nothing else bounds the body: stop at the first byte too many.
        if (received > s.expectedSize) {
          done(new AttemptError(`the server sent more than the expected ${s.expectedSize} bytes`, false));
          return;
        }
        hash.update(chunk);
        bar?.update(received, s.expectedSize);
        try {
          s.onProgress?.({ url, receivedBytes: received, totalBytes: s.expectedSize, attempt: attemptNo });
        } catch (err) {
          // A bug in the caller's callback, not a network fault: retrying cannot help.
          done(new AttemptError(`options.onProgress threw: ${err instanceof Error ? err.message : String(err)}`, false));
          return;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(res, meter, fs.createWriteStream(tmp, { flags: 'wx' }));
    } catch (err) {
      if (err instanceof AttemptError && !err.retryable) throw err;
      const why = idle ? `the connection was idle for ${s.timeoutMs} ms` : (err as Error).message;
      throw new AttemptError(`the transfer broke after ${received} of ${s.expectedSize} bytes (${why})`, true);
    }
    if (received !== s.expectedSize) {
      throw new AttemptError(`the transfer ended after ${received} of ${s.expectedSize} bytes`, true);
    }
    const md5 = hash.digest('hex');
    if (md5 !== s.expectedMd5.toLowerCase()) {
      throw new AttemptError(`the downloaded file has MD5 ${md5}, expected ${s.expectedMd5.toLowerCase()}; it was deleted`, false);
    }
    const handle = await fsp.open(tmp, 'r+');
    try {
      await handle.sync(); // the rename below must never publish bytes still in the page cache only
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, dest);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

/**
 * Downloads `url` to `dest`. Bytes go to a temporary file beside `dest`, which is renamed into place
 * only when its size and MD5 match, so `dest` is either absent or complete and verified. Transient
 * failures are retried with exponential back-off; the final error carries `hint`.
 * @param fn the public function name, for messages.
 */
export async function downloadVerified(fn: string, url: string, dest: string, s: DownloadSettings): Promise<void> {
  const bar = s.progressBar ? new ProgressBar(`downloading ${url.split('/').pop() ?? url}`) : undefined;
  let last: unknown;
  let tries = 0;
  try {
    for (let i = 0; i <= s.retries; i++) {
      tries = i + 1;
      try {
        await attempt(url, dest, tries, s, bar);
        return;
      } catch (err) {
        last = err;
        // Raw socket errors (refused, reset, DNS) may be transient; AttemptErrors know.
        const retryable = err instanceof AttemptError ? err.retryable : true;
        if (!retryable) break;
        if (i < s.retries) await sleep(s.retryDelayMs * 2 ** i);
      }
    }
  } finally {
    bar?.finish();
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new Error(`${fn}: could not download ${url} (${tries} ${tries === 1 ? 'attempt' : 'attempts'}): ${why}. ${s.hint}`, { cause: last });
}
