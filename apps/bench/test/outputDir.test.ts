import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureOutputDir } from '../src/outputDir';

describe('ensureOutputDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'aa-out-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('makes missing parents', () => {
    const dir = ensureOutputDir(join(root, 'a', 'b', 'c'));
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('fails fast under /proc instead of looping', () => {
    const started = Date.now();
    expect(() => ensureOutputDir('/proc/x/y')).toThrow("--out must be a folder on a real file system, got '/proc/x/y'");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a path through a file', () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => ensureOutputDir(join(file, 'sub'), '--out')).toThrow(/--out must be a folder, got .*is a file/);
  });
});
