import * as tf from '@tensorflow/tfjs';

import { describeBackend, selectBackend } from '../src/backend';

// CI installs oneDNN (libdnnl-dev) before `pnpm install`, so there the addon must have been built.
const onednnRequired = process.env.CI === 'true' || process.env.CI === '1';

describe('backend selection', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('auto skips tfjs-node(-gpu) when not installed, saying so, and takes onednn when its addon is built', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const onednn = require('@aa/backend-onednn') as { isAvailable(): boolean; unavailableReason(): string | null };
    const info = await selectBackend('auto');
    expect(info.skipped).toEqual(
      expect.arrayContaining([expect.stringMatching(/@tensorflow\/tfjs-node-gpu: not installed/), expect.stringMatching(/@tensorflow\/tfjs-node: not installed/)]),
    );
    if (onednn.isAvailable() || onednnRequired) {
      expect(onednn.unavailableReason()).toBeFalsy();
      expect(info).toMatchObject({ name: 'onednn', provider: '@aa/backend-onednn' });
      expect(tf.getBackend()).toBe('onednn');
    } else {
      expect(info).toMatchObject({ name: 'cpu' });
      expect(info.skipped).toEqual(expect.arrayContaining([expect.stringMatching(/@aa\/backend-onednn: its native addon is unavailable/)]));
      expect(describeBackend(info).join('\n')).toMatch(/libdnnl-dev/);
    }
  });

  it('cpu is always there, and a named backend that cannot load is an error naming it', async () => {
    expect(await selectBackend('cpu')).toMatchObject({ name: 'cpu', provider: '@tensorflow/tfjs' });
    expect(tf.getBackend()).toBe('cpu');
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(/--backend tensorflow-gpu: @tensorflow\/tfjs-node-gpu: not installed/);
  });
});
