/** The two CNNs of section 14.1: `plain` (max pooling) and `aa` (anti-aliased max-blur pooling), as aa-bench names them. */
export const CHAPTER_CNN_KEYS = ['plain', 'aa'] as const;

/** Which of the chapter's CNNs: `'plain'` (max pooling) or `'aa'` (max-blur pooling). */
export type ChapterCnnKey = (typeof CHAPTER_CNN_KEYS)[number];

/** The `pooling` of `@aa/blur`'s `chapterCnn` each model was built with. */
export const CHAPTER_CNN_POOLING: Readonly<Record<ChapterCnnKey, 'max' | 'maxblur'>> = { plain: 'max', aa: 'maxblur' };

/** CIFAR-10's class names, in label order (the models' logit order). */
export const CIFAR10_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** The file names of one model's folder. */
export const MODEL_FILES = { model: 'model.json', weights: 'weights.bin', metadata: 'metadata.json' } as const;
