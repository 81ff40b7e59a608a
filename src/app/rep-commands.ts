import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Clock } from '../domain/clock';
import { parseCommand, type RepCommand } from '../domain/commands';
import { displayName, isFollowedUp, isManual, newLead, SOURCE_LABELS, STATE_LABELS, type Lead } from '../domain/lead';
import { computeMetrics } from '../domain/metrics';
import type { TimelineEntry } from '../domain/timeline';
import type { Logger } from '../log';
import type { Ledger } from './ledger';
import { groupAdvice, type GroupInviter } from './group-invites';
import { closeLead, snoozeLead } from './lead-actions';
import type { BookingStore, MeetingBooker } from './ports';
import { bookMeetingOnce } from './meeting-bookings';

export const HELP_TEXT = [
  '跟进助手可以这样用：',
  '今日 — 今天该跟进的客户',
  '定位 王总 比价 / 观望 / 陪跑 — 记下客户处在哪种状态',
  '电话 王总 20分钟 方案下周三定 — 记一次电话（时长、要点、决策时间）',
  '要方案 王总 — 客户要方案了',
  '会议 王总 周四15:00 — 约会议（或记下开过的会）',
  '建群 王总 — 拉客户进工作群',
  '暂停 王总 3天 — 这几天先别提醒',
  '赢单 王总 / 输单 王总 预算不够',
  '线索 张总 询价单 — 新建一个还没加企业微信的线索',
  '合并 #1 张建国 — 把手工线索并到加了企业微信的客户（同名时我会自动合并）',
  '客户可以用名字、备注，或上次列表里的 #序号。',
].join('\n');

const NEXT_STEP: Record<Lead['state'], string> = {
  unknown: '先定位：直接问「您是出来比价的，还是不确定买不买、先出来看看方案，还是其实已经接触过几个供应商了，来看看我们的方案有什么特色？」',
  exploring: '客户还没决定买不买：每周亲自打一个电话，问「现在方案差不多定了吧？如果没定，啥时候定？」',
  price_check: '比价的客户报完价就容易消失：今天就约个会，把决策的人拉进来，别只发报价单。',
  benchmarking: '你可能是陪跑的那家：约个会讲清楚我们的特色，把客户拉进工作群，抢回客户的时间。',
};

export interface RepCommandDeps {
  ledger: Ledger;
  meetings: MeetingBooker;
  bookings: BookingStore;
  invites: GroupInviter;
  clock: Clock;
  timeZone: string;
  log: Logger;
}

/** What a rep typed, turned into ledger changes and a reply in Chinese. Never silent, never a stack trace. */
export class RepCommands {
  constructor(private readonly d: RepCommandDeps) {}

  private get store() {
    return this.d.ledger.store;
  }

  async handle(rep: string, text: string, msgId: string, at: number): Promise<string> {
    const cmd = parseCommand(text, at, this.d.timeZone);
    try {
      return await this.run(rep, cmd, msgId, at);
    } catch (err) {
      this.d.log.error({ reason: 'command.failed', cmd: cmd.cmd, err: (err as Error).message }, 'rep command failed');
      return '抱歉，这条没有记上（系统暂时出错）。请稍后再发一次。';
    }
  }

  private async run(rep: string, cmd: RepCommand, msgId: string, at: number): Promise<string> {
    switch (cmd.cmd) {
      case 'help':
        return HELP_TEXT;
      case 'unknown':
        return cmd.hint ? `没太看懂。可以这样写：${cmd.hint}\n\n发「帮助」看全部用法。` : `没太看懂「${cmd.text.slice(0, 30)}」。\n\n${HELP_TEXT}`;
      case 'today':
        return this.today(rep, at);
      case 'lead':
        return this.manualLead(rep, cmd, msgId, at);
      case 'merge':
        return this.merge(rep, cmd, at);
      default:
        break;
    }
    const found = await this.resolve(rep, cmd.target);
    if (typeof found === 'string') return found;
    const lead = found;
    const name = displayName(lead);
    const entryId = `cmd:${msgId}`;
    const action = { store: this.store, leadId: lead.id, at, actor: rep, entryId, source: 'command' as const };
    switch (cmd.cmd) {
      case 'position': {
        const from = lead.state;
        await this.store.updateIfNewer(lead.id, 'state', at, (l) => (l.state = cmd.state));
        await this.store.addEntry(lead.id, { id: entryId, at, kind: 'state_changed', source: 'command', actor: rep, from, to: cmd.state });
        return `已记录：${name} —「${STATE_LABELS[cmd.state]}」。\n下一步：${NEXT_STEP[cmd.state]}`;
      }
      case 'call': {
        await this.store.addEntry(lead.id, { id: entryId, at, kind: 'call', source: 'command', actor: rep, minutes: cmd.minutes, outcome: cmd.outcome, note: cmd.note });
        if (cmd.decision) {
          const date = cmd.decision.date;
          await this.store.updateIfNewer(lead.id, 'decisionDate', at, (l) => (l.decisionDate = date));
          await this.store.addEntry(lead.id, { id: `${entryId}:decision`, at, kind: 'decision_date_set', source: 'command', actor: rep, to: date });
        }
        const m = await this.metricsOf(lead.id, at);
        if (cmd.outcome === 'no_answer') return `已记录：给${name}打了电话，没接通。\n过两小时再打一次；还是不通就发条消息约个时间。`;
        const lines = [
          `已记录：与${name}通话${cmd.minutes ? ` ${cmd.minutes} 分钟` : ''}。`,
          cmd.decision ? `决策时间：${cmd.decision.date}（到时候我会提醒你问结果）。` : undefined,
          `近 7 天通话 ${m.calls7d} 次；近 30 天占用客户时间 ${m.mindshareMinutes30d} 分钟。`,
          '下一步：别自己闷头写方案——约个会（「会议 ' + name + ' 周四15:00」）或拉个工作群（「建群 ' + name + '」），把客户拉进来。',
        ];
        return lines.filter(Boolean).join('\n');
      }
      case 'proposal':
        await this.store.addEntry(lead.id, { id: entryId, at, kind: 'proposal_requested', source: 'command', actor: rep, note: cmd.note });
        return `已记录：${name}要方案。\n别一个人写方案：约个会一起过需求（「会议 ${name} 周四15:00」），或拉个工作群（「建群 ${name}」），让客户和做决定的人一起参与。`;
      case 'meeting': {
        if (!cmd.when) return `约在什么时候？例如：会议 ${name} 周四15:00`;
        if (cmd.when.at <= at) {
          await this.store.addEntry(lead.id, { id: entryId, at: cmd.when.at, kind: 'meeting_held', source: 'command', actor: rep, minutes: 60, note: cmd.note });
          return `已记录：${cmd.when.date} 和${name}开过会。会上有哪些人？把他们拉进工作群，后面的事在群里推进。`;
        }
        // Booked under this message's id first, so an inbox retry reuses the meeting instead of booking a second one.
        const booked = await bookMeetingOnce(this.d, entryId, { host: rep, title: `与${name}沟通方案`, startsAt: cmd.when.at, minutes: 60 });
        await this.store.addEntry(lead.id, { id: entryId, at, kind: 'meeting_scheduled', source: 'command', actor: rep, startsAt: cmd.when.at, link: booked.link, note: cmd.note });
        const when = DateTime.fromMillis(cmd.when.at, { zone: this.d.timeZone }).toFormat('M月d日 HH:mm');
        return `已约好：${when} 与${name}的会议。\n会议链接：${booked.link ?? '（见企业微信日程）'}\n把链接发给${name}，请他把需要拍板的人一起叫上。`;
      }
      case 'group':
        return groupAdvice({ store: this.store, invites: this.d.invites }, lead);
      case 'snooze': {
        const until = await snoozeLead(action, cmd.days);
        return `好，${cmd.days} 天内不再提醒${name}（到 ${DateTime.fromMillis(until, { zone: this.d.timeZone }).toFormat('M月d日')}）。`;
      }
      case 'won':
      case 'lost': {
        const outcome = cmd.cmd;
        await closeLead(action, outcome, cmd.reason);
        return outcome === 'won' ? `恭喜！${name}已记为赢单。` : `已记为输单：${name}${cmd.reason ? `（${cmd.reason}）` : ''}。复盘一下：是哪一步客户的时间被友商占走了？`;
      }
    }
  }

  /** 合并: a manual lead (by name or #n) into a WeCom customer's lead (by name). */
  private async merge(rep: string, cmd: Extract<RepCommand, { cmd: 'merge' }>, at: number): Promise<string> {
    const manual = await this.resolve(rep, cmd.target, isManual);
    if (typeof manual === 'string') return manual;
    const into = await this.resolve(rep, cmd.into, (l) => !isManual(l));
    if (typeof into === 'string') return into;
    if (!(await this.d.ledger.mergeManual(manual.id, into.id, at, rep, 'command'))) return `没能合并：线索「${manual.name}」已经并到别的客户名下了。`;
    return `已合并：手工线索「${manual.name}」并入${displayName(into)}。之前记的电话、定位和决策时间都在${displayName(into)}名下了。`;
  }

  /** A customer named by name, remark or #n (among those `only` accepts); a numbered choice when ambiguous; a hint when unknown. */
  private async resolve(rep: string, target: string, only: (l: Lead) => boolean = () => true): Promise<Lead | string> {
    if (target.startsWith('#')) {
      const n = Number(target.slice(1));
      const ids = await this.store.lastList(rep);
      const id = ids[n - 1];
      const lead = id ? await this.store.getLead(id) : undefined;
      return lead && only(lead) && !lead.mergedInto ? lead : `没有 ${target}。先发「今日」看列表，再用 #序号。`;
    }
    const leads = (await this.store.leadsOf(rep)).filter(only);
    const exact = leads.filter((l) => l.remark === target || l.name === target);
    const partial = exact.length > 0 ? exact : leads.filter((l) => (l.remark ?? '').includes(target) || l.name.includes(target) || (l.company ?? '').includes(target));
    if (partial.length === 1) return partial[0] as Lead;
    if (partial.length === 0) return `没有找到客户「${target}」。发「今日」看你的客户，或用「线索 ${target} 询价单」新建。`;
    const choices = partial.slice(0, 9);
    await this.store.setLastList(
      rep,
      choices.map((l) => l.id),
    );
    return [`找到 ${partial.length} 位「${target}」，是哪一位？`, ...choices.map((l, i) => `#${i + 1} ${displayName(l)}${l.company ? `（${l.company}）` : ''}`), '请用 #序号 再发一次，例如把「' + target + '」换成「#1」。'].join('\n');
  }

  private async today(rep: string, at: number): Promise<string> {
    const leads = (await this.store.leadsOf(rep)).filter(isFollowedUp);
    if (leads.length === 0) return '你名下还没有在跟的客户。客户加你企业微信后会自动出现在这里。';
    const rows = await Promise.all(leads.map(async (l) => ({ l, m: await this.metricsOf(l.id, at) })));
    rows.sort((a, b) => b.m.quietDays - a.m.quietDays);
    const top = rows.slice(0, 10);
    await this.store.setLastList(
      rep,
      top.map((r) => r.l.id),
    );
    return [
      `今天该跟进的客户（${leads.length} 位中最久没动静的 ${top.length} 位）：`,
      ...top.map((r, i) => `#${i + 1} ${displayName(r.l)} · ${STATE_LABELS[r.l.state]} · ${r.m.quietDays} 天没动静 · 近7天通话 ${r.m.calls7d} 次`),
      '亲自打个电话，比发资料管用。',
    ].join('\n');
  }

  private async manualLead(rep: string, cmd: Extract<RepCommand, { cmd: 'lead' }>, msgId: string, at: number): Promise<string> {
    const id = `m-${createHash('sha256').update(`${rep}:${msgId}`).digest('hex').slice(0, 16)}`;
    await this.store.updateLead(id, (cur) => cur ?? newLead({ id, name: cmd.name, owner: rep, source: cmd.source, createdAt: at }));
    await this.store.addEntry(id, { id: `cmd:${msgId}`, at, kind: 'added', source: 'command', actor: rep, note: cmd.note });
    return `已新建线索：${cmd.name}（${SOURCE_LABELS[cmd.source]}）。\n第一次回电就定位：${NEXT_STEP.unknown.replace('先定位：', '')}`;
  }

  private async metricsOf(leadId: string, at: number) {
    const [lead, timeline] = await Promise.all([this.store.getLead(leadId), this.store.getTimeline(leadId)]);
    return computeMetrics(lead as Lead, timeline as TimelineEntry[], at);
  }
}
