import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const packageDir = path.resolve(__dirname, '..');
const dataDir = path.join(packageDir, 'data');

describe('the built package', () => {
  // Built into a fresh folder beside data/, as dist/ is, so the builds resolve data/ as an installed copy does.
  const out = fs.mkdtempSync(path.join(packageDir, '.build-test-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('finds data/ from both the CommonJS and the ES module build', () => {
    const tsup = require.resolve('tsup/dist/cli-default.js', { paths: [packageDir] });
    execFileSync(process.execPath, [tsup, 'src/index.ts', '--no-config', '--format', 'esm,cjs', '--shims', '--target', 'es2022', '--out-dir', out, '--silent'], {
      cwd: packageDir,
      stdio: 'pipe',
    });
    const print = 'const d = m.cifar10Subset; console.log(JSON.stringify([d.dir, d.counts, d.sha256["train_jpeg.bin"]]));';
    const cjs = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(path.join(out, 'index.js'))}); ${print}`], { encoding: 'utf8' });
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify('file://' + path.join(out, 'index.mjs'))}); ${print}`], {
      encoding: 'utf8',
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'manifest.json'), 'utf8')) as { sha256: Record<string, string> };
    const want = [dataDir, { train: 10000, test: 2500 }, manifest.sha256['train_jpeg.bin']];
    expect(JSON.parse(cjs)).toEqual(want);
    expect(JSON.parse(esm)).toEqual(want);
  });

  it('packs the data, manifest, README and LICENSE into a tarball of at most 15 MB', () => {
    const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [report] = JSON.parse(json) as { size: number; files: { path: string }[] }[];
    const files = report!.files.map((f) => f.path);
    for (const f of ['README.md', 'LICENSE', 'package.json', 'data/manifest.json', 'data/train_jpeg.bin', 'data/test_jpeg.bin', 'data/train_offsets.u32', 'data/test_labels.u8']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => !/^(dist|data)\/|^(README\.md|LICENSE|package\.json|CHANGELOG\.md)$/.test(f))).toEqual([]);
    expect(report!.size).toBeLessThanOrEqual(15_000_000);
  });
});
