/**
 * Every sentence the product says to a person, in one file, keyed by what it answers — reviewed here as copy, and the
 * place a second language would go. Simplified Chinese; the one next step the method gives for each situation.
 * (The nudges' own titles and texts come from the policy, src/domain/nudge-policy.ts, with its questions.)
 */
import { displayCompany, displayName, SOURCE_LABELS, STATE_LABELS, type BuyingState, type Lead, type SourceChannel } from '../domain/lead';
import { stateWord, type Guess } from '../domain/commands';
import type { NextStep } from '../domain/next-step';
import type { RepWeek } from '../domain/team-week';
import { POSITION_QUESTION, WEEKLY_QUESTION } from '../domain/nudge-policy';
import { shownDate, shownDayOf, shownInstant } from '../domain/shown-dates';
import { asMarkdown, fitList, OUTSIDER_LIMITS, utf8Bytes, utf8Prefix } from '../domain/outsider-text';
import type { RepActionResult } from './rep-actions';

export const HELP_TEXT = [
  '跟进助手可以这样用：',
  '今日 — 今天该跟进的客户',
  '定位 王总 比价 / 观望 / 陪跑 — 记下客户处在哪种状态',
  '电话 王总 20分钟 方案下周三定 — 记一次电话（时长、要点、决策时间）',
  '要方案 王总 — 客户要方案了',
  '会议 王总 周四15:00 — 约会议（或记下开过的会）',
  '建群 王总 — 拉客户进工作群',
  '暂停 王总 3天 — 这几天先别提醒',
  '赢单 王总 / 输单 王总 预算不够 — 结束跟进（重开 王总 — 重新跟进）',
  '线索 张总 询价单 — 新建一个还没加企业微信的线索',
  '合并 #1 张建国 — 把手工线索并到加了企业微信的客户（你给客户的备注和线索同名时，我会自动合并）',
  '客户可以用名字、备注，或上次列表里的 #序号。',
].join('\n');

/** The one next step for a lead in each buying state (the method's step after positioning). */
export const NEXT_STEP: Record<BuyingState, string> = {
  unknown: `先定位：直接问「${POSITION_QUESTION}」`,
  exploring: `客户还没决定买不买：每周亲自打一个电话，问「${WEEKLY_QUESTION}」`,
  price_check: '比价的客户报完价就容易消失：今天就约个会，把决策的人拉进来，别只发报价单。',
  benchmarking: '你可能是陪跑的那家：约个会讲清楚我们的特色，把客户拉进工作群，抢回客户的时间。',
};

/** The buttons of a nudge card, and of the follow-up card after 已打电话 (how long, or no answer). */
export const CARD_BUTTONS = {
  called: '已打电话',
  meeting: '约会议',
  group: '建群',
  snooze: '稍后提醒',
  lost: '已输单',
  min5: '5 分钟',
  min15: '15 分钟',
  min30: '30 分钟',
  noanswer: '没接通',
  mheld: '开了',
  mmissed: '没开',
  mmoved: '改期',
  cs_bench: '陪跑',
  cs_price: '比价',
  cs_explore: '观望',
  cs_none: '都不是',
  cd_yes: '对，记下',
  cd_no: '不对',
} as const;

/** The state-suggestion card's buttons: which state each one sets (none: set the suggestion aside). */
export const STATE_ANSWERS = { cs_bench: 'benchmarking', cs_price: 'price_check', cs_explore: 'exploring', cs_none: 'none' } as const;
/** The decision-date card's buttons. */
export const DECISION_ANSWERS = { cd_yes: true, cd_no: false } as const;

/** The meeting-check card's buttons (a booked meeting WeCom gave no customer attendance for): what came of it. */
export const MEETING_CHECK = { mheld: 'held', mmissed: 'not_held', mmoved: 'moved' } as const;

/** The follow-up card's buttons: what each says about the call. */
export const CALL_FOLLOW_UP = { min5: 5, min15: 15, min30: 30, noanswer: 0 } as const;

/** The line that stands for the items a message had no room for. */
export const moreOf = (n: number) => `…等 ${n} 位`;

/** A customer's company after their name, in brackets, when they gave one. */
const companyOf = (l: Lead) => (l.company ? `（${displayCompany(l)}）` : '');

/** The method's one next step for a lead, as the rep reads it (src/domain/next-step.ts decides which). */
export function nextStepText(next: NextStep, name: string): string {
  switch (next.step) {
    case 'position':
      return `先定位——下次通话直接问「${POSITION_QUESTION}」，再回复「定位 ${name} 比价 / 观望 / 陪跑」。`;
    case 'meet_not_write':
      return `${name}要的方案别一个人写：约个会一起过需求（「会议 ${name} 周四15:00」），或拉个工作群（「建群 ${name}」）。`;
    case 'ask_decision':
      return `问清什么时候定：「${WEEKLY_QUESTION}」——记下来（「电话 ${name} 方案下周三定」），到时候我提醒你。`;
    case 'widen_chain':
      return `${name}那边只有他一个人在：请他把参与决定的人拉进群或会里（「建群 ${name}」拿入群二维码）。`;
    case 'meet_or_group':
      return `别自己闷头写方案——约个会（「会议 ${name} 周四15:00」）或拉个工作群（「建群 ${name}」），把客户拉进来。`;
    case 'weekly_call':
      return `每周亲自打一个电话；${shownDate(next.decisionDate)}决策前再问一次「${WEEKLY_QUESTION}」`;
  }
}

/** The one question a lost deal leaves, by the reason the rep gave: budget, another vendor, or none said. */
function postMortem(reason: string | undefined): string {
  if (reason && /预算|钱|贵|价|成本|经费|资金/.test(reason)) return '复盘一下：预算是什么时候变的，我们是什么时候知道的？下次第一次通话就问清预算和谁拍板。';
  if (reason && /友商|别家|别人|竞品|对手|选了|其他家|别的厂/.test(reason)) return '复盘一下：是哪一步客户的时间被友商占走了？';
  return '复盘一下：客户最后一次认真回应是什么时候？那之后哪一步没跟上？';
}

/** What a call note's words suggest, put as the one question to confirm (the state they read as). */
const suggestsText = (name: string, state: BuyingState) => `听你记的，${name}像是「${STATE_LABELS[state]}」——是的话回复「定位 ${name} ${stateWord(state)}」。`;

/** Answers to typed commands, by the rep-action's result. */
export function commandReply(r: RepActionResult, zone: string): string {
  const name = displayName(r.lead);
  switch (r.action) {
    case 'state':
      return `已记录：${name} —「${STATE_LABELS[r.to]}」。\n下一步：${NEXT_STEP[r.to]}`;
    case 'call':
      if (r.outcome === 'no_answer') return `已记录：给${name}打了电话，没接通。\n过两小时再打一次；还是不通就发条消息约个时间。`;
      return [
        `已记录：与${name}通话${r.minutes ? ` ${r.minutes} 分钟` : ''}。`,
        r.decisionDate ? `决策时间：${shownDate(r.decisionDate)}（到时候我会提醒你问结果）。` : undefined,
        r.suggests ? suggestsText(name, r.suggests) : undefined,
        `近 7 天通话 ${r.calls7d} 次；近 30 天占用客户时间 ${r.mindshareMinutes30d} 分钟。`,
        `下一步：${nextStepText(r.next, name)}`,
      ]
        .filter(Boolean)
        .join('\n');
    case 'proposal':
      return `已记录：${name}要${r.thing}。\n别一个人写${r.thing === '方案' ? '方案' : `${r.thing}和方案`}：约个会一起过需求（「会议 ${name} 周四15:00」），或拉个工作群（「建群 ${name}」），让客户和做决定的人一起参与。`;
    case 'meeting_held':
      return `已记录：${shownDate(r.date)} 和${name}开过会。会上有哪些人？把他们拉进工作群，后面的事在群里推进。`;
    case 'meeting_booked':
      return [
        `已约好：${shownInstant(r.startsAt, zone)} 与${name}的会议。`,
        `会议链接：${r.link ?? '（见企业微信日程）'}`,
        `把链接发给${name}，请他把需要拍板的人一起叫上。`,
        r.clash
          ? `注意：${shownInstant(r.clash.startsAt, zone)} 你已经约了与${r.clash.name}的会，两场会时间重叠。要改就回复「会议 ${name} 周四15:00」重新约一个时间。`
          : undefined,
      ]
        .filter(Boolean)
        .join('\n');
    case 'group':
      return groupAdviceText(r.lead, r.joinCode && { qrCode: r.joinCode.qrCode, groupName: r.groupName });
    case 'snoozed':
      return `好，${r.days} 天内不再提醒${name}（到 ${shownDayOf(r.until, zone)}）。`;
    case 'closed':
      return r.outcome === 'won'
        ? `恭喜！${name}已记为赢单。`
        : `已记为输单：${name}${r.reason ? `（${asMarkdown(r.reason, 60)}）` : ''}。${postMortem(r.reason)}`;
    case 'reopened':
      return `好，${name}重新打开了，接着跟进。\n下一步：${NEXT_STEP[r.lead.state]}`;
    case 'meeting_settled':
      return meetingSettledText(r, zone);
    case 'decision_date':
      return `已记下：${name} ${shownDate(r.date)} 定。到那天我提醒你亲自打电话问结果。${r.slips > 0 ? `\n决策时间已经推迟过 ${r.slips} 次——问问是卡在谁那里，能不能约个会把拍板的人请来。` : ''}`;
    case 'reminded':
      return `已提醒${r.ownerName}跟进${name}。`;
    case 'taken':
      return `好，${name}的下一个电话你来打；已告诉${r.ownerName}。`;
    case 'suggestion_dismissed':
      return r.about === 'state'
        ? `好，不按这条改定位。下次${name}说到买不买、价格或别家，我再问你。`
        : `好，决策时间不改。下次通话直接问${name}：「${WEEKLY_QUESTION}」`;
    case 'lead_closed':
      return `${name}已经记为${r.lead.outcome === 'won' ? '赢单' : '输单'}${r.lead.outcomeReason ? `（${r.lead.outcomeReason}）` : ''}，这次${r.attempted === 'call' ? '电话' : '会议'}没有记上。\n客户又有需要了？回复「重开 ${name}」重新跟进，再记一次。`;
  }
}

/** What a booked meeting came to, as the rep reads it: by WeCom's attendance, their own answer, or a cancellation. */
export function meetingSettledText(r: Extract<RepActionResult, { action: 'meeting_settled' }>, zone: string): string {
  const name = displayName(r.lead);
  if (r.already) return `这场会已经记过了（${r.how === 'held' ? '开了' : r.how === 'moved' ? '改期' : '没开'}），不用再点。`;
  const next = `下一步：${nextStepText(r.next, name)}`;
  switch (r.how) {
    case 'held': {
      const who = r.customerAttendees ? `${name}那边 ${r.customerAttendees} 人参会` : '会开了';
      return `已记录：和${name}的会——${who}，${r.minutes ?? 60} 分钟，算进了客户投入的时间。\n${next}`;
    }
    case 'not_held':
      return `已记录：和${name}的会没开成。趁热打个电话，重新约个时间（「会议 ${name} 周四15:00」）——别改成发资料。`;
    case 'cancelled':
      return `和${name}的会在企业微信里取消了。打个电话重新约（「会议 ${name} 周四15:00」），别让这件事停下来。`;
    case 'moved':
      return r.moved
        ? `已改约：${shownInstant(r.moved.startsAt, zone)} 与${name}的会议。\n会议链接：${r.moved.link ?? '见企业微信日程'}\n时间不合适就回复「会议 ${name} 周四15:00」重新约。`
        : `已记录：和${name}的会要改期。回复「会议 ${name} 周四15:00」约新的时间。`;
  }
}

/** The rep is asked what came of a booked meeting WeCom gave no customer attendance for. */
export function meetingCheckText(lead: Lead, startsAt: number, zone: string): { title: string; desc: string } {
  const name = displayName(lead);
  return { title: `和${name}的会开了吗？`, desc: `${shownInstant(startsAt, zone)} 的会议，企业微信没看到客户那边入会` };
}

/** Answers to a press on a nudge card, by the rep-action's result. */
export function cardReply(r: RepActionResult, zone: string): string {
  const name = displayName(r.lead);
  switch (r.action) {
    case 'call':
      if (r.minutes === undefined && r.outcome === 'talked')
        return `好，记下了和${name}通了电话。聊了多久？点下面卡片上的时长；定了什么，回复例如「电话 ${name} 20分钟 方案下周三定」，我会记到时长和决策时间。`;
      return commandReply(r, zone);
    case 'meeting_booked':
      return `会议已创建：${shownInstant(r.startsAt, zone)}，与${name}沟通方案。\n会议链接：${r.link ?? '见企业微信日程'}\n把链接发给${name}，请他把要拍板的人一起叫上。时间不合适可在会议里改。`;
    case 'snoozed':
      return `好，${r.days} 天内不再提醒${name}。`;
    case 'closed':
      return `已记为输单：${name}。回复「输单 ${name} 原因」补上原因，方便复盘。`;
    default:
      return commandReply(r, zone);
  }
}

/** The label a pressed card shows instead of its buttons. */
export const cardDoneLabel = (button: keyof typeof CARD_BUTTONS) => `已处理：${CARD_BUTTONS[button]}`;

/** WeCom's limit on a meeting's title. */
const MEETING_TITLE_BYTES = 40;

/** The meeting's title in WeCom, within WeCom's 40 bytes (the name is cut first). */
export function meetingTitle(lead: Lead): string {
  return `与${utf8Prefix(displayName(lead), MEETING_TITLE_BYTES - utf8Bytes('与沟通方案'))}沟通方案`;
}

/** A group's name as the rep reads it (its owner chose it; a customer may have). */
const shownGroup = (group: string | undefined) => (group ? asMarkdown(group, OUTSIDER_LIMITS.groupName) : '客户群');

/** What the rep is told with a group's join code. */
export function inviteText(customer: string, group: string | undefined, qrCode: string): string {
  return (
    `「${shownGroup(group)}」的入群二维码：${qrCode}\n` +
    `发给${customer}，请他把那边参与决定的人（拍板的、用的、管采购的）扫码拉进来——方案在群里一起定，比你一个人写文档快，决策链也看得见。`
  );
}

/** 建群: the group's join code when the lead has a group, otherwise how to open one. */
export function groupAdviceText(lead: Lead, code?: { qrCode: string; groupName?: string }): string {
  const name = displayName(lead);
  if (code) return inviteText(name, code.groupName, code.qrCode);
  return [
    `给${name}拉个工作群：`,
    `1. 在企业微信里「发起群聊」，选上${name}和你的同事（技术、经理）。`,
    '2. 群名写上客户公司和项目，例如「某某学校·项目沟通群」。',
    `群建好后我会自动记到这个客户名下，并把入群二维码发给你，让${name}把他那边参与决定的人拉进来。`,
  ].join('\n');
}

/** What a member sent, as the answer names it. */
const MEDIA_LABELS: Record<string, string> = {
  image: '图片',
  voice: '语音',
  video: '视频',
  shortvideo: '视频',
  file: '文件',
  location: '位置',
  link: '链接',
  mixed: '图文',
};

export const COPY = {
  commandFailed: '抱歉，这条没有记上（系统暂时出错）。请稍后再发一次。',
  /** A picture, a voice message, a file… sent to the bot: it reads text only, and says how to write the same thing. */
  textOnly: (msgType: string) =>
    msgType === 'voice'
      ? '收到语音，不过我只读文字。用输入法的语音转文字发给我就行，例如「给王总打了电话，聊了20分钟」。'
      : `收到${MEDIA_LABELS[msgType] ?? '消息'}，不过我只读文字。可以这样写：电话 王总 20分钟 / 定位 王总 比价 / 今日`,
  /** A message far longer than any command: answered without being read. */
  tooLong: (length: number, max: number) =>
    `这条消息有 ${length} 个字，太长了，我没有读（一条指令最多 ${max} 个字）。请一件事发一条，例如：电话 王总 20分钟 预算50万 下周五定`,
  notUnderstood: (text: string, hint?: string) =>
    hint
      ? `没太看懂。可以这样写：${hint}\n\n发「帮助」看全部用法。`
      : text.trim() === ''
        ? '收到。要我记什么，就用一句话告诉我，例如：电话 王总 20分钟 / 定位 王总 比价 / 今日\n发「帮助」看全部用法。'
        : `没太看懂「${asMarkdown(text, 30)}」。可以这样写：电话 王总 20分钟 / 定位 王总 比价 / 今日\n发「帮助」看全部用法。`,
  /** The one short question with the best guess for an unclear message (src/domain/commands.ts guessCommand). */
  guess: (g: Guess, name: string) => {
    switch (g.cmd) {
      case 'call':
        return `是说给${name}打了电话${g.outcome === 'no_answer' ? '（没接通）' : g.minutes ? `（${g.minutes} 分钟）` : ''}吗？回 1 确认。`;
      case 'position':
        return `是说${name}是「${STATE_LABELS[g.state]}」吗？回 1 确认。`;
      case 'proposal':
        return `是说${name}要方案吗？回 1 确认。`;
      case 'group':
        return `是说给${name}建群吗？回 1 确认。`;
      case 'snooze':
        return `是说${name}先暂停提醒 ${g.days} 天吗？回 1 确认。`;
      case 'won':
        return `是说${name}成交了（赢单）吗？回 1 确认。`;
      case 'lost':
        return `是说${name}这单输了吗？回 1 确认；原因可以回「输单 ${name} 原因」。`;
    }
  },
  askWhen: (name: string) => `和${name}约在什么时候？直接回时间就行，例如「周四15:00」或「明天下午」。`,
  noSuchNumber: (target: string) => `没有 ${target}。先发「今日」看列表，再用 #序号。`,
  /** A customer named with words around the name: the command for the one customer named inside it, to confirm. */
  retarget: (target: string, command: string) => `没有叫「${asMarkdown(target)}」的客户。是说「${command}」吗？回 1 确认。`,
  noSuchCustomer: (target: string) => `没有找到客户「${asMarkdown(target)}」。发「今日」看你的客户，或用「线索 ${asMarkdown(target)} 询价单」新建。`,
  whichOne: (target: string, choices: Lead[], total: number) =>
    fitList(
      [`找到 ${total} 位「${asMarkdown(target)}」，是哪一位？`],
      choices.map((l, i) => `#${i + 1} ${displayName(l)}${companyOf(l)}`),
      [`请用 #序号 再发一次，例如把「${asMarkdown(target)}」换成「#1」。`],
      moreOf,
    ),
  noLeadsYet: '你名下还没有在跟的客户。客户加你企业微信后会自动出现在这里。',
  today: (total: number, rows: { lead: Lead; quietDays: number; calls7d: number }[]) =>
    fitList(
      [`今天该跟进的客户（${total} 位中最久没动静的 ${rows.length} 位）：`],
      rows.map((r, i) => `#${i + 1} ${displayName(r.lead)} · ${STATE_LABELS[r.lead.state]} · ${r.quietDays} 天没动静 · 近7天通话 ${r.calls7d} 次`),
      ['亲自打个电话，比发资料管用。'],
      moreOf,
    ),
  manualLeadCreated: (name: string, source: SourceChannel) =>
    `已新建线索：${name}（${SOURCE_LABELS[source]}）。\n第一次回电就定位：${NEXT_STEP.unknown.replace('先定位：', '')}`,
  merged: (manual: Lead, into: Lead) =>
    `已合并：手工线索「${manual.name}」并入${displayName(into)}。之前记的电话、定位和决策时间都在${displayName(into)}名下了。`,
  mergeRefused: (manual: Lead) => `没能合并：线索「${manual.name}」已经并到别的客户名下了。`,
  mergedOnAdd: (customer: Lead, manual: Lead) =>
    `${displayName(customer)}${companyOf(customer)}加了你的企业微信。你之前手工建的线索「${manual.name}」已合并进来：电话、定位和决策时间都在这位客户名下了。`,
  mergeChoice: (customer: Lead, matches: Lead[]) =>
    [
      `${displayName(customer)}${companyOf(customer)}加了你的企业微信。${
        matches.length === 1
          ? '你有 1 条手工线索和这位客户同名——名字是客户自己起的，先确认是不是同一个人：'
          : `你有 ${matches.length} 条手工线索也可能是这位客户：`
      }`,
      ...matches.map((m, i) => `#${i + 1} ${m.name}（${SOURCE_LABELS[m.source]}）`),
      matches.length === 1
        ? `是同一个人就回复「合并 #1 ${displayName(customer)}」把记录并进来；不是就不用管。给客户备注成线索的名字，以后我会自动合并。`
        : `是哪一条？回复「合并 #1 ${displayName(customer)}」把它并进来；都不是就不用管。`,
    ].join('\n'),
  archiveDisagreed: (lead: Lead) =>
    `${displayName(lead)}没有同意会话内容存档：我读不到他在企业微信里说的话了。多打电话，通话时问清他的想法和决策时间，再用「电话 ${displayName(lead)} …」记下来。`,
  lostContact: (lead: Lead) => `客户「${displayName(lead)}」刚刚删除了你的企业微信。\n建议今天就亲自打个电话问清原因；如果已经在群里，留意群里的动静。`,
  groupCreated: (lead: Lead, groupName: string | undefined, qrCode?: string) => {
    const name = displayName(lead);
    const head = `${name}的工作群「${shownGroup(groupName)}」建好了，已记到${name}名下。`;
    return qrCode ? `${head}\n${inviteText(name, groupName, qrCode)}` : `${head}\n请${name}在群里把那边参与决定的人也拉进来。`;
  },
  teamDigest: (reps: RepWeek[]) =>
    fitList(
      [`**团队本周跟进（${reps.length} 位销售，最需要关注的在前）**`],
      reps.map(
        (r, i) =>
          `${i + 1}. ${asMarkdown(r.rep)}：在跟 ${r.openLeads} 位 · 未定位 ${r.unpositioned} · 本周通话 ${r.calledThisWeek} 位（${r.uncalled} 位该打没打）· 开会 ${r.meetingsHeld} 次 · 新建群 ${r.groupsOpened} 个 · 忽略提醒 ${r.nudgesIgnored} 条`,
      ),
      ['\n销售不跟踪，到头一场空：先找排在前面的人，一起把没定位的客户定位、把该打的电话打了。'],
      moreOf,
    ),
  managerTakes: (by: string, lead: Lead) => `${by}说：${displayName(lead)}的下一个电话他来打。你照常跟进群里和会上的事，打完后和他对一下结果。`,
  callByOther: (by: string, lead: Lead, minutes?: number, outcome?: 'talked' | 'no_answer') =>
    outcome === 'no_answer'
      ? `${by}给${displayName(lead)}打了电话，没接通。`
      : `${by}给${displayName(lead)}打了电话${minutes ? `（${minutes} 分钟）` : ''}。找他问问聊了什么，下一步接着跟。`,
  reminderText: (by: string, lead: Lead, next: string) => `${by}提醒你跟进${displayName(lead)}。\n下一步：${next}`,
  cardStale: '这张卡片已失效：对应的客户或会议已不在你的列表里（可能已合并、删除或改期）。发「今日」看当前该跟进的客户。',
  nudgeAlreadyHandled: (lead: Lead, how?: string) => `这条提醒已经处理过了${how ? `（${how}）` : ''}，不用再点。${displayName(lead)}的下一步发「今日」看。`,
  escalation: (repName: string, lead: Lead, nudgeTitle: string, ignored: number) =>
    `【跟进提醒升级】${repName}的客户「${displayName(lead)}」：「${nudgeTitle}」已提醒 ${ignored} 次没有处理。\n建议今天和${repName}一起过一下这个客户：一起打个电话，或把客户拉进会议。`,
} as const;
