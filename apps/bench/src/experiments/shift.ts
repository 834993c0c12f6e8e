import { accuracyClaim, CHAPTER_EPOCHS, shiftStdClaim } from '../claims/claims';
import { cnnSpec } from './chapterModels';
import { IMAGE_ID_OPTION, runShiftProtocol, SHIFT_COLUMNS, type ShiftRecord } from './shiftProtocol';
import { trainingSection } from './training';
import type { Experiment } from './types';

const TITLE = 'Shift: plain vs anti-aliased CNN';

/** Section 14.1.1–14.1.3 and exercise 1: the small CNN with max pooling against max-blur pooling. */
export const shift: Experiment<ShiftRecord> = {
  key: 'shift',
  command: 'shift',
  title: TITLE,
  summary: 'plain vs anti-aliased CNN on random 24x24 crops; shift figures and exercise 1',
  trains: true,
  options: [IMAGE_ID_OPTION],
  models: () => [cnnSpec('max', 'plain', 'plain CNN (max pooling)', true), cnnSpec('maxblur', 'aa', 'anti-aliased CNN (max-blur pooling)', true)],
  run: (ctx) =>
    runShiftProtocol(ctx, {
      key: 'shift',
      title: TITLE,
      description:
        'The chapter trains its small CNN with max pooling and with anti-aliased max-blur pooling on random 24×24 crops and tests on the ' +
        "centre crop. Exercise 1: every test image is cut into its 64 24×24 crops; a shift-stable model keeps the correct-class probability " +
        "steady (low median std), predicts the centre crop's class on every crop (agreement) and stays accurate over all shifts.",
      specs: shift.models(),
      grids: true,
    }),
  claims: (r) => {
    const plain = r.models.find((m) => m.key === 'plain')?.runs ?? [];
    const aa = r.models.find((m) => m.key === 'aa')?.runs ?? [];
    const adequate = r.plan.epochs >= CHAPTER_EPOCHS;
    return [
      shiftStdClaim({
        id: 'aa-lowers-shift-std',
        finding: 'anti-aliased pooling steadies predictions under shifts',
        statement: "Anti-aliased pooling makes the CNN's prediction steadier under shifts: a lower per-image std of P(correct class) over the 64 crops (exercise 1).",
        experiment: 'shift',
        better: aa,
        worse: plain,
        adequate,
      }),
      accuracyClaim({
        id: 'aa-raises-accuracy',
        finding: 'anti-aliased pooling raises accuracy',
        statement: 'The anti-aliased CNN is more accurate than the plain CNN on the test set (section 14.1.3).',
        experiment: 'shift',
        better: aa,
        worse: plain,
        adequate,
      }),
    ];
  },
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'shift'), SHIFT_COLUMNS),
};
