import type { BuyingState, SourceChannel } from './lead';
import { parseWhen, type ParsedWhen } from './chinese-dates';

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
  | { cmd: 'unknown'; text: string; hint?: string };

const VERBS: [RepCommand['cmd'], string[]][] = [
  ['help', ['帮助', '帮忙', 'help', '?', '？', '菜单']],
  ['today', ['今日', '今天', 'today', '列表', 'list']],
  ['position', ['定位', 'position', 'pos']],
  ['call', ['电话', '打电话', '通话', 'call']],
  ['proposal', ['要方案', '要建议书', '要报价', 'proposal']],
  ['meeting', ['会议', '约会议', '开会', 'meeting', 'meet']],
  ['group', ['建群', '拉群', 'group']],
  ['snooze', ['暂停', '稍后', 'snooze']],
  ['won', ['赢单', '成交', 'won', 'win']],
  ['lost', ['输单', '丢单', 'lost', 'lose']],
  ['reopen', ['重开', '重新跟进', '重新打开', 'reopen']],
  ['lead', ['线索', '新线索', 'lead']],
  ['merge', ['合并', 'merge']],
];

const STATES: [BuyingState, string[]][] = [
  ['price_check', ['比价', '问价', '询价', '报价', 'price']],
  ['exploring', ['观望', '看看', '不确定', '看方案', '没想好', '还没定要不要', '了解一下', 'explore', 'exploring']],
  ['benchmarking', ['陪跑', '对比', '特色', '接触过', '比较几家', '货比三家', '几家', '别家', '友商', 'bench', 'benchmarking']],
];

const SOURCES: [SourceChannel, string[]][] = [
  ['phone', ['电话单', '电话', 'phone']],
  ['inquiry', ['询价单', '询价', 'inquiry']],
  ['web', ['网单', '网站', '官网', 'web']],
  ['store', ['门店单', '门店', 'store']],
  ['marketing', ['市场部', '市场', 'marketing']],
];

/** Full-width digits, letters and spaces to ASCII; the robot's leading @mention removed. */
export function normalize(text: string): string {
  return text
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/^\s*@\S+\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function matchVerb(text: string): { cmd: RepCommand['cmd']; rest: string } | undefined {
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
  return best ? { cmd: best.cmd, rest: text.slice(best.len).trim() } : undefined;
}

/** Splits "王总 20分钟 …" or "王总20分钟…" into the customer's name and the rest. */
function splitTarget(rest: string): { target: string; tail: string } {
  if (!rest) return { target: '', tail: '' };
  const ref = /^#\s*(\d+)/.exec(rest);
  if (ref) return { target: `#${ref[1]}`, tail: rest.slice(ref[0].length).trim() };
  const space = rest.indexOf(' ');
  const first = space === -1 ? rest : rest.slice(0, space);
  // Typed without a space: the name ends where digits or a keyword begin ("王总20分钟", "王总比价").
  const glued = /^([\u4e00-\u9fa5A-Za-z·.]{1,12}?)(\d|比价|观望|陪跑|看看|对比|预算|方案|下周|周[一二三四五六日天]|明天|后天|今天|没接|未接)/.exec(first);
  if (glued?.[1] && glued[1].length < first.length)
    return { target: glued[1], tail: `${first.slice(glued[1].length)}${space === -1 ? '' : rest.slice(space)}`.trim() };
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
    [/(\d+(?:\.\d+)?)\s*(?:个)?(?:小时|h|hr|hours?)/i, (m) => Math.round(Number(m[1]) * 60)],
    [/半(?:个)?小时/, () => 30],
    [/(\d+)\s*(?:分钟|分|mins?|minutes?|m)(?![a-z])/i, (m) => Number(m[1])],
  ];
  for (const [re, f] of patterns) {
    const m = re.exec(text);
    if (m) return { minutes: f(m), rest: (text.slice(0, m.index) + text.slice(m.index + m[0].length)).replace(/\s+/g, ' ').trim() };
  }
  return { rest: text };
}

/** Chinese numbers a rep says for minutes: 二十分钟, 半个小时, 一刻钟, 一个半小时, 两小时. */
const CN_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
function chineseNumber(s: string): number | undefined {
  if (!/^[零一二两三四五六七八九十]+$/.test(s)) return undefined;
  if (!s.includes('十')) return s.length === 1 ? CN_DIGITS[s] : undefined;
  const [tens, ones] = s.split('十') as [string, string];
  return (tens ? (CN_DIGITS[tens] ?? 0) : 1) * 10 + (ones ? (CN_DIGITS[ones] ?? 0) : 0);
}

/** Durations in words → "N分钟", so the minutes parser reads them. */
export function normalizeDurations(text: string): string {
  return text
    .replace(/一刻钟/g, '15分钟')
    .replace(/([一二两三四五六七八九十\d]+)个半(?:小时|钟头)/g, (_, n: string) => `${((chineseNumber(n) ?? Number(n)) || 0) * 60 + 30}分钟`)
    .replace(/半个?(?:小时|钟头)/g, '30分钟')
    .replace(/([零一二两三四五六七八九十]+)个?(?:小时|钟头)/g, (m, n: string) =>
      chineseNumber(n) === undefined ? m : `${(chineseNumber(n) as number) * 60}分钟`,
    )
    .replace(/([零一二两三四五六七八九十]+)分钟/g, (m, n: string) => (chineseNumber(n) === undefined ? m : `${chineseNumber(n)}分钟`));
}

/**
 * The ways reps actually write a call, turned into the command form: the verb anywhere (「给王总打了电话」,
 * 「打了电话给王总，聊了20分钟」, 「跟王总通了20分钟电话」, 「王总电话 半小时」). Anything else is left as it is.
 */
function rephrase(text: string): string | undefined {
  const t = normalizeDurations(text)
    .replace(/[，。,.！!～~]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const name = '([\u4e00-\u9fa5A-Za-z·]{1,12}?|#\\s*\\d+)';
  const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
    // 打了电话给王总 聊了20分钟 / 刚打电话给王总
    [new RegExp(`^(?:刚|刚刚|今天|上午|下午)?打了?(?:个|一个|通)?电话给${name}(?:\\s|$)(.*)$`), (m) => `电话 ${m[1]} ${m[2]}`],
    // 给王总打了电话 / 跟王总通了20分钟电话 / 和王总打了个电话
    [
      new RegExp(`^(?:刚|刚刚|今天|上午|下午)?(?:给|跟|和|与)${name}(?:打|通)了?(?:个|一个|一通)?(\\d+分钟)?电话(.*)$`),
      (m) => `电话 ${m[1]} ${m[2] ?? ''} ${m[3]}`,
    ],
    // 王总电话 半小时 / 王总 电话 20分钟
    [new RegExp(`^${name}\\s?电话(.*)$`), (m) => `电话 ${m[1]} ${m[2]}`],
  ];
  for (const [re, f] of patterns) {
    const m = re.exec(t);
    if (m) return f(m).replace(/\s+/g, ' ').trim();
  }
  return undefined;
}

export function parseCommand(raw: string, now: number, timeZone: string): RepCommand {
  const normalized = normalize(raw);
  const text = rephrase(normalized) ?? normalizeDurations(normalized);
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
      const noAnswer = /没接|未接|无人接|不接|no answer|busy/i.test(rest);
      const decision = /定|决定|拍板|decide/i.test(rest) ? parseWhen(rest, now, timeZone) : undefined;
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
      const d = /(\d+)\s*(?:天|日|d|days?)/i.exec(tail);
      const w = /(\d+)\s*(?:周|星期|w|weeks?)/i.exec(tail);
      const days = d ? Number(d[1]) : w ? Number(w[1]) * 7 : /一周|一星期/.test(tail) ? 7 : 3;
      return { cmd: 'snooze', target, days: Math.min(Math.max(days, 1), 90) };
    }
    case 'won':
      if (!target) return needTarget('赢单 王总');
      return { cmd: 'won', target, reason: tail || undefined };
    case 'lost':
      if (!target) return needTarget('输单 王总 预算不够');
      return { cmd: 'lost', target, reason: tail || undefined };
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
      return { cmd: 'unknown', text };
  }
}
