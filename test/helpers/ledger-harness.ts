import { createHmac } from 'node:crypto';
import type { Config } from '../../src/config/env';
import type { Clock } from '../../src/domain/clock';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import type { WeComEvent } from '../../src/wecom/events';
import { cleanupRedis, testConfig, uniquePrefix, VECTOR_A, waitFor } from './config';
import { startBot, type Running } from './harness';
import { startSandbox } from './sandbox';

export const ARCHIVE_SECRET = 'archive-secret-0123456789';
export const REP = 'zhangsan';

/** The bot (web + worker with the real ledger handlers) against a WeCom sandbox, on a fresh key prefix. */
export async function startLedgerBot(
  name: string,
  sandboxOpts: { sandbox?: WeComSandbox; url?: string; clock?: Clock; env?: Record<string, string>; configure?: (c: Config) => void } = {},
) {
  const sb =
    sandboxOpts.sandbox && sandboxOpts.url
      ? { sandbox: sandboxOpts.sandbox, url: sandboxOpts.url }
      : await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 });
  const prefix = uniquePrefix(name);
  const config: Config = testConfig(prefix, { WECOM_API_BASE: sb.url, ARCHIVE_SECRET, ...sandboxOpts.env });
  sandboxOpts.configure?.(config);
  const bot: Running = await startBot(config, undefined, { clock: sandboxOpts.clock });
  const admin = { authorization: `Bearer ${config.adminToken}` };
  return {
    ...sb,
    bot,
    config,
    prefix,
    async send(e: WeComEvent) {
      const res = await bot.driver.send(e);
      if (res.status !== 200) throw new Error(`callback answered ${res.status} ${res.body}`);
    },
    async lead(id: string) {
      const res = await fetch(`${bot.baseUrl}/api/leads/${encodeURIComponent(id)}`, { headers: admin });
      return res.status === 200 ? ((await res.json()) as LeadDoc) : undefined;
    },
    async leads(qs = '') {
      return (await (await fetch(`${bot.baseUrl}/api/leads${qs}`, { headers: admin })).json()) as {
        items: { lead: LeadDoc['lead']; metrics: LeadDoc['metrics'] }[];
        total: number;
      };
    },
    /**
     * Posts a signed archive batch and, when it is stored, waits until a worker has applied every message it queued:
     * the route's receipt, and what the worker made of them (accepted, duplicates, unmatched, from its log).
     */
    async archive(records: unknown[], secret = ARCHIVE_SECRET) {
      const body = JSON.stringify({ records });
      const sig = createHmac('sha256', secret).update(body).digest('hex');
      const applied = () => bot.lines.filter((l) => l.reason === 'archive.applied');
      const before = applied().length;
      const res = await fetch(`${bot.baseUrl}/ingest/archive`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-signature': `sha256=${sig}` },
      });
      const receipt = (await res.json()) as Record<string, number>;
      if (res.status !== 202) return { status: res.status, body: receipt, applied: { accepted: 0, duplicates: 0, unmatched: 0 } };
      await waitFor(() => applied().length >= before + (receipt.queued ?? 0), { timeoutMs: 15_000, intervalMs: 20 });
      const lines = applied().slice(before);
      const sum = (k: string) => lines.reduce((n, l) => n + Number(l[k] ?? 0), 0);
      return {
        status: res.status,
        body: receipt,
        applied: { accepted: sum('accepted'), duplicates: sum('duplicates') + (receipt.duplicates ?? 0), unmatched: sum('unmatched') },
      };
    },
    async close(closeSandbox = true) {
      await bot.close();
      if (closeSandbox) await sb.sandbox.close();
      await cleanupRedis(prefix);
    },
  };
}

export interface LeadDoc {
  lead: Record<string, unknown> & {
    id: string;
    name: string;
    owner: string;
    source: string;
    state: string;
    outcome: string;
    stakeholders: string[];
    groups: string[];
    decisionDate: string | null;
  };
  metrics: Record<string, unknown> & { calls7d: number; stakeholders: number; mindshareMinutes30d: number; quietDays: number };
  timeline: (Record<string, unknown> & { kind: string; at: string; source: string; id: string })[];
}
