/**
 * Under test/sanitizer/run.sh: the run really has AddressSanitizer loaded and the sanitizer build of
 * the addon (with its guard-page buffers). A misconfigured run fails here instead of silently testing
 * the normal build. Skipped in ordinary test runs.
 */
import * as fs from 'node:fs';

import { isAvailable, nativeAddon, unavailableReason } from '../../src/native';

const sanitizer = process.env.AA_SANITIZER === '1';

(sanitizer ? describe : describe.skip)('sanitizer run', () => {
  test('the AddressSanitizer runtime is mapped into this process', () => {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    expect(/libasan\.so/.test(maps)).toBe(true);
  });

  test('the addon loaded is the sanitizer build named by AA_ONEDNN_ADDON', () => {
    expect({ available: isAvailable(), reason: unavailableReason() }).toEqual({ available: true, reason: null });
    expect(process.env.AA_ONEDNN_ADDON).toMatch(/onednn\.node$/);
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    expect(maps.includes(fs.realpathSync(process.env.AA_ONEDNN_ADDON as string))).toBe(true);
    const guarded = nativeAddon().guardedFloat32Array;
    expect(typeof guarded).toBe('function');
    const a = (guarded as (n: number, end: boolean) => Float32Array)(5, true);
    expect(a.length).toBe(5);
  });
});
