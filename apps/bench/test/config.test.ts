import { budgetMinutes, checkTrainOptions, explicitSizes, fixedSizes, PRESETS, presetChoice, type TrainCliOptions } from '../src/config';

const base: TrainCliOptions = { preset: 'auto', seed: 0, budget: 15 };

describe('presets and the options over them', () => {
  it('has the chapter, quick and smoke presets', () => {
    expect(PRESETS.chapter).toEqual({ trainSize: 50000, testSize: 10000, epochs: 30, batchSize: 128 });
    expect(PRESETS.quick).toEqual({ trainSize: 10000, testSize: 2500, epochs: 5, batchSize: 128 });
    expect(PRESETS.smoke.epochs).toBe(1);
    expect(PRESETS.smoke.trainSize).toBeLessThan(1000);
  });

  it("combines the user's sizes with the chapter's settings, not another preset's", () => {
    // The case a user hit: explicit sizes under the default preset trained at batch 64 (smoke's).
    expect(fixedSizes({ ...base, trainSize: 50000, testSize: 10000, epochs: 1 })).toEqual({ trainSize: 50000, testSize: 10000, epochs: 1, batchSize: 128, seeds: 1 });
    expect(fixedSizes({ ...base, preset: 'quick', seeds: 3 })).toEqual({ trainSize: 10000, testSize: 2500, epochs: 5, batchSize: 128, seeds: 3 });
    expect(explicitSizes(base)).toBe(false);
    expect(explicitSizes({ ...base, seeds: 2 })).toBe(true);
  });

  it.each([
    [{ trainSize: 60000 }, /--train-size must be at most 50000 \(CIFAR's training split\), got 60000/],
    [{ testSize: 20000 }, /--test-size must be at most 10000/],
    [{ dataDir: 'a', archive: 'b' }, /--data-dir and --archive name two sources/],
    [{ subset: true, archive: 'b' }, /--subset cannot be combined/],
  ])('rejects %p', (override, message) => {
    expect(() => checkTrainOptions({ ...base, ...override })).toThrow(message);
  });

  it('lists every preset, auto included, when one is unknown', () => {
    expect(presetChoice('quick')).toBe('quick');
    expect(() => presetChoice('huge')).toThrow("--preset must be one of auto, chapter, quick, smoke, got 'huge'.");
    expect(() => budgetMinutes('0')).toThrow("--budget must be a positive number of minutes, got '0'.");
  });
});
