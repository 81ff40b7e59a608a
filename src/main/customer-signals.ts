import { CustomerSignals } from '../app/customer-signals';
import type { LeadRepository } from '../app/ports';
import { LexiconReader } from '../domain/signals/reader';
import { jiebaSegmenter } from '../text/segmenter';

/** The customer-text reader as composed for production: the lexicon reader on jieba's word boundaries. */
export function customerSignals(store: Pick<LeadRepository, 'addEntries'>, timeZone: string, competitors: readonly string[] = []): CustomerSignals {
  return new CustomerSignals({ store, reader: new LexiconReader(jiebaSegmenter, { competitors }), timeZone });
}
