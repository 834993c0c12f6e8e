import { expectClose } from './helpers';

describe('expectClose (the comparison every golden-value test uses)', () => {
  it('accepts values within tolerance and rejects larger errors, NaN and infinities', () => {
    expect(() => expectClose([1, 2.00001], [1, 2])).not.toThrow();
    expect(() => expectClose([1, 2.01], [1, 2])).toThrow(/mismatch at 1/);
    expect(() => expectClose([Number.NaN, 2], [1, 2])).toThrow(/mismatch at 0: got NaN/);
    expect(() => expectClose([1, Number.POSITIVE_INFINITY], [1, 2])).toThrow(/mismatch at 1: got Infinity/);
    expect(() => expectClose([1], [1, 2])).toThrow();
  });
});
