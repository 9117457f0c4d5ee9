import { ceilReadable, duration, percent } from './format';

describe('duration', () => {
  it.each<[number, string]>([
    [0, '0 ms'],
    [1, '1 ms'],
    [850, '850 ms'],
    [850.4, '850 ms'],
    [999, '999 ms'],
    [1000, '1 s'],
    [1250, '1.3 s'],
    [45_250.4, '45.3 s'],
    [60_000, '60 s'],
    [60_001, '60 s'],
    [62_500, '62.5 s'],
    [119_900, '119.9 s'],
    [120_000, '2 min'],
    [192_000, '3.2 min'],
    [600_000, '10 min'],
    [600_001, '10 min'],
    [1_200_000, '20 min'],
    [3_600_000, '1 h'],
    [5_400_000, '1.5 h'],
    [7_199_000, '2 h'],
    [7_200_000, '2 h'],
    [9_000_000, '2.5 h'],
    [86_400_000, '24 h'],
  ])('%p ms reads "%s"', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('percent', () => {
  it.each<[number, string]>([
    [0, '0%'],
    [0.0004, '0%'],
    [0.001, '0.1%'],
    [0.125, '12.5%'],
    [0.24, '24%'],
    [1 / 3, '33.3%'],
    [0.49, '49%'],
    [0.5, '50%'],
    [0.51, '51%'],
    [2 / 3, '66.7%'],
    [0.999, '99.9%'],
    [0.9999, '100%'],
    [1, '100%'],
  ])('%p reads "%s"', (ratio, text) => {
    expect(percent(ratio)).toBe(text);
  });
});

describe('ceilReadable', () => {
  it.each<[number, number]>([
    [0.4, 1],
    [1, 1],
    [9.01, 10],
    [10, 10],
    [87.2, 88],
    [99, 99],
    [99.5, 100],
    [100, 100],
    [100.1, 110],
    [456, 460],
    [999.9, 1000],
    [1000, 1000],
    [1001, 1100],
    [1234.5, 1300],
    [12_345, 13_000],
    [599_999, 600_000],
    [600_001, 610_000],
  ])('%p ms rounds up to %p', (ms, readable) => {
    expect(ceilReadable(ms)).toBe(readable);
  });

  it('never rounds down, and keeps at most two significant figures', () => {
    for (let ms = 0.5; ms < 5_000_000; ms = ms * 1.013 + 0.37) {
      const r = ceilReadable(ms);
      expect(r).toBeGreaterThanOrEqual(ms);
      expect(Number.isInteger(r)).toBe(true);
      expect(String(r).replace(/0+$/, '').length).toBeLessThanOrEqual(2);
      // At most one step (10 % of the leading digit's place) above.
      expect(r - ms).toBeLessThan(Math.max(1, ms / 10));
    }
  });
});
