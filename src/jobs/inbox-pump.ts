import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../store/redis';
import type { Policy } from '../config/policy';
import type { Logger } from '../log';
import { inboxKeys, readInboxRecord, trimForwarded } from '../store/stream-inbox';
import { decodeAppPlaintext, decodeBotPlaintext } from '../wecom/codec';
import { decodeArchivePlaintext } from '../wecom/archive-record';
import { CallbackError } from '../wecom/errors';
import type { InboxEnvelope, ReceivedCallback } from '../wecom/events';
import { inboxJobOptions, type InboxJobData } from './inbox-queue';

type StreamEntry = [id: string, fields: string[]];

/**
 * Moves callbacks from the webhook's stream into the BullMQ inbox queue, in batches. Every worker process runs
 * one; Redis's consumer group gives each entry to one of them. An entry is acknowledged only after its job is in
 * BullMQ (job id = event id, so re-adding is a no-op); entries a crashed pump left unacknowledged are claimed by
 * another pump after `claimIdleMs`. BullMQ then distributes the jobs to the workers.
 */
export class InboxPump {
  private readonly keys;
  private running = false;
  private loop?: Promise<void>;
  readonly consumer = `pump-${process.pid}-${randomBytes(3).toString('hex')}`;

  constructor(
    private readonly blocking: RedisClient,
    private readonly queue: Queue<InboxJobData>,
    private readonly prefix: string,
    private readonly policy: Policy,
    private readonly log: Logger,
    private readonly opts: { batch?: number; blockMs?: number; claimIdleMs?: number } = {},
  ) {
    this.keys = inboxKeys(prefix);
  }

  async start(): Promise<void> {
    await this.ensureGroup();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async ensureGroup(): Promise<void> {
    try {
      // From the beginning of the stream: nothing the webhook stored before the first pump started is skipped.
      await this.blocking.xgroup('CREATE', this.keys.stream, this.keys.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  private async run(): Promise<void> {
    const batch = this.opts.batch ?? 256;
    const claimEvery = this.opts.claimIdleMs ?? 30_000;
    let lastClaim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastClaim >= Math.min(claimEvery, 10_000)) {
          lastClaim = Date.now();
          await this.claimStale(claimEvery, batch);
        }
        const res = (await this.blocking.xreadgroup(
          'GROUP',
          this.keys.group,
          this.consumer,
          'COUNT',
          batch,
          'BLOCK',
          this.opts.blockMs ?? 1000,
          'STREAMS',
          this.keys.stream,
          '>',
        )) as [string, StreamEntry[]][] | null;
        const entries = res?.[0]?.[1] ?? [];
        if (entries.length > 0) await this.forward(entries);
      } catch (err) {
        const msg = (err as Error).message;
        if (msg.includes('NOGROUP')) {
          await this.ensureGroup().catch(() => undefined); // Redis restarted empty
        } else if (this.running) {
          this.log.warn({ reason: 'inbox.pump_error', err: msg }, 'inbox pump failed a round: entries stay pending and are retried');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }

  private async claimStale(idleMs: number, batch: number): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.blocking.xautoclaim(this.keys.stream, this.keys.group, this.consumer, idleMs, cursor, 'COUNT', batch)) as [
        string,
        (StreamEntry | null)[],
      ];
      const live = entries.filter((e): e is StreamEntry => Array.isArray(e) && Array.isArray(e[1]));
      if (live.length > 0) {
        this.log.info({ reason: 'inbox.pump_reclaimed', count: live.length }, 'claimed callbacks a stopped pump left behind');
        await this.forward(live);
      }
      cursor = next;
    } while (cursor !== '0-0' && this.running);
  }

  private async forward(entries: StreamEntry[]): Promise<void> {
    const jobs: { name: string; data: InboxJobData; opts: ReturnType<typeof inboxJobOptions> }[] = [];
    for (const [streamId, fields] of entries) {
      const callback = readInboxRecord(fields);
      if (!callback) {
        this.log.error({ reason: 'inbox.unreadable_entry', streamId }, 'inbox entry cannot be read: acknowledged and left in the stream');
        continue;
      }
      const envelope = this.decode(callback, streamId);
      jobs.push({ name: envelope.event.kind, data: envelope, opts: inboxJobOptions(envelope.id, this.policy) });
    }
    if (jobs.length > 0) await this.queue.addBulk(jobs);
    await this.blocking.xack(this.keys.stream, this.keys.group, ...entries.map((e) => e[0]));
    // Only now may these entries leave the stream: trim what every pump has handed over, beyond the audit trail.
    await trimForwarded(this.blocking, this.prefix, this.policy.inbox.keepForwarded);
  }

  /**
   * Decodes a stored callback. The webhook proved it signed and keyed it, but decodes only what its key needs
   * (callbackIdOf): a plaintext that does not decode becomes an `unknown` event saying why — stored, never dropped.
   */
  private decode(callback: ReceivedCallback, streamId: string): InboxEnvelope {
    try {
      const event =
        callback.channel === 'app'
          ? decodeAppPlaintext(callback.plaintext)
          : callback.channel === 'bot'
            ? decodeBotPlaintext(callback.plaintext)
            : decodeArchivePlaintext(callback.plaintext);
      return { ...callback, event };
    } catch (err) {
      if (!(err instanceof CallbackError)) throw err;
      this.log.error(
        { reason: err.code, streamId, eventId: callback.id, detail: err.message },
        'a signed callback does not decode: stored as an unknown event for an operator',
      );
      return { ...callback, event: { kind: 'unknown', channel: callback.channel, createTime: 0, type: `malformed: ${err.message}` } };
    }
  }
}
