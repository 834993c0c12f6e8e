/**
 * The golden values of the packages' Node tests (PyTorch, float64), imported from their test/fixtures/ so the browser
 * checks the very same numbers; the bundler inlines them into the test page.
 */
export { default as blurCases } from '../../../packages/blur/test/fixtures/blur.json';
export { default as blurGradCases } from '../../../packages/blur/test/fixtures/blurGrad.json';
export { default as maxBlurPoolCases } from '../../../packages/blur/test/fixtures/maxBlurPool2d.json';
export { default as chapterCnnFixture } from '../../../packages/blur/test/fixtures/chapterCnn.json';
export { default as residualBlockFixture } from '../../../packages/rezero/test/fixtures/residualBlock.json';
export { default as mixupFixture } from '../../../packages/mixup/test/fixtures/mixup.json';
export { default as trainLoopFixture } from '../../../packages/train-loop/test/fixtures/reference.json';
