import type { ArchiveStatus } from '../app/ports';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A queue's job counts by state (BullMQ's getJobCounts). */
export type QueueCounts = Record<string, number>;

/** What the web process can read at scrape time: state shared in Redis, so one scrape sees every worker's work. */
export interface MetricsSources {
  queues: { name: string; counts: () => Promise<QueueCounts> }[];
  /**
   * The durable inbox stream: entries kept; entries handed to a pump but not yet in BullMQ (pending); entries no pump
   * has read yet (unread); and the stream's hard limit, at which the webhook answers 503 (INBOX_FULL).
   */
  inbox: () => Promise<{ length: number; pending: number; unread: number; limit: number }>;
  /** Leads by buying state and by outcome (index sizes). */
  leads: () => Promise<{ state: Record<string, number>; outcome: Record<string, number> }>;
  /** What the workers did, counted in Redis (src/store/activity-store.ts). */
  activity: () => Promise<{ event: string; kind: string; value: number }[]>;
  /** The chat-archive puller's shared status (src/store/archive-state.ts), when one is configured. */
  archive?: () => Promise<ArchiveStatus>;
}

/**
 * Prometheus metrics of the web process (`GET /metrics`, admin token): callbacks answered by route, status and
 * reason code; webhook latency; and, read from Redis at scrape time, queue depths, the inbox backlog and leads by
 * state and outcome — the workers' side, whichever process did the work. Node process metrics come with them.
 */
export class WebMetrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];
  private readonly callbacks = new Counter({
    name: 'wf_callbacks_total',
    help: 'WeCom callbacks answered, by route, HTTP status and reason code',
    labelNames: ['route', 'status', 'reason'],
    registers: this.registers,
  });
  private readonly adminRefusals = new Counter({
    name: 'wf_admin_refused_total',
    help: 'Admin API requests refused: a wrong token (UNAUTHORIZED), or a client throttled after wrong tokens (ADMIN_THROTTLED)',
    labelNames: ['reason'],
    registers: this.registers,
  });
  private readonly latency = new Histogram({
    name: 'wf_callback_seconds',
    help: 'Time to answer a WeCom callback (verify, decrypt, decode, durably record)',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: this.registers,
  });
  private readonly queueJobs = new Gauge({
    name: 'wf_queue_jobs',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'],
    registers: this.registers,
  });
  private readonly inbox = new Gauge({
    name: 'wf_inbox_entries',
    help: 'The durable inbox stream: entries kept (length), handed to a pump but not yet acknowledged (pending), not yet read by any pump (unread), and the hard limit at which callbacks are refused with 503 (limit)',
    labelNames: ['kind'],
    registers: this.registers,
  });
  private readonly leads = new Gauge({
    name: 'wf_leads',
    help: 'Leads by buying state and by outcome',
    labelNames: ['by', 'value'],
    registers: this.registers,
  });
  private readonly activity = new Counter({
    name: 'wf_activity_total',
    help: 'What the product did, across every worker: nudges_sent and nudges_escalated by kind, nudges_capped, card_actions by button, messages_sent by channel (app, robot), robot_reply_fallbacks, messages_failed by errcode, leads_merged',
    labelNames: ['event', 'kind'],
    registers: this.registers,
  });
  private readonly sourceErrors = new Counter({
    name: 'wf_metrics_source_errors_total',
    help: 'Scrape-time reads from Redis that failed, by source',
    labelNames: ['source'],
    registers: this.registers,
  });

  private readonly archiveRecords = new Counter({
    name: 'wf_archive_records_total',
    help: 'Chat-archive records by stage: pulled from WeCom, applied to the ledger, skipped (not a chat message), replayed from parked',
    labelNames: ['stage'],
    registers: this.registers,
  });
  private readonly archiveErrors = new Counter({
    name: 'wf_archive_errors_total',
    help: 'Failed archive pulls by code (sdk:<return code>, errcode:<WeCom errcode>)',
    labelNames: ['code'],
    registers: this.registers,
  });
  private readonly archiveGauges = new Gauge({
    name: 'wf_archive',
    help: 'The chat-archive puller: parked records (no key for their version yet), checkpoint_seq, lag_seconds and lag_seq (while a backlog is pulled), last_success and gap (Unix seconds; gap > 0: a pause longer than the 5-day retention was found), stopped (1 while an error only an operator can fix stops it)',
    labelNames: ['kind'],
    registers: this.registers,
  });

  constructor(private readonly sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'wf_' });
  }

  /** The exposition text: reads the Redis-backed sources first, so every figure in one scrape is from that moment. */
  async render(): Promise<string> {
    const { sources } = this;
    await Promise.all([
      this.read('queues', this.queueJobs, async () => {
        const all = await Promise.all(sources.queues.map(async (q) => ({ name: q.name, counts: await q.counts() })));
        for (const q of all) for (const [state, n] of Object.entries(q.counts)) this.queueJobs.set({ queue: q.name, state }, n);
      }),
      this.read('inbox', this.inbox, async () => {
        const { length, pending, unread, limit } = await sources.inbox();
        this.inbox.set({ kind: 'length' }, length);
        this.inbox.set({ kind: 'pending' }, pending);
        this.inbox.set({ kind: 'unread' }, unread);
        this.inbox.set({ kind: 'limit' }, limit);
      }),
      this.read('activity', this.activity, async () => {
        for (const a of await sources.activity()) this.activity.inc({ event: a.event, kind: a.kind }, a.value);
      }),
      this.readArchive(),
      this.read('leads', this.leads, async () => {
        const { state, outcome } = await sources.leads();
        for (const [value, n] of Object.entries(state)) this.leads.set({ by: 'state', value }, n);
        for (const [value, n] of Object.entries(outcome)) this.leads.set({ by: 'outcome', value }, n);
      }),
    ]);
    return this.registry.metrics();
  }

  private async readArchive(): Promise<void> {
    const source = this.sources.archive;
    if (!source) return;
    await this.read('archive', this.archiveGauges, async () => {
      this.archiveRecords.reset();
      this.archiveErrors.reset();
      const s = await source();
      for (const stage of ['pulled', 'applied', 'skipped', 'replayed'] as const) this.archiveRecords.inc({ stage }, s[stage]);
      for (const [code, n] of Object.entries(s.errors)) this.archiveErrors.inc({ code }, n);
      const g = this.archiveGauges;
      g.set({ kind: 'parked' }, s.parked);
      g.set({ kind: 'checkpoint_seq' }, s.checkpoint);
      g.set({ kind: 'lag_seconds' }, s.lagSeconds);
      g.set({ kind: 'lag_seq' }, s.lagSeq);
      g.set({ kind: 'last_success' }, s.lastSuccessAt ? Math.floor(s.lastSuccessAt / 1000) : 0);
      g.set({ kind: 'gap' }, s.gapAt ? Math.floor(s.gapAt / 1000) : 0);
      g.set({ kind: 'stopped' }, s.stopped ? 1 : 0);
    });
  }

  /**
   * Refills one Redis-backed metric. A source that fails (Redis away) leaves it empty for this scrape and counts the
   * failure; the scrape itself still answers, with the process and callback metrics.
   */
  private async read(source: string, metric: Gauge | Counter, fill: () => Promise<void>): Promise<void> {
    metric.reset();
    try {
      await fill();
    } catch {
      metric.reset();
      this.sourceErrors.inc({ source });
    }
  }

  /** Label children by route, status and reason, bound once: prom-client hashes a label object on every call otherwise. */
  adminRefused(reason: string): void {
    this.adminRefusals.labels(reason).inc();
  }

  private readonly bound = new Map<string, { count: Counter.Internal; time: Histogram.Internal<string> }>();

  /** One answered callback. `startedAt` from performance.now(). */
  callback(route: string, status: number, reason: string, startedAt: number): void {
    const key = `${route} ${status} ${reason}`;
    let b = this.bound.get(key);
    if (!b) this.bound.set(key, (b = { count: this.callbacks.labels(route, String(status), reason), time: this.latency.labels(route) }));
    b.count.inc();
    b.time.observe((performance.now() - startedAt) / 1000);
  }
}
