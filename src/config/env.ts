import { existsSync } from 'node:fs';
import path from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ConfigError } from './errors';
import { readPolicyFile, type Policy } from './policy';

const aesKey = z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be the 43-character EncodingAESKey ([A-Za-z0-9])');
const nonEmpty = z.string().trim().min(1, 'is required');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER: z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, "_", "." and "-" only (1-40)')
    .default('wf'),
  WECOM_CORP_ID: nonEmpty,
  WECOM_AGENT_ID: z.coerce.number({ message: 'must be a number' }).int().positive(),
  WECOM_SECRET: nonEmpty,
  WECOM_TOKEN: nonEmpty,
  WECOM_AES_KEY: aesKey,
  WECOM_BOT_TOKEN: z.string().trim().min(1).optional(),
  WECOM_BOT_AES_KEY: aesKey.optional(),
  WECOM_API_BASE: z.string().url('must be a URL').default('https://qyapi.weixin.qq.com'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONFIG_FILE: z.string().optional(),
  ARCHIVE_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WECOM_ARCHIVE_SDK_PATH: z.string().trim().min(1).optional(),
  WECOM_ARCHIVE_SECRET: z.string().trim().min(1).optional(),
  WECOM_ARCHIVE_KEYS: z.string().trim().min(1).optional(),
  NUDGE_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must look like 09:00-18:00')
    .refine((v) => v.split('-')[0]! < v.split('-')[1]!, 'must end after it starts')
    .default('09:00-18:00'),
  NUDGE_DAYS: z
    .string()
    .regex(/^[1-7](-[1-7])?(,[1-7](-[1-7])?)*$/, 'must look like 1-5 or 1,2,3,4,5,6 (ISO weekdays, 1 = Monday)')
    .default('1-5'),
  PUBLIC_URL: z
    .string()
    .url('must be the URL people open the board at, e.g. https://followup.example.com')
    .refine((u) => /^https?:\/\/[^/]+\/?$/.test(u), 'must be an origin (scheme, host, port), no path')
    .optional(),
  WECOM_OAUTH_BASE: z.string().url('must be a URL').default('https://open.weixin.qq.com'),
  WECOM_SSO_BASE: z.string().url('must be a URL').default('https://login.work.weixin.qq.com'),
  WECOM_CLIENT_BRIDGE: z.string().url('must be the URL of the sandbox stand-in script').optional(),
  BOARD_ADMINS: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]+(,[A-Za-z0-9_.@-]+)*$/, 'must be member userids separated by commas')
    .optional(),
  WEB_PROCESSES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(64).optional(),
  WORKER_PROCESSES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(64).optional(),
  WORKER_NICE: z.coerce.number({ message: 'must be a number' }).int().min(0).max(19).default(10),
  BUSINESS_TZ: z
    .string()
    .refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
});

export interface Config {
  port: number;
  /** `cluster`: a Redis Cluster (REDIS_CLUSTER=true, or several nodes in REDIS_URL). */
  redis: { url: string; prefix: string; cluster: boolean };
  wecom: {
    corpId: string;
    agentId: number;
    secret: string;
    token: string;
    aesKey: string;
    apiBase: string;
    bot?: { token: string; aesKey: string };
  };
  adminToken: string;
  logLevel: string;
  /** The business clock's time zone: quota days, nudge hours, digests. */
  businessTz: string;
  /** HMAC key of POST /ingest/archive; the route is off when unset. */
  archiveSecret?: string;
  /**
   * The chat-archive puller (off when unset): Tencent's SDK library, the 会话内容存档 Secret (not the app's), and the
   * RSA private keys by version (a directory of `<version>.pem`, or `version=path` pairs).
   */
  archivePuller?: { sdkPath: string; secret: string; keys: string };
  /** Business hours and ISO weekdays for nudges. */
  nudgeHours: { start: string; end: string };
  nudgeDays: number[];
  /** The manager's board: where it is served (sign-in redirects, same-origin checks), WeCom's sign-in pages, admins. */
  board: { publicUrl: string; oauthBase: string; ssoBase: string; admins: string[]; clientBridge?: string };
  policy: Policy;
  /**
   * `npm start` (all-main): how many web and worker processes (unset → the machine's cores split between them), and the
   * worker processes' niceness: under a flood the web processes answer first and the workers catch up from the inbox.
   */
  processes: { web?: number; worker?: number; workerNice: number };
}

/** config/app.json of this installation: found above this file whether it runs from src/, dist/ or dist-bench/. */
export const DEFAULT_CONFIG_FILE = ((): string => {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'config', 'app.json');
    if (existsSync(candidate)) return candidate;
  }
  return path.resolve(__dirname, '../../config/app.json');
})();

/** The ADMIN_TOKEN .env.example ships (and any token left at its change-me placeholder): public, so never a real one. */
const isExampleToken = (t: string) => t === 'change-me-admin-token-000000' || /^change-?me/i.test(t);

/**
 * Whether WeCom's API is the sandbox a newcomer tries the bot with — on this machine, or the compose file's `sandbox`
 * service: the example token may stay.
 */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host === 'sandbox' || /^127\./.test(host);
}

/**
 * The one place that reads the environment (after probot's `readEnvOptions(env)`): validates every variable and the
 * policy file, and throws one ConfigError listing every problem.
 */
export function readEnvOptions(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in docker-compose files with `VAR=`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      const message = issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
      problems.push(`${name} ${message}`);
    }
  }
  const e = parsed.success ? parsed.data : undefined;
  if (e && (e.WECOM_BOT_TOKEN === undefined) !== (e.WECOM_BOT_AES_KEY === undefined)) {
    problems.push('WECOM_BOT_TOKEN and WECOM_BOT_AES_KEY go together: set both to enable /wecom/bot, or neither');
  }
  if (e && isExampleToken(e.ADMIN_TOKEN) && !isLoopback(e.WECOM_API_BASE)) {
    problems.push('ADMIN_TOKEN is the public example from .env.example: set your own (npm run keygen makes one) before pointing the bot at WeCom');
  }
  const puller = e ? [e.WECOM_ARCHIVE_SDK_PATH, e.WECOM_ARCHIVE_SECRET, e.WECOM_ARCHIVE_KEYS] : [];
  if (puller.some((v) => v !== undefined) && !puller.every((v) => v !== undefined)) {
    problems.push('WECOM_ARCHIVE_SDK_PATH, WECOM_ARCHIVE_SECRET and WECOM_ARCHIVE_KEYS go together: set all three to pull the chat archive, or none');
  }
  // The stand-in's script runs in the sidebar's origin: only ever the sandbox's, and only while WeCom is the sandbox.
  if (e?.WECOM_CLIENT_BRIDGE && (!isLoopback(e.WECOM_CLIENT_BRIDGE) || !isLoopback(e.WECOM_API_BASE))) {
    problems.push(
      'WECOM_CLIENT_BRIDGE is the sandbox stand-in for the WeCom client: only with the sandbox as WECOM_API_BASE, never for a real WeCom (remove it)',
    );
  }
  const policyFile = (cleaned.CONFIG_FILE as string | undefined) ?? DEFAULT_CONFIG_FILE;
  const policyResult = readPolicyFile(policyFile);
  problems.push(...policyResult.problems);

  if (problems.length > 0 || !e || !policyResult.policy) throw new ConfigError(problems);
  return {
    port: e.PORT,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX, cluster: e.REDIS_CLUSTER === 'true' || e.REDIS_CLUSTER === '1' || e.REDIS_URL.includes(',') },
    wecom: {
      corpId: e.WECOM_CORP_ID,
      agentId: e.WECOM_AGENT_ID,
      secret: e.WECOM_SECRET,
      token: e.WECOM_TOKEN,
      aesKey: e.WECOM_AES_KEY,
      apiBase: e.WECOM_API_BASE.replace(/(?<!\/)\/+$/, ''),
      ...(e.WECOM_BOT_TOKEN && e.WECOM_BOT_AES_KEY ? { bot: { token: e.WECOM_BOT_TOKEN, aesKey: e.WECOM_BOT_AES_KEY } } : {}),
    },
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    businessTz: e.BUSINESS_TZ,
    archiveSecret: e.ARCHIVE_SECRET,
    ...(e.WECOM_ARCHIVE_SDK_PATH && e.WECOM_ARCHIVE_SECRET && e.WECOM_ARCHIVE_KEYS
      ? { archivePuller: { sdkPath: e.WECOM_ARCHIVE_SDK_PATH, secret: e.WECOM_ARCHIVE_SECRET, keys: e.WECOM_ARCHIVE_KEYS } }
      : {}),
    nudgeHours: { start: e.NUDGE_HOURS.split('-')[0] as string, end: e.NUDGE_HOURS.split('-')[1] as string },
    nudgeDays: expandDays(e.NUDGE_DAYS),
    board: {
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/(?<!\/)\/+$/, ''),
      oauthBase: e.WECOM_OAUTH_BASE.replace(/(?<!\/)\/+$/, ''),
      ssoBase: e.WECOM_SSO_BASE.replace(/(?<!\/)\/+$/, ''),
      admins: e.BOARD_ADMINS ? e.BOARD_ADMINS.split(',') : [],
      ...(e.WECOM_CLIENT_BRIDGE ? { clientBridge: e.WECOM_CLIENT_BRIDGE } : {}),
    },
    policy: policyResult.policy,
    processes: { web: e.WEB_PROCESSES, worker: e.WORKER_PROCESSES, workerNice: e.WORKER_NICE },
  };
}

/** "1-5" → [1,2,3,4,5]; "1,3,5-6" → [1,3,5,6]. */
function expandDays(spec: string): number[] {
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let d = a; d <= (b ?? a); d++) days.add(d);
  }
  return [...days].sort();
}
