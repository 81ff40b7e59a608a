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
        /** Callbacks are a few KB; 1 MB is the hard ceiling. */
        maxBodyBytes: z.number().int().min(1024).max(1024 * 1024),
        /** How long a callback's idempotency key is remembered (WeCom retries within seconds; reorders within minutes). */
        dedupTtlHours: z.number().int().min(1).max(24 * 30),
      })
      .strict(),
    inbox: z
      .object({
        attempts: z.number().int().min(1).max(50),
        backoffMs: z.number().int().min(10).max(3_600_000),
        concurrency: z.number().int().min(1).max(256),
        keepCompletedHours: z.number().int().min(1).max(24 * 30),
        keepCompletedMax: z.number().int().min(100).max(10_000_000),
        /** The webhook's stream keeps about this many recent callbacks (an audit trail and the pump's buffer). */
        streamMaxLen: z.number().int().min(1000).max(100_000_000),
      })
      .strict(),
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
