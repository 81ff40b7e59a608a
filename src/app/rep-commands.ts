import { createHash } from 'node:crypto';
import { meetingStart, parseWhen } from '../domain/chinese-dates';
import type { Clock } from '../domain/clock';
import {
  commandText,
  customerInside,
  guessCommand,
  MAX_COMMAND_CHARS,
  normalize,
  parseCommand,
  type RepCommand,
  type TargetedCommand,
} from '../domain/commands';
import { displayName, isFollowedUp, isManual, newLead, type Lead } from '../domain/lead';
import { computeMetrics } from '../domain/metrics';
import type { TimelineEntry } from '../domain/timeline';
import type { Logger } from '../log';
import type { Ledger } from './ledger';
import { COPY, commandReply, HELP_TEXT } from './copy';
import type { RepActions, RepActionResult } from './rep-actions';
import type { LedgerRepository } from './ports';

export interface RepCommandDeps {
  store: LedgerRepository;
  ledger: Ledger;
  /** The rep-action core, shared with card presses (and later the board). */
  actions: RepActions;
  clock: Clock;
  timeZone: string;
  log: Logger;
}

/** The names a rep may call a customer by: the remark, the WeCom name, the company. */
const namesOf = (l: Lead) => [l.remark, l.name, l.company].filter((n): n is string => !!n);

/** A customer's name in a command the bot keeps for the rep to confirm: the shown name, found again by its start. */
const commandName = (l: Lead) => displayName(l).replace(/…$/, '');

/** Where the time goes in a meeting the bot asked the time of (kept as the pending command until the rep answers). */
const WHEN_SLOT = '{时间}';

/** What a rep typed, turned into ledger changes and a reply in Chinese. Never silent, never a stack trace. */
export class RepCommands {
  private readonly actions: RepActions;

  constructor(private readonly d: RepCommandDeps) {
    this.actions = d.actions;
  }

  private get store() {
    return this.d.store;
  }

  async handle(rep: string, text: string, msgId: string, at: number): Promise<string> {
    // The bot's last question is answered by the very next message, or not at all: 「1」 confirms the command it
    // guessed; a time alone completes the meeting it asked the time of. Anything else drops the question.
    const pending = await this.store.takePending(rep);
    const parse = (t: string) => parseCommand(t, at, this.d.timeZone);
    let cmd = parse(text);
    if (pending?.includes(WHEN_SLOT)) {
      const time = normalize(text);
      if (cmd.cmd === 'unknown' && parseWhen(time, at, this.d.timeZone)) cmd = parse(pending.replace(WHEN_SLOT, time));
    } else if (pending && /^\s*(1|１|是|对|是的|确认)\s*$/.test(text)) cmd = parse(pending);
    try {
      return await this.run(rep, cmd, msgId, at);
    } catch (err) {
      this.d.log.error({ reason: 'command.failed', cmd: cmd.cmd, err: (err as Error).message }, 'rep command failed');
      return COPY.commandFailed;
    }
  }

  private async run(rep: string, cmd: RepCommand, msgId: string, at: number): Promise<string> {
    switch (cmd.cmd) {
      case 'help':
        return HELP_TEXT;
      case 'too_long':
        return COPY.tooLong(cmd.length, MAX_COMMAND_CHARS);
      case 'unknown':
        return cmd.hint ? COPY.notUnderstood(cmd.text, cmd.hint) : this.guess(rep, cmd.text);
      case 'today':
        return this.today(rep, at);
      case 'lead':
        return this.manualLead(rep, cmd, msgId, at);
      case 'merge':
        return this.merge(rep, cmd, at);
      default:
        break;
    }
    const found = await this.resolve(rep, cmd.target, undefined, cmd);
    if (typeof found === 'string') return found;
    const lead = found;
    // The command is a thin adapter: the rep-action core does it, the copy says it.
    const input = { lead, actor: rep, at, entryId: `cmd:${msgId}`, source: 'command' as const };
    const reply = (r: RepActionResult) => commandReply(r, this.d.timeZone);
    switch (cmd.cmd) {
      case 'position':
        return reply(await this.actions.setState(input, cmd.state));
      case 'call':
        return reply(await this.actions.logCall(input, { minutes: cmd.minutes, outcome: cmd.outcome, note: cmd.note, decisionDate: cmd.decision?.date }));
      case 'proposal':
        return reply(await this.actions.logProposalRequest(input, cmd.note));
      case 'meeting': {
        const startsAt = cmd.when && meetingStart(cmd.when, at, this.d.timeZone);
        if (startsAt === undefined) {
          // A week said (下周) stays the context of the answer: 「周四下午3点」 then means next week's Thursday.
          const week = cmd.when?.precision === 'week' ? `${cmd.when.text} ` : '';
          await this.store.setPending(rep, `会议 ${commandName(lead)} ${week}${WHEN_SLOT}`);
          return COPY.askWhen(displayName(lead));
        }
        return reply(await this.actions.bookMeeting(input, startsAt, cmd.note));
      }
      case 'group':
        return reply(await this.actions.openGroup(lead));
      case 'snooze':
        return reply(await this.actions.snooze(input, cmd.days));
      case 'won':
      case 'lost':
        return reply(await this.actions.close(input, cmd.cmd, cmd.reason));
      case 'reopen':
        return reply(await this.actions.reopen(input));
    }
  }

  /**
   * An unclear message that names one of the rep's customers and sounds like a call or a buying state: ask one short
   * question with the best guess (「是说给王总打了电话吗？回 1 确认」) instead of the whole help.
   */
  private async guess(rep: string, text: string): Promise<string> {
    const leads = (await this.store.leadsOf(rep)).filter(isFollowedUp);
    const g = guessCommand(text, leads.flatMap(namesOf));
    const lead = g ? leads.filter((l) => namesOf(l).includes(g.target)) : [];
    if (g && lead.length === 1) {
      const name = displayName(lead[0] as Lead);
      await this.store.setPending(rep, commandText(g, commandName(lead[0] as Lead)));
      return COPY.guess(g, name);
    }
    return COPY.notUnderstood(text);
  }

  /**
   * A command whose customer was written with words around the name (「帮我约李部长」, 「陈经理只」) matches no customer:
   * when exactly one of the rep's customers is named inside it, ask once whether that is the one (回 1 确认).
   */
  private async retarget(rep: string, cmd: TargetedCommand, candidates: Lead[]): Promise<string | undefined> {
    const leads = candidates.filter((l) => !l.mergedInto);
    const i = customerInside(cmd.target, leads.map(namesOf));
    if (i === undefined) return undefined;
    const text = commandText(cmd, commandName(leads[i] as Lead));
    await this.store.setPending(rep, text);
    return COPY.retarget(cmd.target, text);
  }

  /** 合并: a manual lead (by name or #n) into a WeCom customer's lead (by name). */
  private async merge(rep: string, cmd: Extract<RepCommand, { cmd: 'merge' }>, at: number): Promise<string> {
    const manual = await this.resolve(rep, cmd.target, isManual);
    if (typeof manual === 'string') return manual;
    const into = await this.resolve(rep, cmd.into, (l) => !isManual(l));
    if (typeof into === 'string') return into;
    if (!(await this.actions.merge(manual, into, at, rep, 'command'))) return COPY.mergeRefused(manual);
    return COPY.merged(manual, into);
  }

  /**
   * A customer named by name, remark or #n (among those `only` accepts); a numbered choice when ambiguous; when
   * unknown, the one question about the customer named inside the name (for `cmd`), or a hint.
   */
  private async resolve(rep: string, target: string, only: (l: Lead) => boolean = () => true, cmd?: TargetedCommand): Promise<Lead | string> {
    if (target.startsWith('#')) {
      const n = Number(target.slice(1));
      const ids = await this.store.lastList(rep);
      const id = ids[n - 1];
      const lead = id ? await this.store.getLead(id) : undefined;
      return lead && only(lead) && !lead.mergedInto ? lead : COPY.noSuchNumber(target);
    }
    const leads = (await this.store.leadsOf(rep)).filter(only);
    const exact = leads.filter((l) => l.remark === target || l.name === target);
    const partial =
      exact.length > 0 ? exact : leads.filter((l) => (l.remark ?? '').includes(target) || l.name.includes(target) || (l.company ?? '').includes(target));
    if (partial.length === 1) return partial[0] as Lead;
    if (partial.length === 0) return (cmd && (await this.retarget(rep, cmd, leads))) || COPY.noSuchCustomer(target);
    const choices = partial.slice(0, 9);
    await this.store.setLastList(
      rep,
      choices.map((l) => l.id),
    );
    return COPY.whichOne(target, choices, partial.length);
  }

  private async today(rep: string, at: number): Promise<string> {
    const leads = (await this.store.leadsOf(rep)).filter(isFollowedUp);
    if (leads.length === 0) return COPY.noLeadsYet;
    const rows = await Promise.all(leads.map(async (l) => ({ l, m: await this.metricsOf(l.id, at) })));
    rows.sort((a, b) => b.m.quietDays - a.m.quietDays);
    const top = rows.slice(0, 10);
    await this.store.setLastList(
      rep,
      top.map((r) => r.l.id),
    );
    return COPY.today(
      leads.length,
      top.map((r) => ({ lead: r.l, quietDays: r.m.quietDays, calls7d: r.m.calls7d })),
    );
  }

  private async manualLead(rep: string, cmd: Extract<RepCommand, { cmd: 'lead' }>, msgId: string, at: number): Promise<string> {
    const id = `m-${createHash('sha256').update(`${rep}:${msgId}`).digest('hex').slice(0, 16)}`;
    await this.store.updateLead(id, (cur) => cur ?? newLead({ id, name: cmd.name, owner: rep, source: cmd.source, createdAt: at }));
    await this.store.addEntry(id, { id: `cmd:${msgId}`, at, kind: 'added', source: 'command', actor: rep, note: cmd.note });
    return COPY.manualLeadCreated(cmd.name, cmd.source);
  }

  private async metricsOf(leadId: string, at: number) {
    const [lead, timeline] = await Promise.all([this.store.getLead(leadId), this.store.getTimeline(leadId)]);
    return computeMetrics(lead as Lead, timeline as TimelineEntry[], at);
  }
}
