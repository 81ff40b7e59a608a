import type { BuyingState, SourceChannel } from './lead';
import { parseWhen, type ParsedWhen } from './chinese-dates';
import { normalize, normalizeDurations, rephrase } from './rephrase';

export { normalize, normalizeDurations };

/** What a rep can say to the bot (in Chinese, with English aliases). */
export type RepCommand =
  | { cmd: 'help' }
  | { cmd: 'today' }
  | { cmd: 'position'; target: string; state: BuyingState }
  | { cmd: 'call'; target: string; minutes?: number; outcome: 'talked' | 'no_answer'; note?: string; decision?: ParsedWhen }
  | { cmd: 'proposal'; target: string; note?: string }
  | { cmd: 'meeting'; target: string; when?: ParsedWhen; note?: string }
  | { cmd: 'group'; target: string }
  | { cmd: 'snooze'; target: string; days: number }
  | { cmd: 'won'; target: string; reason?: string }
  | { cmd: 'lost'; target: string; reason?: string }
  | { cmd: 'reopen'; target: string }
  | { cmd: 'lead'; name: string; source: SourceChannel; note?: string }
  | { cmd: 'merge'; target: string; into: string }
  | { cmd: 'unknown'; text: string; hint?: string }
  | { cmd: 'too_long'; length: number };

/**
 * The longest message read as a command, in characters: a command is a line (「电话 王总 20分钟 预算50万 下周五定」), a
 * call note a few sentences. Longer text is answered without being read, so no message costs a worker more than a
 * command's worth of work.
 */
export const MAX_COMMAND_CHARS = 300;

const VERBS: [RepCommand['cmd'], string[]][] = [
  ['help', ['帮助', '帮忙', 'help', '?', '？', '菜单', '怎么用', '用法', '说明']],
  ['today', ['今日', '今天', 'today', '列表', 'list']],
  ['position', ['定位', 'position', 'pos']],
  ['call', ['电话', '打电话', '通话', 'call']],
  ['proposal', ['要方案', '要建议书', '要报价', 'proposal']],
  ['meeting', ['会议', '约会议', '开会', 'meeting', 'meet']],
  ['group', ['建群', '拉群', '建个群', '拉个群', 'group']],
  ['snooze', ['暂停', '暂停提醒', '稍后', 'snooze']],
  ['won', ['赢单', '成交', 'won', 'win']],
  ['lost', ['输单', '丢单', 'lost', 'lose']],
  ['reopen', ['重开', '重新跟进', '重新打开', 'reopen']],
  ['lead', ['线索', '新线索', 'lead']],
  ['merge', ['合并', 'merge']],
];

/** Words for each buying state, in the order they are tried: having seen other vendors outranks asking a price. */
const STATES: [BuyingState, string[]][] = [
  [
    'benchmarking',
    [
      '陪跑',
      '对比',
      '特色',
      '接触过',
      '接触了',
      '比较几家',
      '货比三家',
      '几家',
      '别家',
      '友商',
      '招标',
      '投标',
      '竞品',
      '两家',
      '三家',
      '多家',
      '其他家',
      '别的厂家',
      '厂商',
      '供应商',
      '选型',
      '厂家',
      '两三个',
      '几个厂',
      'bench',
      'benchmarking',
    ],
  ],
  [
    'price_check',
    [
      '比价',
      '问价',
      '询价',
      '报价',
      '价格',
      '便宜',
      '比个价',
      '问个价',
      '问问价',
      '问下价',
      '问一下价',
      '报个价',
      '比比价',
      '比一下价',
      '低价',
      '价钱',
      '多少钱',
      'price',
    ],
  ],
  [
    'exploring',
    [
      '观望',
      '看看',
      '不确定',
      '看方案',
      '没想好',
      '还没定要不要',
      '了解一下',
      '先了解',
      '明年再',
      '再看看',
      '以后再说',
      '没需求',
      '不着急',
      '不急',
      '明年才',
      '才有预算',
      '考虑',
      '随便问问',
      '没预算',
      '预算还没',
      '没立项',
      '未立项',
      '没决定',
      '要不要',
      'explore',
      'exploring',
    ],
  ],
];

/** The word a rep types for a buying state in 定位 (each state's first word in STATES: 陪跑, 比价, 观望). */
export const stateWord = (state: BuyingState): string => STATES.find(([s]) => s === state)?.[1][0] ?? '';

const SOURCES: [SourceChannel, string[]][] = [
  ['phone', ['电话单', '电话', 'phone']],
  ['inquiry', ['询价单', '询价', 'inquiry']],
  ['web', ['网单', '网站', '官网', 'web']],
  ['store', ['门店单', '门店', 'store']],
  ['marketing', ['市场部', '市场', 'marketing']],
];

/** The command verb a message starts with; `separate`: followed by a space, #n, @name or nothing (the command form). */
function matchVerb(text: string): { cmd: RepCommand['cmd']; rest: string; separate: boolean } | undefined {
  const lower = text.toLowerCase();
  let best: { cmd: RepCommand['cmd']; len: number } | undefined;
  for (const [cmd, words] of VERBS) {
    for (const w of words) {
      if (lower.startsWith(w) && (!best || w.length > best.len)) {
        // An ASCII verb must end at a word boundary ("called" is not "call").
        const next = lower.charAt(w.length);
        if (/^[a-z]+$/.test(w) && /[a-z]/.test(next)) continue;
        best = { cmd, len: w.length };
      }
    }
  }
  if (!best) return undefined;
  const after = text.slice(best.len);
  return { cmd: best.cmd, rest: after.replace(/^[\s:]+/, '').trim(), separate: after === '' || /^[\s#@:]/.test(after) };
}

/** Splits "王总 20分钟 …" or "王总20分钟…" into the customer's name and the rest. */
function splitTarget(rest: string): { target: string; tail: string } {
  rest = rest.replace(/^@/, '');
  if (!rest) return { target: '', tail: '' };
  const ref = /^#\s*(\d+)/.exec(rest);
  if (ref) return { target: `#${ref[1]}`, tail: rest.slice(ref[0].length).trim() };
  const space = rest.indexOf(' ');
  const first = space === -1 ? rest : rest.slice(0, space);
  // Typed without a space: the name ends where digits or a keyword begin ("王总20分钟", "王总比价").
  const glued = /^([\u4e00-\u9fa5A-Za-z·.]{1,12}?)(\d|比价|观望|陪跑|看看|对比|预算|方案|下周|周[一二三四五六日天]|明天|后天|今天|没接|未接)/.exec(first);
  if (glued?.[1] && glued[1].length < first.length) {
    // 「王总那边说预算…」: the name without what joins it to the sentence.
    const name = glued[1].replace(/(?:那边|这边)(?:说|讲|表示)?$/, '') || glued[1];
    return { target: name, tail: `${first.slice(glued[1].length)}${space === -1 ? '' : rest.slice(space)}`.trim() };
  }
  return { target: first, tail: space === -1 ? '' : rest.slice(space + 1).trim() };
}

function lookup<T extends string>(table: [T, string[]][], text: string): T | undefined {
  const lower = text.toLowerCase();
  for (const [value, words] of table) if (words.some((w) => lower.includes(w))) return value;
  return undefined;
}

/** "20分钟", "20 min", "半小时", "1小时", "1.5小时", "20分" → minutes. */
export function parseMinutes(text: string): { minutes?: number; rest: string } {
  const patterns: [RegExp, (m: RegExpExecArray) => number][] = [
    [/(?<![\d.])(\d+(?:\.\d+)?)\s*(?:个)?(?:小时|h|hr|hours?)/i, (m) => Math.round(Number(m[1]) * 60)],
    [/半(?:个)?小时/, () => 30],
    [/(?<!\d)(\d+)\s*(?:分钟|分|mins?|minutes?|m)(?![a-z])/i, (m) => Number(m[1])],
  ];
  for (const [re, f] of patterns) {
    const m = re.exec(text);
    if (m) return { minutes: f(m), rest: (text.slice(0, m.index) + text.slice(m.index + m[0].length)).replace(/\s+/g, ' ').trim() };
  }
  return { rest: text };
}

/** How long a snooze lasts: "3天", "2周", "一周" (after normalizeDurations), 3 days when unsaid; 1 to 90 days. */
function snoozeDays(text: string): number {
  const d = /(?<!\d)(\d+)\s*(?:天|日|d|days?)/i.exec(text);
  const w = /(?<!\d)(\d+)\s*(?:周|星期|w|weeks?)/i.exec(text);
  const days = d ? Number(d[1]) : w ? Number(w[1]) * 7 : /一周|一星期/.test(text) ? 7 : 3;
  return Math.min(Math.max(days, 1), 90);
}

/**
 * What a rep wrote about a close, in their own words, without the customer's name and what joins it (「王总预算砍了
 * 今年不上了」 → 「预算砍了 今年不上了」): a reason is quoted back and kept as said, never cut into command pieces.
 */
function inOwnWords(sentence: string, target: string): string {
  const at = sentence.indexOf(target);
  const rest = at === -1 ? sentence : sentence.slice(0, at) + sentence.slice(at + target.length);
  return rest.replace(/^\s*(?:那边|这边)?(?:说|表示)?\s*/, '').trim();
}

/** Words that say the customer will decide (so a date near them is the decision date). */
const DECIDES = /定|决定|拍板|结论|结果|答复|回复|给消息|decide/i;

/** A call nobody took: not answered, switched off, busy, hung up. */
const NO_ANSWER = /没接|未接|无人接|没人接|不接|关机|占线|挂了|挂断|无法接通|不在服务区|没打通|打不通|no answer|busy/i;

export function parseCommand(raw: string, now: number, timeZone: string): RepCommand {
  if (raw.length > MAX_COMMAND_CHARS) return { cmd: 'too_long', length: raw.length };
  const normalized = normalize(raw);
  // The command form as it is (a verb, then a space, a name or #n); anything else may be a sentence to rephrase.
  const sentence = matchVerb(normalized)?.separate ? undefined : rephrase(normalized, (t) => lookup(STATES, t) !== undefined);
  const rephrased = sentence !== undefined;
  const text = sentence ?? normalizeDurations(normalized);
  const verb = matchVerb(text);
  if (!verb) return { cmd: 'unknown', text };
  const { target, tail } = splitTarget(verb.rest);
  const needTarget = (hint: string): RepCommand => ({ cmd: 'unknown', text, hint });

  switch (verb.cmd) {
    case 'help':
      return { cmd: 'help' };
    case 'today':
      return { cmd: 'today' };
    case 'position': {
      if (!target) return needTarget('定位 王总 比价 / 观望 / 陪跑');
      const state = lookup(STATES, tail) ?? lookup(STATES, verb.rest.slice(target.length));
      if (!state) return needTarget(`定位 ${target} 比价 / 观望 / 陪跑`);
      return { cmd: 'position', target, state };
    }
    case 'call': {
      if (!target) return needTarget('电话 王总 20分钟 方案下周三定');
      const { minutes, rest } = parseMinutes(tail);
      const noAnswer = NO_ANSWER.test(rest);
      const decision = DECIDES.test(rest) ? parseWhen(rest, now, timeZone) : undefined;
      return { cmd: 'call', target, minutes: noAnswer ? 0 : minutes, outcome: noAnswer ? 'no_answer' : 'talked', note: rest || undefined, decision };
    }
    case 'proposal':
      if (!target) return needTarget('要方案 王总');
      return { cmd: 'proposal', target, note: tail || undefined };
    case 'meeting':
      if (!target) return needTarget('会议 王总 周四15:00');
      return { cmd: 'meeting', target, when: parseWhen(tail, now, timeZone), note: tail || undefined };
    case 'group':
      if (!target) return needTarget('建群 王总');
      return { cmd: 'group', target };
    case 'snooze': {
      if (!target) return needTarget('暂停 王总 3天');
      return { cmd: 'snooze', target, days: snoozeDays(tail) };
    }
    case 'won':
      if (!target) return needTarget('赢单 王总');
      return { cmd: 'won', target, reason: (rephrased ? inOwnWords(normalized, target) : tail) || undefined };
    case 'lost':
      if (!target) return needTarget('输单 王总 预算不够');
      return { cmd: 'lost', target, reason: (rephrased ? inOwnWords(normalized, target) : tail) || undefined };
    case 'reopen':
      if (!target) return needTarget('重开 王总');
      return { cmd: 'reopen', target };
    case 'lead': {
      if (!target) return needTarget('线索 张总 询价单');
      return { cmd: 'lead', name: target, source: lookup(SOURCES, tail) ?? 'other', note: tail || undefined };
    }
    case 'merge': {
      // 合并 <manual lead> <WeCom customer>: "合并 #1 张建国", "合并 张总 张建国"
      const into = tail.split(' ')[0] ?? '';
      if (!target || !into) return needTarget('合并 #1 张建国（把手工线索 #1 并到企业微信客户张建国）');
      return { cmd: 'merge', target, into };
    }
    case 'unknown':
    case 'too_long':
      return { cmd: 'unknown', text };
  }
}

/** Words that say a call happened, in a sentence that is not a command (「刚和陈经理聊完」). */
const CALL_WORDS = /电话(?!会)|打了|打过|打完|拨了|拨过|通了|通完|通过话|通话|聊了|聊完|聊过|沟通过|沟通了|语音(?!会)|视频(?!会)|call/i;

/**
 * The best guess for a message the parser did not read, when it names exactly one of the rep's customers (`names`:
 * their remarks, names and companies) and sounds like a call, a close, a proposal request, a group or a buying state: the command the bot proposes in one
 * short question (「是说给王总打了电话吗？回 1 确认」). Undefined when there is no single, plausible guess.
 */
export function guessCommand(raw: string, names: readonly string[]): Guess | undefined {
  if (raw.length > MAX_COMMAND_CHARS) return undefined;
  const text = normalizeDurations(normalize(raw));
  const found = [...new Set(names.filter((n) => n.length >= 2 && text.includes(n)))];
  // 王总 inside 王总监 is one name, not two.
  const named = found.filter((n) => !found.some((o) => o !== n && o.includes(n)));
  if (named.length !== 1) return undefined;
  const target = named[0] as string;
  const rest = text.replace(target, ' ');
  if (CALL_WORDS.test(rest)) {
    const { minutes, rest: note } = parseMinutes(rest);
    const noAnswer = NO_ANSWER.test(note);
    return { cmd: 'call', target, minutes: noAnswer ? 0 : minutes, outcome: noAnswer ? 'no_answer' : 'talked' };
  }
  if (SNOOZE_WORDS.test(rest)) return { cmd: 'snooze', target, days: snoozeDays(rest) };
  if (WON_WORDS.test(rest)) return { cmd: 'won', target };
  if (LOST_WORDS.test(rest)) return { cmd: 'lost', target };
  if (PROPOSAL_WORDS.test(rest)) return { cmd: 'proposal', target };
  if (GROUP_WORDS.test(rest)) return { cmd: 'group', target };
  const state = lookup(STATES, rest);
  return state ? { cmd: 'position', target, state } : undefined;
}

/** What the best guess can propose. */
export type Guess = Extract<RepCommand, { cmd: 'call' | 'position' | 'proposal' | 'group' | 'snooze' | 'won' | 'lost' }>;

const WON_WORDS = /签了|签单|签约了|合同签|成交|拿下|搞定了|这单成了|下单了|付款了|打款了/;
const LOST_WORDS = /丢了|丢单|输了|输单|黄了|没戏|不做了|不买了|不上了|不要了|不考虑了|选了(?:友商|别家|别人)/;
const PROPOSAL_WORDS = /(?:要|想看|让|发|出|写).{0,6}(?:方案|建议书|报价|资料|材料|介绍|案例|手册|白皮书|PPT|ppt)/;
const GROUP_WORDS = /(?:建|拉).{0,4}群/;
const SNOOZE_WORDS = /暂停|暂缓|(?:先)?(?:别|不要|不用)(?:再)?提醒|晚点再?提醒/;

/**
 * The one customer named inside a name that matched nobody (「帮我约李部长」 → 李部长; 「陈经理只」 → 陈经理): the index in
 * `customers` (each customer's remark, name and company) of the only customer one of whose names (2+ characters) is
 * inside `target`. Undefined when the name as written matches someone already (ambiguous is not unknown), or when it
 * holds no customer's name or more than one.
 */
export function customerInside(target: string, customers: readonly (readonly string[])[]): number | undefined {
  if (target.startsWith('#') || customers.some((names) => names.some((n) => n.includes(target)))) return undefined;
  const inside = customers.flatMap((names, i) => (names.some((n) => n.length >= 2 && target.includes(n)) ? [i] : []));
  return inside.length === 1 ? inside[0] : undefined;
}

/** A command that names a customer. */
export type TargetedCommand = Exclude<Extract<RepCommand, { target: string }>, { cmd: 'merge' }>;

/**
 * A command as the rep would have typed it for the customer `name` (kept as the pending command until they answer 1):
 * the guess for an unclear message, or a parsed command whose customer was written with extra words around the name.
 * Parsing the text again gives the same command.
 */
export function commandText(c: TargetedCommand, name: string): string {
  const parts = (...p: (string | undefined)[]) => p.filter((x) => !!x).join(' ');
  switch (c.cmd) {
    case 'call': {
      const talked = c.outcome === 'talked';
      return parts('电话', name, talked && c.minutes ? `${c.minutes}分钟` : undefined, c.note ?? (talked ? undefined : '没接'));
    }
    case 'position':
      // Each state's first word in STATES is its command word (陪跑, 比价, 观望).
      return parts('定位', name, stateWord(c.state));
    case 'proposal':
      return parts('要方案', name, c.note);
    case 'meeting':
      return parts('会议', name, c.note);
    case 'group':
      return parts('建群', name);
    case 'snooze':
      return parts('暂停', name, `${c.days}天`);
    case 'won':
      return parts('赢单', name, c.reason);
    case 'lost':
      return parts('输单', name, c.reason);
    case 'reopen':
      return parts('重开', name);
  }
}
