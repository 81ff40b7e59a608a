import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SOURCES } from '../domain/lead';

/**
 * Policy: everything that is a decision rather than a secret. Lives in a readable JSON file under config/,
 * validated with the same rigour as the environment.
 */
export const policySchema = z
  .object({
    ingress: z
      .object({
        /** Callbacks are a few KB (64 KB by default); 1 MB is the hard ceiling. */
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 * 1024),
        /** How long a callback's idempotency key is remembered (WeCom retries within seconds; reorders within minutes). */
        dedupTtlHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30),
        /**
         * Freshness of a callback's signed timestamp: older than this is refused (TIMESTAMP_STALE, 401). Covers WeCom's
         * retries (seconds) and our 503s while Redis is away; far narrower than the dedupe TTL, so no replay outlives it.
         */
        maxAgeSeconds: z
          .number()
          .int()
          .min(60)
          .max(24 * 3600),
        /** How far ahead of our clock a timestamp may be (clock skew). */
        maxFutureSeconds: z.number().int().min(5).max(3600),
      })
      .strict()
      .refine((i) => i.maxAgeSeconds * 4 <= i.dedupTtlHours * 3600, {
        message: 'maxAgeSeconds must be at most a quarter of dedupTtlHours: a replay must be refused by its age long before its dedupe key expires',
      }),
    http: z
      .object({
        /** A client must have sent its whole request head within this (slow-loris). */
        headersTimeoutMs: z.number().int().min(500).max(120_000),
        /** A client must have sent its whole request within this. */
        requestTimeoutMs: z.number().int().min(1000).max(300_000),
        /** An idle keep-alive connection is closed after this. */
        keepAliveTimeoutMs: z.number().int().min(100).max(300_000),
        /** Open connections at most; more are refused at accept. */
        maxConnections: z.number().int().min(10).max(1_000_000),
      })
      .strict()
      .refine((h) => h.headersTimeoutMs <= h.requestTimeoutMs, { message: 'headersTimeoutMs must not exceed requestTimeoutMs' }),
    board: z
      .object({
        /** Teams a manager sees besides the members whose direct_leader they are: manager userid → rep userids. */
        teams: z.record(z.string().min(1), z.array(z.string().min(1)).max(1000)).default({}),
        /** A board session ends after this long without a request, and after sessionMaxHours in any case. */
        sessionIdleMinutes: z
          .number()
          .int()
          .min(5)
          .max(24 * 60)
          .default(120),
        sessionMaxHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(12),
        /** How long who-reports-to-whom (user/get → direct_leader) is kept before it is asked again. */
        leadersCacheMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(60),
      })
      .strict()
      .default({ teams: {}, sessionIdleMinutes: 120, sessionMaxHours: 12, leadersCacheMinutes: 5 }),
    signals: z
      .object({
        /** Your competitors' names, read as `competitors` signals in customers' words (added to the built-in vendors). */
        competitors: z.array(z.string().trim().min(2).max(40)).max(500).default([]),
      })
      .strict()
      .default({ competitors: [] }),
    archive: z
      .object({
        /** A chat-archive batch (≤ 5,000 records) is at most this large. */
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024),
        /** Archive batches read at once; more answer 429 (ARCHIVE_BUSY). Bounds the memory an ingest can take. */
        maxConcurrent: z.number().int().min(1).max(64),
        /** The puller (WECOM_ARCHIVE_SDK_PATH): how long after catching up it pulls again (a msgaudit_notify: at once). */
        pullEverySeconds: z.number().int().min(1).max(3600).default(30),
        /** Records per GetChatData: 1–1000 (WeCom's maximum). */
        batchLimit: z.number().int().min(1).max(1000).default(1000),
        /** GetChatData's timeout (Tencent suggests 5 s). */
        timeoutSeconds: z.number().int().min(1).max(120).default(5),
        /** The single-puller lease: if its holder dies, another process takes over this much later. */
        leaseSeconds: z.number().int().min(2).max(600).default(30),
        /** How long WeCom keeps archived messages: a longer pause is reported as a gap. */
        retentionDays: z.number().min(1).max(30).default(5),
        /** Backoff after a network or WeCom error: 1 s, doubling, at most this. */
        maxBackoffSeconds: z.number().int().min(1).max(3600).default(60),
        /** After an error only an operator can fix (wrong Secret, IP whitelist, service off), the next try after this. */
        stoppedRetryMinutes: z.number().min(0.01).max(1440).default(10),
      })
      .strict(),
    inbox: z
      .object({
        attempts: z.number().int().min(1).max(50),
        backoffMs: z.number().int().min(10).max(3_600_000),
        concurrency: z.number().int().min(1).max(256),
        keepCompletedHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30),
        keepCompletedMax: z.number().int().min(100).max(10_000_000),
        /**
         * The webhook's stream holds at most this many callbacks. Callbacks no pump has handed to BullMQ are never
         * trimmed: when they alone fill it, the webhook answers 503 (INBOX_FULL) and WeCom retries.
         */
        streamMaxLen: z.number().int().min(1000).max(100_000_000),
        /** Callbacks already handed to BullMQ that the stream keeps as an audit trail (trimmed past this). */
        keepForwarded: z.number().int().min(0).max(100_000_000),
      })
      .strict()
      .refine((i) => i.keepForwarded < i.streamMaxLen, { message: 'keepForwarded must be less than streamMaxLen (room must remain for new callbacks)' }),
    send: z
      .object({
        /** WeCom drops (silently) what exceeds 30/min and 1000/h per member: never set these higher. */
        perMemberPerMinute: z.number().int().min(1).max(30),
        perMemberPerHour: z.number().int().min(1).max(1000),
        /** The app's daily quota: 200 × the company's licensed accounts (WeCom's rule); set it for your company. */
        appPerDay: z.number().int().min(1),
        /** Our windows are this much longer than WeCom's, for clock skew. */
        marginMs: z.number().int().min(0).max(60_000),
        concurrency: z.number().int().min(1).max(64),
        /**
         * WeCom's duplicate check window (duplicate_check_interval, at most 4 h) for the messages that ask for the check:
         * nudges, and a re-send after an attempt whose outcome is unknown (BullMQ re-runs a dead worker's job within about
         * a minute). Replies to a rep never ask for it: the same question twice gets two answers.
         */
        duplicateCheckSeconds: z.number().int().min(60).max(14_400),
      })
      .strict(),
    ledger: z
      .object({
        /** The add event's State (contact-way state or 获客链接 channel) → source channel; first match wins. */
        sourceRules: z.array(
          z
            .object({
              pattern: z.string().refine((p) => {
                try {
                  new RegExp(p, 'i');
                  return true;
                } catch {
                  return false;
                }
              }, 'must be a valid regular expression'),
              source: z.enum(SOURCES),
            })
            .strict(),
        ),
        /** When the nightly reconciliation runs (cron, business time zone). */
        reconcileCron: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a 5-field cron expression'),
      })
      .strict(),
    nudges: z
      .object({
        positionAfterHours: z.number().min(0).max(72),
        weeklyCallDays: z.number().int().min(1).max(30),
        quietDays: z
          .object({ unknown: z.number().min(1), exploring: z.number().min(1), price_check: z.number().min(1), benchmarking: z.number().min(1) })
          .strict(),
        proposalHours: z.number().min(0).max(240),
        widenChainDays: z.number().min(0).max(60),
        repeatDays: z
          .object({
            decision_due: z.number().min(0),
            proposal_to_meeting: z.number().min(0),
            confirm_state: z.number().min(0).default(1),
            position: z.number().min(0),
            confirm_decision: z.number().min(0).default(1),
            quiet: z.number().min(0),
            weekly_call: z.number().min(0),
            open_group: z.number().min(0),
            widen_chain: z.number().min(0),
          })
          .strict(),
        recheckHours: z
          .number()
          .min(1)
          .max(24 * 14),
        leadGapHours: z
          .number()
          .min(0)
          .max(24 * 14),
        /** Nudges a rep gets per business day at most; the rest wait in the next digest. */
        dailyCapPerRep: z.number().int().min(1).max(200),
        sweepEveryMinutes: z.number().int().min(1).max(60),
        sweepBatch: z.number().int().min(10).max(100_000),
        /** The weekly digest (cron, business time zone). */
        digestCron: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a 5-field cron expression'),
        /** The same lead's nudge ignored this many times goes to the rep's manager. */
        escalateAfterIgnored: z.number().int().min(1).max(20),
        /** rep userid → manager userid, where WeCom's direct_leader is not set. */
        managers: z.record(z.string(), z.string()),
      })
      .strict()
      .refine((n) => n.quietDays.price_check <= n.quietDays.exploring && n.quietDays.benchmarking <= n.quietDays.exploring, {
        message: 'quietDays for price_check and benchmarking must not be longer than for exploring',
      }),
    wecomApi: z
      .object({
        timeoutMs: z.number().int().min(100).max(60_000),
        attempts: z.number().int().min(1).max(5),
        backoffMs: z.number().int().min(1).max(60_000),
      })
      .strict(),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;

export function parsePolicy(raw: unknown, source: string): { policy?: Policy; problems: string[] } {
  const parsed = policySchema.safeParse(raw);
  if (parsed.success) return { policy: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`),
  };
}

export function readPolicyFile(path: string): { policy?: Policy; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problems: [`CONFIG_FILE ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problems: [`CONFIG_FILE ${path}: not valid JSON (${(err as Error).message})`] };
  }
  return parsePolicy(json, path);
}
