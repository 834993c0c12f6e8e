import { accessSync, constants, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Kernel file systems where files cannot be made (Node's recursive mkdir loops forever on procfs). */
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev'];

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/**
 * Makes `dir` (and its missing parents) for a run's output, or fails fast with an error naming the option: never
 * inside /proc, /sys or /dev, never over a file, and only where the nearest existing folder is writable.
 */
export function ensureOutputDir(dir: string, option = '--out'): string {
  const target = resolve(dir);
  let existing = target;
  const missing: string[] = [];
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const real = realpathSync(existing);
  if (VIRTUAL_ROOTS.some((root) => under(real, root) || under(target, root))) {
    throw new Error(`${option} must be a folder on a real file system, got '${dir}' (under ${VIRTUAL_ROOTS.join(', ')} nothing can be written).`);
  }
  if (!statSync(existing).isDirectory()) throw new Error(`${option} must be a folder, got '${dir}': '${existing}' is a file.`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new Error(`${option} must be a writable folder, got '${dir}': '${existing}' is not writable.`);
  }
  for (const d of missing) mkdirSync(d); // one level at a time: no recursion to loop
  return target;
}

/** The folders a run writes under its output folder. */
export function runPaths(out: string): { runs: string; checkpoints: string; models: string } {
  return { runs: join(out, 'runs'), checkpoints: join(out, 'checkpoints'), models: join(out, 'models') };
}
