import { DateTime } from 'luxon';
import type { Clock } from '../domain/clock';
import { displayName, isFollowedUp, STATE_LABELS, type Lead } from '../domain/lead';
import { asMarkdown, fitList } from '../domain/outsider-text';
import { shownDate } from '../domain/shown-dates';
import { computeMetrics, DAY_MS } from '../domain/metrics';
import { repWeek, type RepWeek } from '../domain/team-week';
import { digestRisk, ignoredInARow, newlyResolvedNudges, nudgeIdFor, shouldEscalate } from '../domain/nudge-bookkeeping';
import { businessCalendar, evaluateNudges, WEEKLY_QUESTION, type Nudge, type NudgeSettings } from '../domain/nudge-policy';
import type { TimelineEntry } from '../domain/timeline';
import type { Logger } from '../log';
import { nudgeCard } from './nudge-card';
import { COPY, moreOf } from './copy';
import { boardRow, weekStarts } from '../domain/board/rows';
import type {
  ActivityCounter,
  BoardProjection,
  CardUpdater,
  LedgerRepository,
  ManagerLookup,
  MessageOutbox,
  NudgeRecord,
  NudgeRepository,
  NudgeRunner,
  SentMarks,
} from './ports';

export interface NudgerDeps {
  store: LedgerRepository;
  nudges: NudgeRepository;
  outbox: MessageOutbox;
  managers: ManagerLookup;
  /**
   * To update a nudge's card once something else resolved it (a call by command, a customer reply, a meeting, a group):
   * the card's response_code (from the send) and the WeCom card update. Without them, cards are left as they are.
   */
  cards?: CardUpdater;
  marks?: Pick<SentMarks, 'get'>;
  /** The board's aggregates: each evaluated lead's row is saved, and the team lines of reps it touched recomputed. */
  board?: BoardProjection;
  activity: ActivityCounter;
  clock: Clock;
  settings: NudgeSettings;
  dailyCapPerRep: number;
  escalateAfterIgnored: number;
  log: Logger;
}

/** Leads per chunk of a sweep batch; a 500-lead batch runs as 4 chunks in flight together (bench:sweep picked 125). */
const SWEEP_CHUNK = 125;

/**
 * Turns the policy into pushes: the sweep evaluates only the leads whose check is due, claims each nudge for its
 * period (so two workers, a crashed sweep or a re-run send it once), respects the rep's daily cap (the overflow
 * goes into the digest), sends a button card through the send queue, and records it on the lead. Button presses
 * do the thing, are logged, resolve the nudge and update the card.
 */
/** How long WeCom accepts a card's response_code for update_template_card. */
const CARD_CODE_MS = 72 * 3_600_000;

export class Nudger implements NudgeRunner {
  constructor(private readonly d: NudgerDeps) {}

  /** Drains what is due, one batch at a time (bounded: 100 batches a run; the next run goes on). */
  async sweepDue(batch: number): Promise<{ checked: number; sent: number; capped: number }> {
    let total = { checked: 0, sent: 0, capped: 0 };
    for (let round = 0; round < 100; round++) {
      const r = await this.sweep(batch);
      total = { checked: total.checked + r.checked, sent: total.sent + r.sent, capped: total.capped + r.capped };
      if (r.checked < batch) break;
    }
    return total;
  }

  /**
   * The board's rows of the leads that changed since the last run (the ledger marks them), `batch` at a time, then the
   * team lines of the reps concerned. Runs on its own schedule, so the sweep does not pay for it. Answers how many.
   */
  async refreshBoard(batch: number): Promise<number> {
    const board = this.d.board;
    if (!board) return 0;
    let n = 0;
    for (let round = 0; round < 100; round++) {
      const ids = await board.takePending(batch);
      if (ids.length === 0) break;
      await this.saveBoardRows(board, ids);
      n += ids.length;
      if (ids.length < batch) break;
    }
    if (n > 0) await board.refreshTeams();
    return n;
  }

  /** The board rows of these leads, as of now, saved (one load of leads and timelines). */
  private async saveBoardRows(board: BoardProjection, ids: string[]): Promise<void> {
    const now = this.d.clock.now();
    const s = { ...this.d.settings, today: businessCalendar(now, this.d.settings).today, weeks: weekStarts(now, this.d.settings.timeZone) };
    const loaded = await this.d.store.loadMany(ids);
    await board.saveRows(loaded.flatMap(({ lead, timeline }) => (lead ? [boardRow(lead, timeline, now, s)] : [])));
  }

  /**
   * Rebuilds the board's rows from every lead (nightly, and for leads that have not changed since the board existed):
   * the board job keeps the rows of the leads that change; this catches what time alone changes. Answers how many leads were read.
   */
  async rebuildBoard(): Promise<number> {
    const board = this.d.board;
    if (!board) return 0;
    let n = 0;
    for (const owner of await this.d.store.owners()) {
      // Ids a page at a time from the owner index; leads and timelines are read once, by saveBoardRows.
      for (let offset = 0; ; offset += SWEEP_CHUNK) {
        const { ids } = await this.d.store.queryLeads({ owner, offset, limit: SWEEP_CHUNK });
        if (ids.length === 0) break;
        await this.saveBoardRows(board, ids);
        n += ids.length;
        if (ids.length < SWEEP_CHUNK) break;
      }
    }
    await board.refreshTeams();
    return n;
  }

  /** Monday's digest for every rep with leads, with the nudges the daily cap held back last week. */
  async weeklyDigest(): Promise<number> {
    const owners = await this.d.store.owners();
    const reps = await this.digest(owners, async (rep) => {
      const held = await Promise.all((await this.d.nudges.takeOverflow(rep)).map((id) => this.d.nudges.get(id)));
      return held.filter((r): r is NudgeRecord => !!r).map((r) => r.title);
    });
    return reps + (await this.teamDigest(owners));
  }

  /**
   * Monday's team digest to each manager: per rep, open leads, unpositioned, leads called this week against leads
   * due a weekly call, meetings held, groups opened, nudges ignored — the reps most at risk first. Answers how many
   * managers were sent one.
   */
  async teamDigest(owners: string[]): Promise<number> {
    const now = this.d.clock.now();
    const week = DateTime.fromMillis(now, { zone: this.d.settings.timeZone }).toFormat("kkkk-'W'WW");
    const teams = new Map<string, RepWeek[]>();
    for (const rep of owners) {
      const manager = await this.d.managers.managerOf(rep);
      if (!manager) continue;
      const leads = await Promise.all((await this.d.store.leadsOf(rep)).map(async (lead) => ({ lead, timeline: await this.d.store.getTimeline(lead.id) })));
      const w = repWeek(await this.d.managers.nameOf(rep), leads, now, this.d.settings.weeklyCallDays);
      if (w.openLeads > 0) teams.set(manager, [...(teams.get(manager) ?? []), w]);
    }
    for (const [manager, reps] of teams) {
      reps.sort((a, b) => b.risk - a.risk);
      await this.d.outbox.enqueue({
        key: `team-digest:${manager}:${week}`,
        touser: manager,
        body: { msgtype: 'markdown', markdown: { content: COPY.teamDigest(reps) } },
        duplicateCheck: true,
      });
    }
    return teams.size;
  }

  async sweep(limit: number): Promise<{ checked: number; sent: number; capped: number }> {
    const now = this.d.clock.now();
    const ids = await this.d.store.dueLeads(now, limit);
    // Disjoint chunks of leads in flight together: while Redis runs one chunk's pipeline, this process evaluates the
    // next, so the two cores work at once instead of taking turns. Each chunk keeps its own order (send, then record).
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += SWEEP_CHUNK) chunks.push(ids.slice(i, i + SWEEP_CHUNK));
    const r = (await Promise.all(chunks.map((c) => this.checkMany(c, now)))).reduce((a, b) => ({ sent: a.sent + b.sent, capped: a.capped + b.capped }), {
      sent: 0,
      capped: 0,
    });
    if (ids.length > 0) this.d.log.info({ reason: 'nudge.sweep', checked: ids.length, ...r }, 'sweep done');
    return { checked: ids.length, ...r };
  }

  async check(leadId: string, now: number): Promise<'sent' | 'capped' | 'none'> {
    const r = await this.checkMany([leadId], now);
    return r.sent ? 'sent' : r.capped ? 'capped' : 'none';
  }

  /**
   * Evaluates a batch of leads and sends what is due, in a fixed number of pipelined round trips whatever the batch
   * size: load leads and timelines; claim each nudge for its period and ask the rep's daily allowance; enqueue the
   * cards in one addBulk; record the nudges, the timeline entries and the next check times. Every step is idempotent
   * for the claimed id, so two sweeps racing, or a sweep re-run after a crash at any point, end with one card sent
   * and one entry recorded; the entry's insert tells exactly one of them it was first.
   */
  async checkMany(ids: string[], now: number): Promise<{ sent: number; capped: number }> {
    if (ids.length === 0) return { sent: 0, capped: 0 };
    const loaded = await this.d.store.loadMany(ids);
    const day = DateTime.fromMillis(now, { zone: this.d.settings.timeZone }).toFormat('yyyyLLdd');
    const calendar = businessCalendar(now, this.d.settings);
    // One record per lead with a nudge due, carried through every step (no arrays aligned by index).
    interface Due {
      lead: Lead;
      timeline: TimelineEntry[];
      n: Nudge;
      id: string;
      next: number;
      allowed?: boolean;
    }
    const due: { leadId: string; at: number }[] = [];
    const todo: Due[] = [];
    for (const { id, lead, timeline } of loaded) {
      if (lead) timeline.push(...(await this.closeResolvedCards(lead.id, timeline, now)));
      if (!lead) {
        due.push({ leadId: id, at: Number.POSITIVE_INFINITY });
        continue;
      }
      const ev = evaluateNudges(lead, computeMetrics(lead, timeline, now), timeline, this.d.settings, now, calendar);
      if (!ev.nudge) {
        due.push({ leadId: id, at: ev.nextCheckAt });
        continue;
      }
      const periodMs = this.d.settings.repeatDays[ev.nudge.kind] * DAY_MS;
      const next = Math.min(ev.nextCheckAt, now + periodMs);
      due.push({ leadId: id, at: next });
      todo.push({ lead, timeline, n: ev.nudge, id: nudgeIdFor(lead.id, ev.nudge.kind, timeline), next });
    }
    const claims = new Map(
      (
        await this.d.nudges.admitMany(
          todo.map((t) => ({ id: t.id, rep: t.lead.owner, dayId: day })),
          this.d.dailyCapPerRep,
        )
      ).map((c) => [c.id, c.allowed]),
    );
    for (const t of todo) t.allowed = claims.get(t.id) ?? false;
    const sending = todo.filter((t) => t.allowed);
    const held: NudgeRecord[] = todo
      .filter((t) => !t.allowed)
      .map((t) => ({ id: t.id, leadId: t.lead.id, kind: t.n.kind, owner: t.lead.owner, title: t.n.title, createdAt: now }));
    await this.d.outbox.enqueueMany(
      sending.map((t) => ({
        key: `nudge:${t.id}`,
        touser: t.lead.owner,
        body: { msgtype: 'template_card' as const, template_card: nudgeCard(t.n, t.id, t.lead) },
        duplicateCheck: true,
      })),
    );
    const newlyHeld = await this.d.nudges.holdMany(held);
    // The timeline entry is the nudge's record: kind, title, when; a press adds a nudge_acted entry with its id.
    const firsts = await this.d.store.recordMany(
      sending.map((t) => ({
        leadId: t.lead.id,
        entry: {
          id: `nudge:${t.id}`,
          at: now,
          kind: 'nudge_sent' as const,
          source: 'api' as const,
          actor: t.lead.owner,
          nudgeKind: t.n.kind,
          nudgeId: t.id,
          note: t.n.title,
        },
      })),
      due,
    );
    // The entry's insert tells exactly one sweep it was first: that one counts and escalates.
    const firstSent = sending.filter((_, i) => firsts[i]);
    const byKind = new Map<string, number>();
    for (const t of firstSent) {
      byKind.set(t.n.kind, (byKind.get(t.n.kind) ?? 0) + 1);
      await this.escalateIfIgnored(t.lead, t.n, t.timeline, now);
    }
    await this.d.activity.count(...[...byKind].map(([kind, n]) => ({ event: 'nudges_sent', kind, n })), { event: 'nudges_capped', n: newlyHeld });
    return { sent: firstSent.length, capped: newlyHeld };
  }

  /**
   * Cards stay true: a nudge that something else resolved since it was sent (see newlyResolvedNudges) gets its card
   * updated to say so — with the response_code WeCom gave when it was sent (valid 72 h, once) — and a nudge_resolved
   * entry, so it is neither counted as ignored nor acted on again by a late press. Answers the entries it added.
   */
  private async closeResolvedCards(leadId: string, timeline: TimelineEntry[], now: number): Promise<TimelineEntry[]> {
    const added: TimelineEntry[] = [];
    for (const r of newlyResolvedNudges(timeline)) {
      const mark = await this.d.marks?.get(`nudge:${r.nudgeId}`);
      // The card's send has not completed (no response_code yet): leave it unresolved, so the sweep after the send
      // updates the card — whichever came first, the rep's action or WeCom's answer. After 72 h the code is dead anyway.
      if (this.d.cards && this.d.marks && !mark && now - r.sentAt < CARD_CODE_MS) continue;
      const code = mark?.responseCode;
      if (code && this.d.cards) {
        await this.d.cards.markDone(code, r.label).catch((err: Error) => {
          this.d.log.warn({ reason: 'nudge.card_update_failed', nudgeId: r.nudgeId, err: err.message }, "a resolved nudge's card could not be updated");
        });
      }
      const entry: TimelineEntry = {
        id: `resolved:${r.nudgeId}`,
        at: Math.max(now, r.by.at),
        kind: 'nudge_resolved',
        source: 'api',
        nudgeKind: r.kind,
        nudgeId: r.nudgeId,
        note: r.label,
      };
      if (await this.d.store.addEntry(leadId, entry)) added.push(entry);
    }
    return added;
  }

  /** The same lead's nudge of one kind, ignored `escalateAfterIgnored` times in a row, goes to the rep's manager. */
  private async escalateIfIgnored(lead: Lead, n: Nudge, timeline: TimelineEntry[], now: number): Promise<void> {
    const ignored = ignoredInARow(timeline, n.kind); // before this one
    if (!shouldEscalate(ignored, this.d.escalateAfterIgnored)) return;
    const manager = await this.d.managers.managerOf(lead.owner);
    if (!manager) return;
    await this.d.outbox.enqueue({
      key: `escalate:${lead.id}:${n.kind}:${ignored}`,
      touser: manager,
      body: { msgtype: 'text', text: { content: COPY.escalation(await this.d.managers.nameOf(lead.owner), lead, n.title, ignored) } },
      duplicateCheck: true,
    });
    if (
      await this.d.store.addEntry(lead.id, {
        id: `escalated:${lead.id}:${n.kind}:${ignored}`,
        at: now,
        kind: 'nudge_ignored',
        source: 'api',
        nudgeKind: n.kind,
        actor: manager,
        note: `escalated after ${ignored}`,
      })
    ) {
      await this.d.activity.count({ event: 'nudges_escalated', kind: n.kind });
    }
  }

  /** Monday's digest: this week's calls ranked by risk, with the direct question, plus what the cap held back. */
  async digest(owners: string[], overflowTitles: (rep: string) => Promise<string[]>): Promise<number> {
    const now = this.d.clock.now();
    const week = DateTime.fromMillis(now, { zone: this.d.settings.timeZone }).toFormat("kkkk-'W'WW");
    let sent = 0;
    for (const rep of owners) {
      const leads = (await this.d.store.leadsOf(rep)).filter(isFollowedUp);
      if (leads.length === 0) continue;
      const scored = await Promise.all(
        leads.map(async (l) => {
          const m = computeMetrics(l, await this.d.store.getTimeline(l.id), now);
          return { l, m, risk: digestRisk(l, m, now, this.d.settings.timeZone) };
        }),
      );
      scored.sort((a, b) => b.risk - a.risk);
      const held = await overflowTitles(rep);
      const content = fitList(
        [`**本周要亲自打的电话（${Math.min(scored.length, 10)} 位）**`],
        scored
          .slice(0, 10)
          .map(
            ({ l, m }, i) =>
              `${i + 1}. ${displayName(l)} · ${STATE_LABELS[l.state]} · ${m.quietDays} 天没动静${l.decisionDate ? ` · 决策日 ${shownDate(l.decisionDate)}` : ''}`,
          ),
        [
          `\n直接问：「${WEEKLY_QUESTION}」`,
          ...(held.length ? ['\n**上周超出每日提醒上限、没来得及推送的：**', ...held.slice(0, 10).map((t) => `- ${asMarkdown(t, 40)}`)] : []),
          ...(held.length > 10 ? [`…等 ${held.length - 10} 条`] : []),
          '\n打完电话，把下一步拖进会议或工作群。',
        ],
        moreOf,
      );
      await this.d.outbox.enqueue({
        key: `digest:${rep}:${week}`,
        touser: rep,
        body: { msgtype: 'markdown', markdown: { content } },
        duplicateCheck: true,
      });
      sent++;
    }
    return sent;
  }
}
