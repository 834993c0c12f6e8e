import { accuracyClaim, CHAPTER_EPOCHS, shiftStdClaim } from '../claims/claims';
import { cnnSpec } from './chapterModels';
import { IMAGE_ID_OPTION, runShiftProtocol, SHIFT_COLUMNS, type ShiftRecord } from './shiftProtocol';
import { trainingSection } from './training';
import type { Experiment } from './types';

const TITLE = 'Exercise 2: anti-aliased strided convolutions and blur pooling';

/** Exercise 2: strided convolutions and average pooling against their anti-aliased versions, in the shift protocol. */
export const exercise2: Experiment<ShiftRecord> = {
  key: 'exercise2',
  command: 'exercises',
  exercise: 2,
  title: TITLE,
  summary: 'strided vs anti-aliased strided convolutions, average vs blur pooling (shift protocol)',
  trains: true,
  options: [IMAGE_ID_OPTION],
  models: () => [
    cnnSpec('strided', 'strided', 'strided convolutions', true),
    cnnSpec('aastrided', 'aa_strided', 'anti-aliased strided convolutions', true),
    cnnSpec('avg', 'avg', 'average pooling', true),
    cnnSpec('blurpool', 'blurpool', 'blur pooling', true),
  ],
  run: (ctx) =>
    runShiftProtocol(ctx, {
      key: 'exercise2',
      title: TITLE,
      description:
        'Exercise 2: the same protocol with strided convolutions vs anti-aliased strided convolutions (convolution at stride 1, BN, ReLU, ' +
        'then a binomial blur at stride 2), and average pooling vs blur pooling. All four have 18,010 parameters.',
      specs: exercise2.models(),
      grids: false,
    }),
  claims: (r) => {
    const runs = (key: string) => r.models.find((m) => m.key === key)?.runs ?? [];
    const adequate = r.plan.epochs >= CHAPTER_EPOCHS;
    const pair = (better: string, worse: string, what: string) => [
      shiftStdClaim({ id: `ex2-${better}-lowers-shift-std`, finding: `${what.toLowerCase()} steady predictions under shifts (exercise 2)`, statement: `${what} make the CNN steadier under shifts than their plain version (exercise 2).`, experiment: 'exercise2', better: runs(better), worse: runs(worse), adequate }),
      accuracyClaim({ id: `ex2-${better}-raises-accuracy`, finding: `${what.toLowerCase()} raise accuracy (exercise 2)`, statement: `${what} make the CNN more accurate than their plain version (exercise 2).`, experiment: 'exercise2', better: runs(better), worse: runs(worse), adequate }),
    ];
    return [...pair('aa_strided', 'strided', 'Anti-aliased strided convolutions'), ...pair('blurpool', 'avg', 'Blur pooling (in place of average pooling)')];
  },
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'exercise2'), SHIFT_COLUMNS),
};
