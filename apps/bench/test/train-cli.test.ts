import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PNG } from 'pngjs';

const appDir = join(__dirname, '..');
const tsx = require.resolve('tsx/cli');
const run = (args: string[]) => spawnSync(process.execPath, [tsx, 'src/cli.ts', ...args], { cwd: appDir, encoding: 'utf8' });
const UNREACHABLE = 'http://127.0.0.1:9/cifar-10-binary.tar.gz';

describe('training experiments through the CLI (smoke sizes)', () => {
  const root = mkdtempSync(join(tmpdir(), 'aa-bench-train-'));
  const out = join(root, 'run');
  const cache = join(root, 'cache');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const tiny = ['--preset', 'smoke', '--train-size', '64', '--test-size', '16', '--batch-size', '32', '--cache-dir', cache, '--data-url', UNREACHABLE];

  it('shift: offline, falls back to the sample with one line, and writes results, CSV, SVG, PNG and the report', () => {
    const r = run(['--out', out, 'shift', ...tiny]);
    expect(r.status).toBe(0);
    expect(r.stderr.match(/running on the shipped sample/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/not available locally and could not be downloaded .*--data-dir DIR or --archive .*network/);
    for (const f of ['results.json', 'shift.csv', 'shift-accuracy.svg', 'shift-probability.svg', 'shift-grid-plain.png', 'shift-grid-aa.png', 'report.md', 'report.html']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.data).toMatchObject({ sample: true, trainSize: 64, testSize: 16, epochs: 1 });
    const shift = results.experiments.shift;
    expect(shift.models.map((m: { key: string }) => m.key)).toEqual(['plain', 'aa']);
    for (const m of shift.models) {
      expect(m.params).toBe(18010);
      expect(m.records).toHaveLength(1);
      expect(m.imageProbabilities).toHaveLength(64);
      expect(m.shift.images).toBe(16);
      expect(m.shift.agreement).toBeGreaterThan(0);
      expect(m.shift.agreement).toBeLessThanOrEqual(1);
      expect(m.shift.medianStd).toBeGreaterThanOrEqual(0);
    }
    const csv = readFileSync(join(out, 'shift.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('model,epoch,total time,train loss,test loss,train Accuracy,test Accuracy,epoch time,lr');
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['plain', 'aa']);
    const grid = PNG.sync.read(readFileSync(join(out, 'shift-grid-plain.png')));
    expect(grid.width).toBe(8 * 72 + 9 * 2);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<figure class="svg-figure"/g)).toHaveLength(2);
    expect(html.match(/src="data:image\/png;base64,/g)).toHaveLength(2);
    expect(html).toContain('Run on the sample');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\*\*Run on the sample\*\*[\s\S]*!\[test accuracy per epoch\]\(shift-accuracy\.svg\)/);
  });

  it('--resume continues from the last finished epoch', () => {
    const first = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).experiments.shift.models[0].records[0];
    const r = run(['--out', out, 'shift', ...tiny, '--epochs', '2', '--resume']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/shift\/plain: epoch 1\/2/);
    expect(r.stderr).toMatch(/shift\/plain: epoch 2\/2/);
    const records = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).experiments.shift.models[0].records;
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(first);
  });

  it('residual: a tiny run of the CNN, ResNet and ReZero ResNet', () => {
    const dir = join(root, 'residual');
    const r = run(['--out', dir, 'residual', '--sample', '--preset', 'smoke', '--train-size', '16', '--test-size', '8', '--batch-size', '16']);
    expect(r.status).toBe(0);
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).experiments.residual;
    expect(res.models.map((m: { key: string; params: number }) => [m.key, m.params])).toEqual([
      ['cnn', 18010],
      ['resnet', 1181194],
      ['rezero', 1181222],
    ]);
    for (const f of ['residual.csv', 'residual-accuracy.svg', 'residual-time.svg']) expect(existsSync(join(dir, f))).toBe(true);
  }, 600000);

  it('exercises --only 2 runs exercise 2 alone', () => {
    const dir = join(root, 'exercise2');
    const r = run(['--out', dir, 'exercises', '--only', '2', '--sample', '--preset', 'smoke', '--train-size', '16', '--test-size', '8', '--batch-size', '16']);
    expect(r.status).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(Object.keys(results.experiments)).toEqual(['exercise2']);
    expect(results.experiments.exercise2.models.map((m: { key: string; params: number }) => [m.key, m.params])).toEqual([
      ['strided', 18010],
      ['aa_strided', 18010],
      ['avg', 18010],
      ['blurpool', 18010],
    ]);
  }, 600000);

  it.each([
    [['exercises', '--only', '1,4'], /--only must be a comma-separated list of exercise numbers \(2, 3, 4, 5, 6\), got '1,4'/],
    [['shift', '--preset', 'huge'], /--preset must be one of chapter, quick, smoke, got 'huge'/],
    [['shift', '--epochs', '0'], /--epochs must be a positive integer, got '0'/],
    [['shift', '--train-size', '60000', '--sample'], /--train-size must be at most 50000/],
    [['shift', '--data-dir', '/nowhere', '--preset', 'smoke'], /nowhere/],
  ])('fails clearly on %p', (args, message) => {
    const r = run(['--out', join(root, 'bad'), ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/running on the shipped sample/);
  });
});
