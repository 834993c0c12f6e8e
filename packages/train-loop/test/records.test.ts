import type { EpochRecord } from '../src/records';
import { recordsToCsv, recordsToJson, recordsToRows } from '../src/records';

const records: EpochRecord[] = [
  { epoch: 0, totalTime: 1.5, epochTime: 1.5, lr: 0.001, trainLoss: 2.25, testLoss: 2, trainScores: { Accuracy: 0.25 }, testScores: { Accuracy: 0.375 } },
  { epoch: 1, totalTime: 3, epochTime: 1.5, lr: 0.0005, trainLoss: 1.125, testLoss: Number.NaN, trainScores: { Accuracy: null }, testScores: { Accuracy: 0.5 } },
];

describe('records export', () => {
  it('flattens to the book column names, in the book order', () => {
    const rows = recordsToRows(records);
    expect(Object.keys(rows[0] as object)).toEqual(['epoch', 'total time', 'train loss', 'test loss', 'train Accuracy', 'test Accuracy', 'epoch time', 'lr']);
    expect(rows[1]).toEqual({ epoch: 1, 'total time': 3, 'train loss': 1.125, 'test loss': Number.NaN, 'train Accuracy': null, 'test Accuracy': 0.5, 'epoch time': 1.5, lr: 0.0005 });
  });

  it('writes CSV with a header, empty fields for missing values and quoted names when needed', () => {
    expect(recordsToCsv(records)).toBe(
      'epoch,total time,train loss,test loss,train Accuracy,test Accuracy,epoch time,lr\n' + '0,1.5,2.25,2,0.25,0.375,1.5,0.001\n' + '1,3,1.125,NaN,,0.5,1.5,0.0005\n',
    );
    const odd: EpochRecord[] = [{ epoch: 0, totalTime: 1, epochTime: 1, lr: null, trainLoss: 1, testLoss: null, trainScores: { 'F1, "macro"': 0.5 }, testScores: {} }];
    expect(recordsToCsv(odd)).toBe('epoch,total time,train loss,"train F1, ""macro""",epoch time,lr\n0,1,1,0.5,1,\n');
    expect(recordsToCsv([])).toBe('');
  });

  it('writes JSON that parses back to the records (NaN as null)', () => {
    const parsed = JSON.parse(recordsToJson(records)) as EpochRecord[];
    expect(parsed[0]).toEqual(records[0]);
    expect(parsed[1]?.testLoss).toBeNull();
    expect(recordsToJson(records, 0)).not.toContain('\n');
  });

  it('rejects what is not a record list', () => {
    expect(() => recordsToCsv({} as never)).toThrow(/recordsToCsv: records must be an array of EpochRecord, got an object/);
    expect(() => recordsToJson([{ epoch: 0 }] as never)).toThrow(/recordsToJson: records\[0\] must be an EpochRecord/);
  });
});
