import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import type { Segmenter } from '../domain/signals/reader';

let jieba: Jieba | undefined;

/**
 * Chinese word segmentation with jieba (`@node-rs/jieba`, the Rust port, with its bundled dictionary): the reader's
 * word boundaries and negation scope. The dictionary loads once per process (about 250 ms), on first use.
 */
export const jiebaSegmenter: Segmenter = (text) => {
  jieba ??= Jieba.withDict(dict);
  return jieba.cut(text, false);
};
