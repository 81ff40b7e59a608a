import { z } from 'zod';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { sdkFailure, serverFailure, type ArchiveFailure } from '../wecom/archive-errors';
import { toArchiveRecord } from '../wecom/archive-record';
import type { ArchiveRecord } from '../wecom/events';
import type { ArchiveKeyRing, ArchiveLease, ArchivePullState, ArchiveResult, ChatArchiveSdk, EncryptedArchiveItem, ParkedArchiveItem } from './ports';

export interface ArchivePullSettings {
  /** Records per GetChatData (1–1000). */
  limit: number;
  /** GetChatData's own timeout (Tencent suggests 5 s). */
  timeoutSeconds: number;
  /** How long after catching up the next pull comes (a msgaudit_notify brings it forward). */
  pullEveryMs: number;
  /** The lease's time to live; it is renewed every third of it while held. */
  leaseMs: number;
  /** How long WeCom keeps archived messages (5 days): a longer pause loses records. */
  retentionMs: number;
  /** Backoff after a retryable failure: 1 s, doubling, at most this. */
  maxBackoffMs: number;
  /** After a failure only an operator can fix (a wrong Secret, the IP whitelist), the next try comes this much later. */
  stoppedRetryMs: number;
}

/** What one pull came to. */
export type PullOutcome =
  | { kind: 'more' | 'caught_up'; pulled: number; applied: number; parked: number; skipped: number; seq: number }
  | { kind: 'failed'; failure: ArchiveFailure }
  | { kind: 'lost_lease' };

const itemSchema = z.object({
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  msgid: z.string().min(1).max(256),
  publickey_ver: z.number().int().nonnegative(),
  encrypt_random_key: z.string().max(4096),
  encrypt_chat_msg: z.string(),
});

const answerSchema = z.object({
  errcode: z.number().int().optional(),
  errmsg: z.string().optional(),
  // Caught up, WeCom may leave chatdata out altogether.
  chatdata: z.array(z.unknown()).optional(),
});

/** A record opened: what the ledger takes, or why it is kept aside. */
type Opened = { ok: true; record?: ArchiveRecord } | { ok: false; parked: ParkedArchiveItem };

/**
 * The chat-archive puller: pulls WeCom's archive through the SDK, opens each record with the company's key of its
 * version, applies the batch through the one archive path (ingestArchive), and only then moves the checkpoint —
 * fenced by the lease, so exactly one puller across every process moves it, and a crash anywhere re-pulls a batch
 * that is applied again without effect (entries are keyed by msgid). A record whose key is missing is parked (kept,
 * listed, counted) and replayed once the key is added; never skipped.
 */
export class ArchivePuller {
  private lease?: ArchiveLease;
  private renewTimer?: NodeJS.Timeout;
  private stopped = false;
  private wakeUp?: () => void;
  private woken = false;
  private loop?: Promise<void>;
  private backoffMs = 0;
  private limit: number;

  constructor(
    private readonly d: {
      sdk: ChatArchiveSdk;
      keys: ArchiveKeyRing;
      state: ArchivePullState;
      /** The archive path every record takes (ingestArchive), in the worker. */
      apply: (records: ArchiveRecord[]) => Promise<ArchiveResult>;
      /** After each pull that succeeded: messages held for leads that now exist are applied (replayHeld). */
      afterPull?: () => Promise<number>;
      clock: Clock;
      log: Logger;
      settings: ArchivePullSettings;
      /** Who pulls (host and process), for the lease and the logs. */
      owner: string;
    },
  ) {
    this.limit = d.settings.limit;
  }

  /** Pulls until stopped: at once, then whenever caught up every pullEvery, or woken (wake). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Pull now (a msgaudit_notify, a replay asked for), or as soon as the pull in flight is done. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.lease) await this.d.state.release(this.lease).catch(() => undefined);
    this.lease = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let wait: number;
      try {
        wait = await this.step();
      } catch (err) {
        // Redis down, say: the checkpoint did not move, so the batch is pulled again.
        this.d.log.error({ reason: 'archive.pull_error', err: (err as Error).message }, 'archive pull failed: retrying');
        wait = this.nextBackoff();
      }
      if (wait > 0) await this.sleep(wait);
    }
  }

  /** One turn of the loop; answers how long to wait before the next. */
  private async step(): Promise<number> {
    const s = this.d.settings;
    if (!(await this.holdLease())) return Math.min(s.leaseMs / 2, s.pullEveryMs);
    if (await this.d.state.takeRetryRequest()) await this.replayParked();
    this.woken = false;
    const outcome = await this.pullOnce();
    if ((outcome.kind === 'more' || outcome.kind === 'caught_up') && this.d.afterPull) {
      const replayed = await this.d.afterPull();
      if (replayed) this.d.log.info({ reason: 'archive.held_applied', replayed }, 'held archive messages applied to their new leads');
    }
    switch (outcome.kind) {
      case 'more':
        this.backoffMs = 0;
        return 0;
      case 'caught_up':
        this.backoffMs = 0;
        return s.pullEveryMs;
      case 'lost_lease':
        return 0;
      case 'failed':
        return this.afterFailure(outcome.failure);
    }
  }

  /** Holds the lease, taking it if free; false while another process holds it (this one waits). */
  private async holdLease(): Promise<boolean> {
    if (this.lease) return true;
    const lease = await this.d.state.acquire(this.d.owner, this.d.settings.leaseMs);
    if (!lease) return false;
    this.lease = lease;
    this.d.log.info({ reason: 'archive.lease_taken', token: lease.token, owner: lease.owner }, 'this process now pulls the chat archive');
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.d.settings.leaseMs / 3)));
    this.renewTimer.unref();
    return true;
  }

  private async renew(): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    const kept = await this.d.state.renew(lease, this.d.settings.leaseMs).catch(() => true);
    if (!kept && this.lease === lease) this.dropLease('renewal refused');
  }

  private dropLease(why: string): void {
    this.d.log.warn({ reason: 'archive.lease_lost', token: this.lease?.token, why }, 'lost the archive lease: another process pulls now');
    this.lease = undefined;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  /** One GetChatData after the checkpoint, opened, applied, and the checkpoint moved (fenced). */
  async pullOnce(): Promise<PullOutcome> {
    const lease = this.lease;
    if (!lease) return { kind: 'lost_lease' };
    const { state, sdk, log, clock, settings } = this.d;
    // The checkpoint and the last success, in one read of the shared status.
    const status = await state.status();
    const seq = status.checkpoint;
    const now = clock.now();
    if (status.lastSuccessAt !== undefined && now - status.lastSuccessAt > settings.retentionMs) await this.reportGap(now, status.lastSuccessAt);
    const answer = await sdk.getChatData(seq, this.limit, settings.timeoutSeconds);
    if (answer.ret !== 0 || answer.text === undefined) return this.failed(sdkFailure(answer.ret || 10002), status.lastSuccessAt);
    let parsed: z.infer<typeof answerSchema>;
    try {
      parsed = answerSchema.parse(JSON.parse(answer.text));
    } catch {
      return this.failed(sdkFailure(10002), status.lastSuccessAt);
    }
    // ret 0 can still carry WeCom's errcode: then there is no data, whatever chatdata holds.
    if (parsed.errcode) return this.failed(serverFailure(parsed.errcode, parsed.errmsg ?? ''), status.lastSuccessAt);
    const raw = parsed.chatdata ?? [];
    if (raw.length === 0) {
      await state.noteCaughtUp(now);
      this.limit = settings.limit;
      return { kind: 'caught_up', pulled: 0, applied: 0, parked: 0, skipped: 0, seq };
    }
    const records: ArchiveRecord[] = [];
    const parked: ParkedArchiveItem[] = [];
    let skipped = 0;
    let maxSeq = seq;
    for (const r of raw) {
      const item = itemSchema.safeParse(r);
      const itemSeq = typeof (r as { seq?: unknown })?.seq === 'number' ? (r as { seq: number }).seq : undefined;
      if (itemSeq !== undefined && itemSeq > maxSeq) maxSeq = itemSeq;
      if (!item.success) {
        // Kept with what it has, so an operator sees it; nothing is dropped unseen.
        parked.push({ item: malformedItem(r, itemSeq), reason: 'malformed', parkedAt: now });
        continue;
      }
      const opened = this.open(item.data, now);
      if (!opened.ok) parked.push(opened.parked);
      else if (opened.record) records.push(opened.record);
      else skipped++;
    }
    await state.park(parked);
    const result = records.length ? await this.d.apply(records) : undefined;
    const full = raw.length >= this.limit;
    const newest = records.reduce((m, r) => Math.max(m, r.msgtime), 0);
    const lagSeconds = full && newest ? Math.max(0, Math.round((now - newest) / 1000)) : 0;
    const moved = await state.advance(lease, maxSeq, {
      pulled: raw.length,
      applied: records.length,
      skipped,
      parked: parked.length,
      at: now,
      lagSeconds,
      lagSeq: full ? raw.length : 0,
    });
    if (!moved) {
      if (this.lease === lease) this.dropLease('checkpoint fenced');
      return { kind: 'lost_lease' };
    }
    if (parked.length)
      log.error(
        { reason: 'archive.parked', parked: parked.length, versions: [...new Set(parked.map((p) => p.item.publickey_ver))], have: this.d.keys.versions() },
        '有消息的私钥版本缺失，已暂存 / records parked: add the private key of their version to WECOM_ARCHIVE_KEYS, then POST /api/archive/parked/retry',
      );
    log.info(
      { reason: 'archive.pulled', from: seq, to: maxSeq, pulled: raw.length, applied: records.length, parked: parked.length, skipped, ...result },
      'archive batch applied',
    );
    this.limit = settings.limit;
    return { kind: full ? 'more' : 'caught_up', pulled: raw.length, applied: records.length, parked: parked.length, skipped, seq: maxSeq };
  }

  /** A record's plaintext through its version's key and the SDK's DecryptData; unopenable ones are parked. */
  private open(item: EncryptedArchiveItem, now: number): Opened {
    const key = this.d.keys.open(item.publickey_ver, item.encrypt_random_key);
    if (!key.ok) return { ok: false, parked: { item, reason: key.reason, parkedAt: now } };
    const plain = this.d.sdk.decryptData(key.key, item.encrypt_chat_msg);
    if (plain.ret !== 0 || plain.text === undefined)
      return {
        ok: false,
        parked: { item, reason: plain.ret === 10007 ? 'missing_key' : plain.ret === 10006 ? 'unreadable_key' : 'decrypt_failed', parkedAt: now },
      };
    let json: unknown;
    try {
      json = JSON.parse(plain.text);
    } catch {
      return { ok: false, parked: { item, reason: 'decrypt_failed', parkedAt: now } };
    }
    // Not a chat message (a 切换企业 log has no msgtype): counted as skipped.
    return { ok: true, record: toArchiveRecord(json) };
  }

  /** Replays the parked records with the keys as they are now; those still unopenable stay parked. */
  async replayParked(): Promise<{ replayed: number; stillParked: number }> {
    const { state, keys, log, clock } = this.d;
    try {
      const versions = keys.reload();
      log.info({ reason: 'archive.keys_reloaded', versions }, 'archive keys read again');
    } catch (err) {
      log.error({ reason: 'archive.keys_invalid', err: (err as Error).message }, 'the archive keys could not be read again: the keys loaded before stay');
    }
    let offset = 0;
    let replayed = 0;
    for (;;) {
      const page = await state.parked(offset, 500);
      if (page.items.length === 0) break;
      const records: ArchiveRecord[] = [];
      const done: string[] = [];
      for (const p of page.items) {
        const opened = itemSchema.safeParse(p.item).success ? this.open(p.item, clock.now()) : undefined;
        if (!opened?.ok) continue;
        if (opened.record) records.push(opened.record);
        done.push(p.item.msgid);
      }
      if (records.length) await this.d.apply(records);
      await state.unpark(done);
      replayed += done.length;
      offset += page.items.length - done.length;
    }
    const stillParked = (await state.parked(0, 1)).total;
    log.info({ reason: 'archive.replayed', replayed, stillParked }, 'parked archive records replayed');
    return { replayed, stillParked };
  }

  private async failed(failure: ArchiveFailure, lastSuccessAt: number | undefined): Promise<PullOutcome> {
    const now = this.d.clock.now();
    const stop = failure.disposition === 'stop' || failure.disposition === 'gap';
    await this.d.state.noteError(failure.code, failure.hint, now, stop);
    if (failure.disposition === 'gap') await this.reportGap(now, lastSuccessAt);
    const level = stop ? 'error' : 'warn';
    this.d.log[level]({ reason: 'archive.failed', code: failure.code, disposition: failure.disposition }, failure.hint);
    // Failing for most of the retention: records are about to be lost.
    if (lastSuccessAt !== undefined && now - lastSuccessAt > this.d.settings.retentionMs * 0.8 && failure.disposition !== 'gap')
      this.d.log.error(
        { reason: 'archive.retention_near', sinceSuccessHours: Math.round((now - lastSuccessAt) / 3_600_000) },
        '会话存档即将超过 5 天保留期，请尽快处理 / the archive has failed for most of its 5-day retention: fix it before records are lost',
      );
    return { kind: 'failed', failure };
  }

  private async reportGap(now: number, lastSuccessAt: number | undefined): Promise<void> {
    await this.d.state.noteGap(now);
    this.d.log.error(
      { reason: 'archive.gap', lastSuccessAt, hours: lastSuccessAt === undefined ? undefined : Math.round((now - lastSuccessAt) / 3_600_000) },
      '会话存档中断超过 5 天，期间更早的消息已无法拉取 / the archive was not pulled for longer than its 5-day retention: records from the gap may be lost',
    );
  }

  private afterFailure(f: ArchiveFailure): number {
    switch (f.disposition) {
      case 'smaller':
        this.limit = Math.max(1, Math.floor(this.limit / 2));
        return 0;
      case 'stop':
      case 'gap':
        return this.d.settings.stoppedRetryMs;
      case 'retry':
      case 'park':
        return this.nextBackoff();
    }
  }

  private nextBackoff(): number {
    this.backoffMs = Math.min(this.d.settings.maxBackoffMs, this.backoffMs ? this.backoffMs * 2 : 1000);
    return this.backoffMs;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped || this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}

/** A record GetChatData gave without the fields it must have: kept under what it has. */
function malformedItem(r: unknown, seq: number | undefined): EncryptedArchiveItem {
  const o = (typeof r === 'object' && r ? r : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 4096) : '');
  return {
    seq: seq ?? 0,
    msgid: str(o.msgid) || `seq-${seq ?? 'unknown'}`,
    publickey_ver: typeof o.publickey_ver === 'number' ? o.publickey_ver : 0,
    encrypt_random_key: str(o.encrypt_random_key),
    encrypt_chat_msg: str(o.encrypt_chat_msg),
  };
}
