import { exerciseList, PRESETS, resolveTrainSettings, type TrainCliOptions } from '../src/config';

const base: TrainCliOptions = { preset: 'quick', seed: 0, imageId: 213 };

describe('presets and overrides', () => {
  it('has the chapter, quick and smoke presets', () => {
    expect(PRESETS.chapter).toEqual({ trainSize: 50000, testSize: 10000, epochs: 30, batchSize: 128 });
    expect(PRESETS.quick).toEqual({ trainSize: 10000, testSize: 2000, epochs: 5, batchSize: 128 });
    expect(PRESETS.smoke.epochs).toBe(1);
    expect(PRESETS.smoke.trainSize).toBeLessThan(1000);
  });

  it('applies overrides over the preset', () => {
    const s = resolveTrainSettings({ ...base, preset: 'chapter', epochs: 3, trainSize: 500 });
    expect(s).toMatchObject({ preset: 'chapter', epochs: 3, trainSize: 500, testSize: 10000, batchSize: 128, resume: false });
  });

  it.each([
    [{ trainSize: 60000 }, /--train-size must be at most 50000 \(CIFAR's training split\), got 60000/],
    [{ testSize: 20000 }, /--test-size must be at most 10000/],
    [{ imageId: 10000 }, /--image-id must be below 10000/],
    [{ dataDir: 'a', archive: 'b' }, /--data-dir and --archive name two sources/],
    [{ sample: true, archive: 'b' }, /--sample cannot be combined/],
    [{ preset: 'huge' as never }, /--preset must be one of chapter, quick, smoke, got 'huge'/],
  ])('rejects %p', (override, message) => {
    expect(() => resolveTrainSettings({ ...base, ...override })).toThrow(message);
  });
});

describe('exercises --only', () => {
  it('maps exercise numbers to their experiments, in the chapter order, without repeats', () => {
    expect(exerciseList('5,4')).toEqual(['exercise4', 'exercise5']);
    expect(exerciseList(' 2 ,6,2')).toEqual(['exercise2', 'exercise6']);
  });

  it.each(['1', '7', '4;5', '', 'four'])('rejects %p naming the allowed numbers', (value) => {
    expect(() => exerciseList(value)).toThrow(`--only must be a comma-separated list of exercise numbers (2, 3, 4, 5, 6), got '${value}'.`);
  });
});
