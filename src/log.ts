import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths pino removes from every log line: tokens, secrets, keys and phone numbers never reach the logs. */
export const REDACT_PATHS = [
  'access_token',
  'accessToken',
  'token',
  'secret',
  'corpsecret',
  'aesKey',
  'encodingAESKey',
  'adminToken',
  'password',
  'mobile',
  'phone',
  'remark_mobiles',
  'plaintext',
  'content',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.corpsecret',
  '*.aesKey',
  '*.encodingAESKey',
  '*.adminToken',
  '*.password',
  '*.mobile',
  '*.phone',
  '*.remark_mobiles',
  '*.plaintext',
  '*.content',
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'wecom.secret',
  'wecom.token',
  'wecom.aesKey',
  'wecom.bot.token',
  'wecom.bot.aesKey',
];

const PHONE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)/g;

/** Masks mainland mobile numbers in free text that must be logged (e.g. an error message quoting input). */
export function maskPhones(text: string): string {
  return text.replace(PHONE, (m) => `${m.slice(0, m.length - 8)}****${m.slice(-4)}`);
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      // pid: under `npm start` several processes write one stream.
      base: { service: 'wecom-followup', pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          // Free-text messages are masked too: a phone number must not leak through an interpolated string.
          const masked = args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    destination,
  );
}
