import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadChapterCnnMetadata, modelsDir } from '../src/node';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'import-bench-models.mjs');

/** An aa-bench output folder as `aa-bench --out <dir> shift` writes it, with the package's models as the trained ones. */
function benchOutput(settings: { trainSize: number; epochs: number; embedded: boolean }): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-bench-out-'));
  const run = (key: string, accuracy: number, medianStd: number) => ({
    key,
    seed: 3,
    params: 18010,
    finalAccuracy: accuracy,
    shift: { metrics: { medianStd, agreement: 0.8, accuracyAllShifts: accuracy - 0.02, consistency: 0.7, images: 10000 }, perImageStd: [] },
  });
  const results = {
    tool: 'aa-bench',
    format: 2,
    command: 'shift',
    environment: { node: 'v20', tfjs: '4.22.0', backend: 'onednn' },
    settings: { preset: settings.trainSize === 50000 ? 'chapter' : 'auto', trainSize: settings.trainSize, testSize: 10000, batchSize: 128, seed: 3, plans: { shift: { epochs: settings.epochs, seeds: [3] } } },
    data: { source: settings.embedded ? 'embedded CIFAR-10 subset (--subset)' : 'CIFAR-10 (cache)', embedded: settings.embedded, trainSize: settings.trainSize, testSize: 10000 },
    experiments: {
      shift: {
        plan: { epochs: settings.epochs, seeds: [3] },
        models: [
          { key: 'plain', label: 'plain CNN (max pooling)', runs: [run('plain', 0.781, 0.061)] },
          { key: 'aa', label: 'anti-aliased CNN (max-blur pooling)', runs: [run('aa', 0.802, 0.048)] },
        ],
      },
    },
    finishedAt: '2026-12-02T10:00:00.000Z',
  };
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results));
  for (const key of ['plain', 'aa']) {
    const dir = path.join(out, 'models', `shift-${key}-seed3`);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['model.json', 'weights.bin']) fs.copyFileSync(path.join(modelsDir(), key, f), path.join(dir, f));
  }
  fs.writeFileSync(path.join(out, 'shift-probability.svg'), '<svg/>');
  return out;
}

function importFrom(out: string, ...extra: string[]): { status: number | null; stdout: string; stderr: string; to: string } {
  const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aa-models-')), 'models');
  const r = spawnSync(process.execPath, [SCRIPT, out, '--to', to, ...extra], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, to };
}

describe('scripts/import-bench-models.mjs', () => {
  it("copies a chapter-protocol run's two models and writes metadata the loader accepts", async () => {
    const out = benchOutput({ trainSize: 50000, epochs: 30, embedded: false });
    const r = importFrom(out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('aa: anti-aliased CNN (max-blur pooling), test accuracy 80.20%, median shift std 0.0480');
    for (const key of ['plain', 'aa'] as const) {
      expect(fs.readFileSync(path.join(r.to, key, 'weights.bin'))).toEqual(fs.readFileSync(path.join(out, 'models', `shift-${key}-seed3`, 'weights.bin')));
      const m = await loadChapterCnnMetadata(key, { baseUrl: r.to });
      expect(m.training).toMatchObject({ protocol: 'chapter', trainImages: 50000, testImages: 10000, epochs: 30, batchSize: 128, seed: 3, data: 'CIFAR-10 (cache)', backend: 'onednn, tfjs 4.22.0' });
      expect(m.training.command).toBe(`node apps/bench/dist/cli.js --out ${path.basename(out)} shift --preset chapter --seed 3 --backend onednn`);
      expect(m.note).toBeUndefined();
    }
    const aa = await loadChapterCnnMetadata('aa', { baseUrl: r.to });
    expect(aa.results).toEqual({ testAccuracy: 0.802, shift: { medianStd: 0.048, agreement: 0.8, accuracyAllShifts: 0.782, images: 10000 } });
    expect(fs.readFileSync(path.join(r.to, '..', 'figures', 'shift-probability.svg'), 'utf8')).toBe('<svg/>');
  });

  it('marks a reduced run (subset, few epochs) in protocol and note, and takes the command as given', async () => {
    const out = benchOutput({ trainSize: 10000, epochs: 5, embedded: true });
    const r = importFrom(out, '--command', 'pnpm bench shift --subset --preset quick');
    expect(r.status).toBe(0);
    const m = await loadChapterCnnMetadata('plain', { baseUrl: r.to });
    expect(m.training.protocol).toBe('reduced');
    expect(m.training.command).toBe('pnpm bench shift --subset --preset quick');
    expect(m.note).toBe(
      "Not the chapter's protocol (10,000 training images × 5 epochs, embedded subset; the chapter trains on 50,000 × 30 epochs): a stand-in until models trained at the chapter's protocol are imported.",
    );
  });

  it('refuses a folder without the shift run or its model files, saying what is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-bench-out-'));
    expect(importFrom(empty).stderr).toMatch(/^import-bench-models: .*results\.json is missing: is this the --out folder of an aa-bench run\?/);
    const out = benchOutput({ trainSize: 50000, epochs: 30, embedded: false });
    fs.rmSync(path.join(out, 'models', 'shift-aa-seed3', 'weights.bin'));
    const r = importFrom(out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path.join(out, 'models', 'shift-aa-seed3', 'weights.bin')} is missing`);
  });
});
