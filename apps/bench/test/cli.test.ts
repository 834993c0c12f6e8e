import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const appDir = join(__dirname, '..');
const tsx = require.resolve('tsx/cli');
const run = (args: string[]) => spawnSync(process.execPath, [tsx, 'src/cli.ts', ...args], { cwd: appDir, encoding: 'utf8' });

describe('aa-bench CLI', () => {
  const out = mkdtempSync(join(tmpdir(), 'aa-bench-cli-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs the aliasing experiment and writes results, CSV, PNGs and both reports', () => {
    const r = run(['--out', out, 'aliasing', '--size', '128']);
    expect(r.stderr).toMatch(/backend: \w+/);
    expect(r.status).toBe(0);
    for (const f of ['results.json', 'aliasing.csv', 'aliasing-original.png', 'aliasing-maxpool.png', 'aliasing-antialiased.png', 'report.md', 'report.html']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.experiments.aliasing.size).toBe(128);
    expect(results.experiments.aliasing.error.antiAliased).toBeLessThan(results.experiments.aliasing.error.maxPool);
    const csv = readFileSync(join(out, 'aliasing.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('method,aliasing_error');
    expect(Number(csv[1]?.split(',')[1])).toBeCloseTo(results.experiments.aliasing.error.maxPool, 12);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/src="data:image\/png;base64,/g)).toHaveLength(3);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('![max pooling, 4x smaller](aliasing-maxpool.png)');
  });

  it('rebuilds the report from results.json alone', () => {
    rmSync(join(out, 'report.md'));
    execFileSync(process.execPath, [tsx, 'src/cli.ts', 'report', out], { cwd: appDir, stdio: 'pipe' });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('aliasing error (RMS)');
  });

  it.each([
    [['aliasing', '--factor', '0'], /--factor must be a positive integer, got '0'/],
    [['aliasing', '--factor', '1'], /--factor must be at least 2/],
    [['aliasing', '--size', '20'], /--size must be at least 8 x --factor/],
    [['--backend', 'gpu', 'aliasing'], /--backend must be one of auto, tensorflow-gpu, tensorflow, onednn, cpu, got 'gpu'/],
    [['--backend', 'tensorflow', '--out', join(tmpdir(), 'aa-never'), 'aliasing', '--size', '64'], /--backend tensorflow: @tensorflow\/tfjs-node: not installed/],
    [['report', join(tmpdir(), 'aa-bench-nowhere')], /cannot read .*results\.json/],
  ])('fails clearly on %p', (args, message) => {
    const r = run(args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
