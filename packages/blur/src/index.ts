export { binomialFilter, MAX_BINOMIAL_SIZE } from './binomial';
export { blur, type BlurOptions } from './blur';
export { maxBlurPool2d, type MaxBlurPoolOptions } from './maxBlurPool';
export { type BlurPadding } from './padding';
export { BlurPool, type BlurPoolArgs } from './layers/BlurPool';
export { MaxBlurPool2D, type MaxBlurPool2DArgs } from './layers/MaxBlurPool2D';
export { antiAliasedConv2d, type AntiAliasedConv2dOptions } from './antiAliasedConv2d';
export { chapterCnn, CNN_POOLINGS, type ChapterCnnOptions, type CnnPooling } from './models/chapterCnn';
