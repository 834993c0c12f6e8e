import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DatasetSpec } from './formats';
import { MAX_NAMES_BYTES, expectedFileSize, memberFiles, recordBytes } from './formats';
import { pidAlive } from './lock';

/**
 * Finds the dataset folder given by the user: either the folder itself (holding `data_batch_1.bin`
 * etc.) or its parent (holding `cifar-10-batches-bin/`), as torchvision's `root` is.
 */
export async function resolveDataDir(fn: string, spec: DatasetSpec, dataDir: string): Promise<string> {
  const first = memberFiles(spec)[0]!;
  for (const candidate of [path.join(dataDir, spec.folder), dataDir]) {
    if (await exists(path.join(candidate, first))) return path.resolve(candidate);
  }
  throw new Error(
    `${fn}: dataDir ${dataDir} holds neither ${spec.folder}/${first} nor ${first}; pass the folder that ${spec.archiveName} unpacks to ` +
      `(${spec.folder}) or its parent.`,
  );
}

/** Reads every member of `spec` from an extracted folder, checking sizes before reading anything big. */
export async function readFolder(fn: string, spec: DatasetSpec, dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const file of memberFiles(spec)) {
    const full = path.join(dir, file);
    const expected = expectedFileSize(spec, file);
    const stat = await fs.stat(full).catch(() => undefined);
    const need = expected === undefined ? 'a list of class names' : `${expected} bytes`;
    if (stat === undefined || !stat.isFile()) throw new Error(`${fn}: folder ${dir} has no ${file} (expected ${need}).`);
    if (expected !== undefined && stat.size !== expected) {
      throw new Error(
        `${fn}: ${full} has ${stat.size} bytes, expected ${expected} (${expected / recordBytes(spec)} records of ${recordBytes(spec)} bytes); ` +
          `the file is truncated or is not a ${spec.title} binary batch.`,
      );
    }
    if (expected === undefined && stat.size > MAX_NAMES_BYTES) throw new Error(`${fn}: ${full} has ${stat.size} bytes, too large for a list of class names.`);
    files.set(file, await fs.readFile(full));
  }
  return files;
}

/** True when `dir` holds every member with the right size (a cheap check made before taking any lock). */
export async function isCompleteFolder(spec: DatasetSpec, dir: string): Promise<boolean> {
  for (const file of memberFiles(spec)) {
    const stat = await fs.stat(path.join(dir, file)).catch(() => undefined);
    if (stat === undefined || !stat.isFile()) return false;
    const expected = expectedFileSize(spec, file);
    if (expected !== undefined && stat.size !== expected) return false;
  }
  return true;
}

/**
 * Writes the members into `parent/<spec.folder>` so that the folder appears complete or not at all:
 * everything goes to a uniquely named sibling first (flushed to disk), which is then renamed into place.
 * If another process won the race the target already exists, and this copy is dropped.
 * Only names from `spec` are written, never names taken from an archive.
 */
export async function writeFolderAtomically(spec: DatasetSpec, parent: string, files: ReadonlyMap<string, Uint8Array>): Promise<string> {
  const target = path.join(parent, spec.folder);
  const tmp = path.join(parent, `.${spec.folder}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await fs.mkdir(tmp, { recursive: true });
  try {
    for (const file of memberFiles(spec)) {
      const bytes = files.get(file);
      if (bytes === undefined) throw new Error(`internal: ${file} missing when writing ${target}`);
      const handle = await fs.open(path.join(tmp, file), 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    try {
      await fs.rename(tmp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      await fs.rm(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return target;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes what an interrupted fill of the cache left in `root`: partial downloads
 * (`<archiveName>.<pid>.<hex>.part`, up to the archive's size each) and half-written folders
 * (`.<folder>.<pid>.<hex>.tmp`). A process killed mid-download (Ctrl-C) never reaches its own cleanup,
 * so without this every interruption would leave about 170 MB behind for good. Call it only while
 * holding the cache lock: such files are only made under the lock, so one whose process is gone (or
 * whose lock was broken as stale) belongs to nobody. Files of live processes on this host are kept.
 * @returns the names removed.
 */
export async function removeLeftovers(spec: DatasetSpec, root: string): Promise<string[]> {
  const patterns = [
    new RegExp(`^${escapeRegExp(spec.archiveName)}\\.(\\d+)\\.[0-9a-f]{8}\\.part$`),
    new RegExp(`^\\.${escapeRegExp(spec.folder)}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`),
  ];
  const removed: string[] = [];
  for (const name of await fs.readdir(root).catch(() => [] as string[])) {
    const pid = patterns.map((re) => re.exec(name)?.[1]).find((m) => m !== undefined);
    if (pid === undefined || Number(pid) === process.pid || pidAlive(Number(pid))) continue;
    await fs.rm(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** True if `p` exists. */
export async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}
