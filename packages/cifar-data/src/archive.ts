import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import * as tar from 'tar';
import type { DatasetSpec } from './formats';
import { MAX_NAMES_BYTES, expectedFileSize, memberFiles } from './formats';

/**
 * Why a member name is unsafe, or undefined if it is a plain relative path. An official archive never
 * has such names; refusing the whole archive is safer than guessing what its author meant.
 */
export function unsafeMemberReason(name: string): string | undefined {
  if (name.includes('\0')) return 'contains a NUL byte';
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return 'is an absolute path';
  if (slashed.split('/').includes('..')) return "climbs out of the target folder with '..'";
  return undefined;
}

/** Strips `./` prefixes and trailing slashes so `./cifar-10-batches-bin/x.bin` matches its spec name. */
function normaliseMemberName(name: string): string {
  let n = name.replace(/\\/g, '/');
  while (n.startsWith('./')) n = n.slice(2);
  return n.replace(/\/+$/, '');
}

const REGULAR_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * Reads the expected members of a CIFAR archive (`.tar.gz` or plain `.tar`) into memory. Only the
 * members named by `spec` are read; everything else is skipped unread, and nothing is ever written to
 * disk here, so no member name can reach a path outside a target folder. An archive that contains an
 * absolute or `..` member name, a link or device where a batch file should be, a member of the wrong
 * size, a duplicate, or that is truncated or not a tar at all, is rejected with an error naming it.
 * @returns file name inside the dataset folder -> bytes.
 */
export async function readArchiveMembers(fn: string, spec: DatasetSpec, archivePath: string): Promise<Map<string, Uint8Array>> {
  const wanted = new Map(memberFiles(spec).map((f) => [`${spec.folder}/${f}`, f]));
  const found = new Map<string, Uint8Array>();
  const where = `archive ${archivePath}`;
  // Gunzip with Node's zlib stream rather than tar's built-in one: it inflates on the libuv thread pool
  // in 1 MB chunks, about twice as fast here. Its output is capped so a gzip bomb cannot exhaust memory.
  const gzipped = await isGzip(archivePath).catch(() => false);
  const limit = memberFiles(spec).reduce((n, f) => n + (expectedFileSize(spec, f) ?? MAX_NAMES_BYTES), 0) + (64 << 20);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const gunzip = gzipped ? zlib.createGunzip({ chunkSize: 1 << 20 }) : undefined;
    const input = fs.createReadStream(archivePath, { highWaterMark: 4 << 20 });
    // The wanted member being read, so that an archive ending inside it is reported by member name.
    let current: { name: string; size: number; filled: () => number } | undefined;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      if (err === undefined) resolve();
      else {
        if (current !== undefined) {
          err = new Error(`member '${current.name}' is cut short at ${current.filled()} of ${current.size} bytes (${err.message})`, { cause: err });
        } else if (/checksum failure|Unrecognized archive format/.test(err.message)) {
          err = new Error(`it is not a tar or tar.gz archive (${err.message})`, { cause: err });
        }
        input.destroy();
        gunzip?.destroy();
        reject(err);
      }
    };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const refuse = (why: string): void => {
          entry.resume();
          parser.abort(new Error(why));
        };
        const reason = unsafeMemberReason(entry.path);
        if (reason !== undefined) return refuse(`member '${entry.path}' ${reason}; refusing the archive`);
        const name = normaliseMemberName(entry.path);
        const file = wanted.get(name);
        if (file === undefined) return void entry.resume();
        if (!REGULAR_FILE_TYPES.has(entry.type)) return refuse(`member '${name}' is a ${entry.type}, expected a regular file`);
        if (found.has(file)) return refuse(`member '${name}' appears twice`);
        const size = expectedFileSize(spec, file);
        if (size !== undefined && entry.size !== size) {
          return refuse(`member '${name}' has ${entry.size} bytes, expected ${size}; the archive is not the official ${spec.title} binary version`);
        }
        if (size === undefined && entry.size > MAX_NAMES_BYTES) return refuse(`member '${name}' has ${entry.size} bytes, too large for a list of class names`);
        const bytes = Buffer.allocUnsafe(entry.size);
        let filled = 0;
        current = { name, size: entry.size, filled: () => filled };
        entry.on('data', (chunk: Buffer) => {
          if (filled + chunk.length > bytes.length) return refuse(`member '${name}' holds more bytes than its header says`);
          chunk.copy(bytes, filled);
          filled += chunk.length;
        });
        entry.on('end', () => {
          current = undefined;
          if (filled !== bytes.length) return refuse(`member '${name}' is truncated: ${filled} of ${bytes.length} bytes`);
          found.set(file, bytes);
        });
      },
    });
    parser.on('error', (err: Error) => finish(err));
    input.on('error', (err: Error) => finish(err));
    parser.on('end', () => finish());
    if (gunzip === undefined) {
      input.pipe(parser as unknown as NodeJS.WritableStream);
    } else {
      let inflated = 0;
      gunzip.on('error', (err: Error) => finish(new Error(`gunzip failed: ${err.message}`)));
      gunzip.on('data', (chunk: Buffer) => {
        inflated += chunk.length;
        if (inflated > limit) finish(new Error(`it inflates to more than ${limit} bytes, far more than ${spec.title} needs`));
      });
      input.pipe(gunzip).pipe(parser as unknown as NodeJS.WritableStream);
    }
  }).catch((err: unknown) => {
    const msg = err instanceof Error ? err.message.replace(/^TAR_[A-Z_]+: /, '') : String(err);
    throw new Error(`${fn}: cannot read ${where}: ${msg}.`, { cause: err });
  });
  const missing = [...wanted].filter(([, f]) => !found.has(f)).map(([n]) => n);
  if (missing.length > 0) {
    throw new Error(
      `${fn}: ${where} lacks ${missing.join(', ')}; expected the ${spec.title} binary version (${spec.archiveName}, members under ${spec.folder}/), ` +
        `not the python or matlab version.`,
    );
  }
  return found;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}
