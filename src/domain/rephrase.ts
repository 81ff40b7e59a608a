/**
 * How reps really write, turned into the command form the parser reads (src/domain/commands.ts): what a phone
 * keyboard and voice input do to a message (full-width characters, punctuation in place of spaces, fillers, emoji,
 * homophones), and sentences with the verb anywhere (「给王总打了电话」, 「约王总明天下午开会」, 「王总要个报价」).
 * Pure; the table test (test/unit/phrasing-table.test.ts) holds it to 400 real-looking inputs.
 */

/** Homophones and slips of pinyin and voice input, as they reach us: wrong word → meant word. */
const TYPOS: [RegExp, string][] = [
  [/电化|店话|点话|电活/g, '电话'],
  [/^(?:定为|订位|定味|定未)/, '定位'],
  [/会以|会义|汇议|会意/g, '会议'],
  [/见群|件群|建裙/g, '建群'],
  [/暂挺|站停/g, '暂停'],
  [/(\d)\s*分中/g, '$1分钟'],
];

/** Emoji that say a verb; every other emoji is decoration and goes. */
const EMOJI_VERBS: [RegExp, string][] = [
  [/(?:📞|☎|📱)\uFE0F?/gu, ' 电话 '],
  [/(?:🗓|📅|📆)\uFE0F?/gu, ' 会议 '],
];

/** Spoken fillers voice input writes down (嗯, 呃, 那个) when they stand alone between pauses. */
const FILLERS = /(^|[\s,，。、])(?:嗯+|呃+|额+|啊+|那个|就是说?)(?=[\s,，。、]|$)/g;

/**
 * Full-width digits, letters and spaces to ASCII; the robot's leading @mention removed; emoji; fillers; punctuation
 * used as pauses turned into spaces (a '.' between digits and a ':' between digits are kept: 1.5小时, 15:00).
 */
export function normalize(text: string): string {
  let t = text
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/^\s*@\S+\s+/, '');
  for (const [re, to] of EMOJI_VERBS) t = t.replace(re, to);
  t = t.replace(/\p{Extended_Pictographic}|\u200D|\uFE0F/gu, ' ');
  for (const [re, to] of TYPOS) t = t.replace(re, to);
  t = t.replace(FILLERS, '$1');
  return t
    .replace(/[,，。、;；!！~～…]+/g, ' ')
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ')
    .replace(/(?<!\d):|:(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Chinese numbers a rep says for a count: 二, 两, 十五, 二十五. */
const CN_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
export function chineseNumber(s: string): number | undefined {
  if (!/^[零一二两三四五六七八九十]+$/.test(s)) return undefined;
  if (!s.includes('十')) return s.length === 1 ? CN_DIGITS[s] : undefined;
  const [tens, ones] = s.split('十') as [string, string];
  return (tens ? (CN_DIGITS[tens] ?? 0) : 1) * 10 + (ones ? (CN_DIGITS[ones] ?? 0) : 0);
}

const cn = (n: string) => chineseNumber(n) ?? Number(n);

/** Durations in words → digits the parsers read: 二十分钟, 半个小时, 一刻钟, 三刻钟, 一个半小时, 两个钟头, 五天, 两周. */
export function normalizeDurations(text: string): string {
  // Each number is matched only from its first character (the lookbehinds), so a long run of digits is read once.
  return text
    .replace(/(?<![\d零一二两三四五六七八九十])([\d零一二两三四五六七八九十]+)\s*(?:来|多)\s*(分钟|个?小时|个?钟头)/g, '$1$2')
    .replace(/([一二两三])刻钟/g, (_, n: string) => `${cn(n) * 15}分钟`)
    .replace(/(?<![一二两三四五六七八九十\d])([一二两三四五六七八九十\d]+)个半(?:小时|钟头)/g, (_, n: string) => `${(cn(n) || 0) * 60 + 30}分钟`)
    .replace(/半个?(?:小时|钟头)/g, '30分钟')
    .replace(/(?<![\d零一二两三四五六七八九十])([\d零一二两三四五六七八九十]+)个钟(?![头点])/g, (_, n: string) => `${cn(n) * 60}分钟`)
    .replace(/(?<![零一二两三四五六七八九十])([零一二两三四五六七八九十]+)个?(?:小时|钟头)/g, (m, n: string) =>
      chineseNumber(n) === undefined ? m : `${cn(n) * 60}分钟`,
    )
    .replace(/(?<![零一二两三四五六七八九十])([零一二两三四五六七八九十]+)分钟/g, (m, n: string) => (chineseNumber(n) === undefined ? m : `${cn(n)}分钟`))
    .replace(/(?<![零一二两三四五六七八九十])([零一二两三四五六七八九十]+)(?:个)?(天|周|星期)/g, (m, n: string, unit: string) =>
      chineseNumber(n) === undefined ? m : `${cn(n)}${unit === '天' ? '天' : '周'}`,
    );
}

/** A customer as reps name them in a sentence: a remark, a name, a company, or #n from the last list. */
const NAME = '([\\u4e00-\\u9fa5A-Za-z·]{1,12}?|#\\s*\\d+(?!\\d))';
/** What may follow a name directly, with no space: a time, a number, or the start of a verb phrase. */
const TIMEISH = '(?=明天|后天|今天|今晚|下周|本周|这周|周[一二三四五六日天]|星期|礼拜|\\d|[一二三四五六七八九十]+[月号点]|上午|下午|晚上|中午)';
/** How a meeting is held, said between the name and 开会 (线上开个会). */
const ONLINE = '(?:线上|线下|视频|电话|腾讯会议)?';
/**
 * When, said before the verb (刚刚, 今天下午): at most three words, each read one way only (刚刚 is 刚 twice), so a rule
 * never tries the ways a run of them could split — an ambiguous alternation under `*` is exponential in the run.
 */
const WHEN_WORDS = '(?:刚才|刚|今天|上午|下午|中午|早上|晚上|昨天)';
const WHEN_PREFIX = `${WHEN_WORDS}{0,3}`;

/** A name as written in a sentence, without what reps add around it (王总那边 → 王总; 王总了 → 王总). */
const cleanName = (n: string) => n.replace(/(?:那边|这边|那儿|那里)?(?:说|讲|表示)?了?$/, '').replace(/\s+/g, '');

/** Words that say when, never who (「刚刚电话了赵姐」 does not name a customer 刚刚). */
const TIME_WORD = new RegExp(`^${WHEN_WORDS}+$`);

type Rule = [RegExp, (m: RegExpExecArray) => string | undefined];

const rules: Rule[] = [
  // ---- meetings arranged with someone, before the calls (「和赵姐约了后天视频会」 is a meeting, not a video call) ----
  // 跟王总约了周五上午十点的会 / 和王总约个会 下周一下午两点
  // (what follows the first 会 is the rest of the message, taken after the match: a second `.*` would backtrack against `.*?`)
  [
    new RegExp(`^(?:跟|和|与)${NAME}(?:约|定|订)了?(?:个|一个)?(.*?)的?(?:会议?|见面|碰面|见一面)`),
    (m) => `会议 ${cleanName(m[1]!)} ${m[2]} ${m.input.slice(m[0].length)}`,
  ],
  // ---- calls ----
  // 电话回访了张总 十分钟 / 今天电话联系了王总
  [new RegExp(`^${WHEN_PREFIX}(?:微信)?(?:电话|语音|视频)(?:回访|联系|沟通|跟进)了?${NAME}(?=\\s|$|了|\\d)(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 刚刚电话了赵姐 二十分钟 / 今天电话给王总 没接
  [new RegExp(`^${WHEN_PREFIX}(?:打)?电话了?给?${NAME}(?=\\s|$|了|\\d)(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 打了电话给王总 聊了20分钟 / 刚打电话给王总了
  [new RegExp(`^${WHEN_PREFIX}打了?(?:个|一个|通)?电话给${NAME}(?:\\s|$|了)(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 打给王总了 聊了10分钟
  [new RegExp(`^${WHEN_PREFIX}打给${NAME}(?=\\s|$|了|[\\d一两三几]+次)(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 给王总打了电话 / 跟王总通了20分钟电话 / 给王总去了个电话 / 和王总聊了20分钟电话
  [
    new RegExp(`^${WHEN_PREFIX}(?:给|跟|和|与)${NAME}(?:打|拨|通|去|回|聊)(?:了|完|过)?(?:个|一个|一通|通)?(\\d+分钟)?(?:电话|话)(.*)$`),
    (m) => `电话 ${cleanName(m[1]!)} ${m[2] ?? ''} ${m[3]}`,
  ],
  // 跟陈经理电话沟通了15分钟 / 跟王总微信语音聊了20分钟 / 跟王总视频了半小时
  [
    new RegExp(`^${WHEN_PREFIX}(?:给|跟|和|与)${NAME}(?:微信)?(?:电话|语音|视频|通话)里?(?:沟通|聊|通话|打)?了?(.*)$`),
    (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`,
  ],
  // 给王总打了两次都没接
  [new RegExp(`^${WHEN_PREFIX}(?:给|跟|和|与)${NAME}(?:打|去|回)了(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 拨了王总的电话 占线 / 打了陈经理电话 20分钟
  [new RegExp(`^${WHEN_PREFIX}(?:拨|打)了?(?:个|一个|一通|通)?${NAME}的?电话(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 回了王总电话 10分钟
  [new RegExp(`^${WHEN_PREFIX}回了?${NAME}的?电话(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // The customer called: 王总回电话了 / 王总打过来了
  [new RegExp(`^${NAME}\\s?(?:回电话|回我电话|给我回电话?|回电|打过来|打来|来电话|来电)了?(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 王总 打了电话 / 王总那边打过电话了
  [new RegExp(`^${NAME}\\s?(?:打了|打过|通了|通过)(?:个|一个|一通|通)?电话了?(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // 王总电话 半小时 / 王总的电话打了 20分钟 / 赵姐那边电话聊过了
  [new RegExp(`^${NAME}\\s?的?(?:微信)?(?:电话|通话|语音电话|视频电话)(?:打了|打过了?|聊过了?|聊了|沟通了?)?(.*)$`), (m) => `电话 ${cleanName(m[1]!)} ${m[2]}`],
  // ---- buying state: 王总是比价的 / 陈经理应该是观望 / 王总 定位 比价 ----
  [
    new RegExp(`^${NAME}\\s?(?:目前|现在|应该|可能|估计|大概|感觉|只|就|也|还)*(?:是|属于|算是?|定位|定为)\\s?(.+)$`),
    (m) => `定位 ${cleanName(m[1]!)} ${m[2]}`,
  ],
  // ---- meetings ----
  // 约王总明天下午开会 / 约了王总周五上午十点开会
  [new RegExp(`^(?:帮我|帮忙|麻烦|请)?约了?${NAME}(?:\\s|${TIMEISH})(.*?)(?:开会|见面|碰个?面|的会|会议)?$`), (m) => `会议 ${cleanName(m[1]!)} ${m[2]}`],
  // 明天下午3点和王总开会
  [
    new RegExp(`^(.+?)(?:和|跟|与)${NAME}${ONLINE}(?:开(?:个|一个|一下)?会|会议|见(?:个|一)?面|碰(?:个|一下)?面)(.*)$`),
    (m) => `会议 ${cleanName(m[2]!)} ${m[1]} ${m[3]}`,
  ],
  // 王总 周四下午2点开会 / 王总：下周一上午10点见面
  [new RegExp(`^${NAME}(?:\\s|${TIMEISH})(.*?)(?:开会|见面|碰面|会议)$`), (m) => `会议 ${cleanName(m[1]!)} ${m[2]}`],
  // ---- proposals: 王总要个报价 / 王总让我发个方案 / 王总说要看方案 ----
  [
    new RegExp(
      `^${NAME}\\s?(?:想要|要|说要看?|让我?(?:发|写|出|做|给))(?:个|一个|一份|份)?(?:看)?[\\u4e00-\\u9fa5]{0,4}?(方案|建议书|报价单?|资料|材料|介绍|案例|手册|白皮书|PPT|ppt)(.*)$`,
    ),
    (m) => `要方案 ${cleanName(m[1]!)} ${m[2]}${m[3]}`,
  ],
  // ---- groups: 给王总拉个群 / 王总建群 ----
  [new RegExp(`^(?:给|跟|和|为)${NAME}(?:拉|建)(?:个|一个)?(?:工作)?群`), (m) => `建群 ${cleanName(m[1]!)}`],
  [new RegExp(`^${NAME}\\s?(?:要|想|需要|可以)?(?:建群|拉群|建个群|拉个群)了?$`), (m) => `建群 ${cleanName(m[1]!)}`],
  [new RegExp(`^(?:拉|建)(?:个|一个)?(?:工作|项目)?群\\s?(?:给|跟|和|为)${NAME}$`), (m) => `建群 ${cleanName(m[1]!)}`],
  // ---- snooze: 王总先别提醒了 / 王总这周不用提醒 ----
  [
    new RegExp(`^${NAME}\\s?(这周|本周|这几天|这两天)?(?:先)?(?:别|不要|不用)(?:再)?提醒`),
    (m) => `暂停 ${cleanName(m[1]!)} ${m[2] === '这周' || m[2] === '本周' ? 7 : 3}天`,
  ],
  // ---- won / lost: 王总签了 / 王总那单丢了 / 王总选了友商 ----
  [
    new RegExp(`^${NAME}\\s?(?:那单|这单|那个单|这个单|合同|单子)?(?:签了|签单了|签约了|成交了|下单了|付款了|打款了|成了|拿下了|搞定了)(.*)$`),
    (m) => `赢单 ${cleanName(m[1]!)} ${m[2]}`,
  ],
  [
    new RegExp(
      `^${NAME}\\s?(?:说|表示)?(?:今年|暂时|目前|先)?(?:那单|这单)?(丢了|输了|黄了|没戏了|不做了|不买了|不上了|不考虑了|不要了|选了(?:友商|别家|别人))(.*)$`,
    ),
    (m) => `输单 ${cleanName(m[1]!)} ${m[2]}${m[3]}`,
  ],
];

/**
 * A sentence with the verb anywhere, in the command form (「电话 王总 20分钟」), or undefined when it is not one of
 * the ways reps write we know. `isState` tells a buying-state word, so 「王总是说下周定」 is not read as 定位.
 */
export function rephrase(text: string, isState: (s: string) => boolean): string | undefined {
  const t = normalizeDurations(text);
  for (const [re, f] of rules) {
    const m = re.exec(t);
    if (!m) continue;
    const out = f(m);
    if (!out) continue;
    if (out.startsWith('定位 ') && !isState(out.slice(3))) continue;
    const [, target] = out.split(' ');
    if (!target || target.length > 12 || TIME_WORD.test(target)) continue;
    return out.replace(/\s+/g, ' ').trim();
  }
  return undefined;
}
