/**
 * @aa/bench as a library: the models, experiments, data resolution and figure helpers the `aa-bench` CLI is
 * made of, for scripts that want one piece (e.g. the chapter's CNNs, or the shift measurements).
 */
export { selectBackend, describeBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from './backend';
export { PRESETS, PRESET_NAMES, resolveTrainSettings, type PresetName, type TrainCliOptions, type TrainSettings } from './config';
export { resolveCifar10, subset, fallbackMessage, type BenchData, type DataRequest } from './data';
export {
  chapterCnn,
  chapterResnet,
  bottleneckResnet,
  denseResidualNet,
  segmentedResnet,
  blurDownsample,
  CNN_POOLINGS,
  type ChapterCnnOptions,
  type ChapterResnetOptions,
  type CnnPooling,
  type Exercise3Options,
} from './models';
export { countTrainableParams } from '@aa/rezero';
export { trainModel, CROP_TRAIN, CROP_TEST, type ModelSpec, type TrainedModel, type TrainRunSettings } from './experiments/training';
export { runShift, shiftMetrics, shiftModels, CENTRE_CROP, type ShiftMetrics, type ShiftResult, type ShiftModelResult } from './experiments/shift';
export { runComparison, residualModels, mixupModels, type ComparedModel } from './experiments/compare';
export { runAliasing, type AliasingOptions, type AliasingResult } from './experiments/aliasing';
export { betaDensity, betaCurves } from './experiments/beta';
export { lineChart, niceTicks, type LineChartOptions, type Series } from './report/svg';
export { cropGrid } from './report/grid';
export { encodePng, type FloatImage } from './report/png';
export { measureThroughput, estimateSeconds, choosePreset, type Throughput } from './estimate';
