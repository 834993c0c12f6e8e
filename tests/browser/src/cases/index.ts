import type { BrowserCase } from '../harness';
import { blurSuite } from './blur';
import { chapterModelsSuite } from './chapterModels';
import { controlSuite } from './control';
import { mixupSuite } from './mixup';
import { rezeroSuite } from './rezero';
import { trainingSuite } from './training';
import { trainLoopSuite } from './trainLoop';

/** Every browser check, in the order the page runs them. */
export const ALL_CASES: BrowserCase[] = [...blurSuite, ...rezeroSuite, ...mixupSuite, ...trainLoopSuite, ...trainingSuite, ...chapterModelsSuite, ...controlSuite];
