import { DateTime } from 'luxon';
import { parseWhen } from '../chinese-dates';
import type { BuyingState } from '../lead';
import {
  AFTER_NEGATION,
  ALREADY_HAD,
  CANNOT_DECIDE,
  CLAUSE_BREAK,
  CUES,
  type Cue,
  DECIDE_WORDS,
  NEGATORS,
  SELF_MADE,
  UNDECIDED_NEGATORS,
  type SignalKind,
} from './lexicon';

/** What the reader found in a customer's words: which signal, the words that triggered it, how sure, and a date. */
export interface Signal {
  signal: SignalKind;
  /** The customer's words that triggered it, as they wrote them (a clause at most). */
  cue: string;
  /** 0–1: how sure this cue is on its own. */
  weight: number;
  /** For decision_timing: the date they will decide by (yyyy-mm-dd, business time zone). */
  date?: string;
}

/** Splits Chinese text into words (a maintained segmenter, e.g. jieba; src/text/segmenter.ts). */
export type Segmenter = (text: string) => string[];

/** Reads a customer's message (an archive record, or the note of a logged call) into signals. The port a model-backed reader can replace. */
export interface CustomerTextReader {
  read(text: string, now: number, timeZone: string): Signal[];
}

/** Full-width to ASCII, lower case, emoji and zero-width marks to spaces, runs of spaces to one. */
export function normalizeCustomerText(text: string): string {
  return text
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/[\u4e00-\u9fff]/g, (c) => TRADITIONAL[c] ?? c)
    .replace(/\p{Extended_Pictographic}|\u200D|\uFE0F/gu, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Between a negator and the cue, these words mean the negation is about something else (「不知道价格多少」). */
const NEGATION_BREAKERS = new Set(['知道', '清楚', '太清楚', '懂', '太懂', '晓得', '明白', '了解', '会', '能']);
const NEGATOR_SET = new Set(NEGATORS);
const UNDECIDED_NEGATOR_SET = new Set(UNDECIDED_NEGATORS);

/** Traditional characters customers on Taiwanese or Hong Kong keyboards send, for the words the lexicon reads. */
const TRADITIONAL: Record<string, string> = Object.fromEntries(
  [...'費价價錢報們別還沒預決較為個這麼來發給單規劃調資料採購選擇確廠較產貨場'].map((c, i) => [
    c,
    [...'费价价钱报们别还没预决较为个这么来发给单规划调资料采购选择确厂较产货场'][i] ?? c,
  ]),
);
/** How many words before a cue a negator reaches. */
const NEGATION_REACH = 3;

/**
 * A proposal asked for with a count and the thing named elsewhere in the message (「别家出了方案，你们也发一份」), or a
 * sending verb with the thing in the same clause (「发个demo视频和方案」, 「发我看看」 after 「有案例吗」 is not enough).
 */
const SEND_COUNTED = /(发|给|来|出|整|准备|提供|做|传)(?![了过的])(我们|我)?(一份|一个|一套|个|份|套|几个|几张|几份)(?!了)/u;
const SEND_THING =
  /(发|给|来|出|整|准备|提供|做|传)(?![了过的])(我们|我)?(一下|下)?(?=.{0,8}?(方案|报价|资料|建议书|材料|ppt|手册|白皮书|案例|产品介绍|功能介绍|说明|清单))|(发|传|提供)(几个|一些|些|点)?给?(我|我们|过来)(?!们?了)/u;
/** 「别家都给了方案，你们什么时候给」: when will you send it, the thing named elsewhere in the message. */
const WHEN_SENT = /(你们|你)的?(什么时候|啥时候|何时|哪天)(能|可以)?(给|发|出)(?!了|过)/u;
const DOCUMENT_WORDS = /方案|报价|资料|建议书|材料|ppt|手册|白皮书|案例|产品介绍|功能介绍|说明|清单|文档/u;
/** 「把价格和方案都发一下」, 「有资料可以先发我看看」: the thing first, the sending after. */
const THING_THEN_SEND =
  /(方案|建议书|报价单?|价目表|价格表|资料|材料|手册|彩页|ppt|案例|白皮书|说明书?|清单|介绍|文档|视频(?!会议|通话|号|会|电话)|计划书)[^，。,.!?！？;；\s]{0,8}?((发|给|传)(我|过来|来(?!的)|一下|给我|到|下|一次|一份|他|她|同事|领导|老板)|(你们|你)?(准备|整理|提供|分享)(一下|下))(?!了|们了)/u;

/** 「用不用」, 「买不买」: the A-不-A question. */
const A_NOT_A = /^(\p{Script=Han})不\1/u;
/** Thanks for what was sent (「感谢发来的资料」, 「谢谢你的方案」): the document has come, nothing is asked. */
const THANKED = /(感谢|谢谢|多谢)[^，。]{0,4}$/u;
/** 「如果需要方案我再联系你」: a request that may come later, not one made now. */
const HYPOTHETICAL = /(如果|要是|假如|万一|到时候?)[^，。]{0,3}$/u;
/** 「你们出方案一般要多久」: a question about how it is done, not a request. */
const HOW_LONG = /^.{0,4}?(一般|通常)?(要|需要)?(多久|多长时间)/u;
/** Whether a proposal cue at `index` (ending at `end`) is about something other than asking us for a document now. */
function notARequest(clause: string, index: number, end: number): boolean {
  const before = clause.slice(0, index + 2);
  return THANKED.test(before) || HYPOTHETICAL.test(clause.slice(0, index)) || HOW_LONG.test(clause.slice(end));
}

/**
 * The lexicon reader: cues per signal, read clause by clause (a clause ends at punctuation or at 但是 / 而是 / 不过, so
 * 「不是不想买，是预算还没批」 is read as two), on word boundaries from a Chinese segmenter, with negation scoped to
 * the few words before a cue (「我们没找别家」) or just after it (「价格不是问题」). Decision timing is a decide word
 * (定, 拍板, 给结论…) with a date phrase in the same clause, resolved in the business time zone. Pure, given the
 * segmenter.
 */
/**
 * How much of a customer's message is read: its first characters, in at most so many clauses of at most so many
 * characters each — a message is a few sentences, and no record (however long) costs more than a message's worth of
 * work. A signal's cue is the customer's words around the cue, at most `cue` characters.
 */
export const READ_LIMITS = { chars: 2000, clauses: 40, clauseChars: 200, cue: 60 } as const;

/** The customer's words around position `index` of `clause`, at most READ_LIMITS.cue characters. */
function cueAt(clause: string, index: number): string {
  if (clause.length <= READ_LIMITS.cue) return clause;
  const from = Math.max(0, Math.min(index - 20, clause.length - READ_LIMITS.cue));
  return clause.slice(from, from + READ_LIMITS.cue);
}

export class LexiconReader implements CustomerTextReader {
  private readonly cues: Cue[];

  constructor(
    private readonly segment: Segmenter,
    /** Competitors' names of this company (config `signals.competitors`), read as `competitors` signals. */
    opts: { competitors?: readonly string[] } = {},
  ) {
    const names = (opts.competitors ?? []).map((n) => normalizeCustomerText(n)).filter((n) => n.length >= 2);
    this.cues = [
      ...CUES,
      ...names.map((n) => ({ signal: 'competitors' as const, weight: 0.9, re: new RegExp(n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'u') })),
    ];
  }

  read(text: string, now: number, timeZone: string): Signal[] {
    const t = normalizeCustomerText(text.slice(0, READ_LIMITS.chars));
    if (!t) return [];
    const found = new Map<SignalKind, Signal>();
    const keep = (s: Signal) => {
      const prev = found.get(s.signal);
      if (!prev || s.weight > prev.weight) found.set(s.signal, s);
    };
    const today = DateTime.fromMillis(now, { zone: timeZone }).toISODate() ?? '';
    for (const clause of splitClauses(t).slice(0, READ_LIMITS.clauses)) {
      const words = this.segment(clause);
      const starts = new Set<number>();
      const ends = new Set<number>();
      const offsets: number[] = [];
      let pos = 0;
      for (const w of words) {
        const at = clause.indexOf(w, pos);
        offsets.push(at);
        starts.add(at);
        ends.add(at + w.length);
        pos = at + w.length;
      }
      let competitorAt = Number.POSITIVE_INFINITY;
      for (const c of this.cues) {
        const m = c.re.exec(clause);
        if (!m) continue;
        const end = m.index + m[0].length;
        if (c.word && !(starts.has(m.index) && ends.has(end))) continue;
        const negators = c.signal === 'undecided' ? UNDECIDED_NEGATOR_SET : NEGATOR_SET;
        // After an undecided cue, an A-不-A question (「没想好用不用」) is not a denial.
        const after = clause.slice(end);
        if (negatedBefore(words, offsets, m.index, negators) || (AFTER_NEGATION.test(after) && !(c.signal === 'undecided' && A_NOT_A.test(after)))) continue;
        if ((c.signal === 'price' || c.signal === 'proposal_request') && ALREADY_HAD.test(clause.slice(end))) continue;
        // 「别的公司也在给我们做方案」: another vendor's proposal, not a request to us.
        if (c.signal === 'proposal_request' && (competitorAt < m.index || selfMade(clause, m.index) || notARequest(clause, m.index, end))) continue;
        if (c.signal === 'competitors') competitorAt = Math.min(competitorAt, m.index);
        keep({ signal: c.signal, cue: cueAt(clause, m.index), weight: c.weight });
      }
      const counted = SEND_COUNTED.exec(clause) ?? WHEN_SENT.exec(clause);
      const sent = counted ?? SEND_THING.exec(clause) ?? THING_THEN_SEND.exec(clause);
      if (
        sent &&
        DOCUMENT_WORDS.test(counted ? t : clause) &&
        competitorAt > sent.index &&
        !selfMade(clause, sent.index) &&
        !notARequest(clause, sent.index, sent.index + sent[0].length) &&
        !negatedBefore(words, offsets, sent.index, NEGATOR_SET) &&
        !AFTER_NEGATION.test(clause.slice(sent.index + sent[0].length)) &&
        !ALREADY_HAD.test(clause.slice(sent.index + sent[0].length))
      )
        keep({ signal: 'proposal_request', cue: cueAt(clause, sent.index), weight: 0.85 });
      if (words.some((w) => DECIDE_WORDS.has(w)) && !CANNOT_DECIDE.test(clause)) {
        const when = parseWhen(clause, now, timeZone);
        if (when && when.date >= today) keep({ signal: 'decision_timing', cue: cueAt(clause, clause.indexOf(when.text)), weight: 0.8, date: when.date });
      }
    }
    // The thing and the sending can fall into two clauses of one message (「报价单 发我」).
    const whole = THING_THEN_SEND.exec(t);
    if (
      whole &&
      !found.has('proposal_request') &&
      !AFTER_NEGATION.test(t.slice(whole.index + whole[0].length)) &&
      !ALREADY_HAD.test(t.slice(whole.index + whole[0].length))
    )
      keep({ signal: 'proposal_request', cue: t.slice(0, 40), weight: 0.85 });
    return [...found.values()];
  }
}

/** Clauses: split at punctuation, contrast words and long pauses; spaces typed between Chinese words are dropped. */
function splitClauses(t: string): string[] {
  return t
    .split(CLAUSE_BREAK)
    .map((c) =>
      c
        .replace(/(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])/g, '')
        .trim()
        .slice(0, READ_LIMITS.clauseChars),
    )
    .filter(Boolean);
}

/** Whether the customer is the one making or sending the document (the subject 我 / 我们 before the verb). */
function selfMade(clause: string, index: number): boolean {
  const m = SELF_MADE.exec(clause);
  return !!m && m.index <= index + 2;
}

/** Whether a negator stands within reach before the word at `index` (and nothing between turns it elsewhere). */
function negatedBefore(words: string[], offsets: number[], index: number, negators: ReadonlySet<string>): boolean {
  let i = offsets.findIndex((o) => o >= index);
  if (i === -1) i = words.length;
  for (let k = i - 1; k >= Math.max(0, i - NEGATION_REACH); k--) {
    const w = words[k] as string;
    if (NEGATION_BREAKERS.has(w)) return false;
    if (negators.has(w)) return true;
  }
  return false;
}

/** The buying state signals point to: other vendors → benchmarking; not decided whether to buy → exploring; a price → price_check. */
export function stateOfSignals(signals: readonly Pick<Signal, 'signal'>[]): BuyingState | undefined {
  const has = (k: SignalKind) => signals.some((s) => s.signal === k);
  if (has('competitors')) return 'benchmarking';
  if (has('undecided')) return 'exploring';
  if (has('price')) return 'price_check';
  return undefined;
}
