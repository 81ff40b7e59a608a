/**
 * Words written by people outside the company — a customer's WeCom name, the company they typed, a group's name,
 * what they write in a chat — are data in our messages, never markup: a link, a tag, markdown, a line break, a
 * bidi override or a closing 」 in them must not turn into our words. One function per output format (WeCom text,
 * markdown, template card); each also caps the length, so one long name cannot push the rest of a list out of a
 * message. Pure.
 */

/** How long each kind of outsider string may be, in characters, as stored and as shown. */
export const OUTSIDER_LIMITS = { name: 40, company: 60, groupName: 40, shown: 24, quote: 40 } as const;

/** Characters that hide or reorder text: C0/C1 controls but tab and newline, bidi marks and overrides, zero-width. */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\ufff9-\ufffb]/g;

/** Cuts `s` to `max` characters (code points, so an emoji is not split), marking the cut with …. */
function cap(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/**
 * An outsider string as stored: invisible characters removed, every run of white space (newlines included) one
 * space, trimmed and capped. What it says is kept; what it would do is handled at output by the functions below.
 */
export function storedOutsider(s: string, max: number): string {
  return cap(s.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim(), max);
}

/**
 * In a WeCom text message: no link (the client opens `<a href>` and links bare addresses: the scheme's `://`
 * and a dot inside an address are written full-width), no tag (< and > full-width), and no 「」 of ours to close
 * (they become 『』), on one line, capped.
 */
export function asText(s: string, max: number = OUTSIDER_LIMITS.shown): string {
  return cap(
    storedOutsider(s, Number.MAX_SAFE_INTEGER)
      .replace(/:\/\//g, '：／／')
      .replace(/(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])/g, '．')
      .replace(/</g, '＜')
      .replace(/>/g, '＞')
      .replace(/「/g, '『')
      .replace(/」/g, '』'),
    max,
  );
}

/** Characters WeCom markdown reads as syntax (links, emphasis, code, headings, quotes, font tags), full-width. */
const MARKDOWN_SYNTAX: Record<string, string> = {
  '[': '［',
  ']': '］',
  '(': '（',
  ')': '）',
  '*': '＊',
  _: '＿',
  '`': '｀',
  '#': '＃',
  '~': '～',
  '|': '｜',
  '\\': '＼',
};

/** In a WeCom markdown message (a robot reply, a digest): as in text, and no markdown syntax. */
export function asMarkdown(s: string, max: number = OUTSIDER_LIMITS.shown): string {
  return asText(s, max).replace(/[[\]*_`#~|\\]/g, (c) => MARKDOWN_SYNTAX[c] ?? c);
}

/** In a template card's fields (plain text the client shows as is): one line, no link, no 」 of ours, capped. */
export function asCardText(s: string, max: number = OUTSIDER_LIMITS.shown): string {
  return asText(s, max);
}

/** The longest prefix of `s` within `bytes` bytes of UTF-8, marked with … when cut (never a split character). */
export function utf8Prefix(s: string, bytes: number): string {
  if (utf8Bytes(s) <= bytes) return s;
  let out = '';
  let used = 3; // the …
  for (const c of s) {
    const n = utf8Bytes(c);
    if (used + n > bytes) break;
    out += c;
    used += n;
  }
  return `${out}…`;
}

const encoder = new TextEncoder();
/** How many bytes `s` takes in UTF-8 (WeCom's limits are in bytes: a Chinese character is 3). */
export const utf8Bytes = (s: string) => encoder.encode(s).length;

/** WeCom's limit on a text or markdown message's content, in bytes (a longer text is cut, a longer markdown refused). */
export const MESSAGE_BYTES = 2048;

/**
 * A message listing `items` between `head` and `tail` lines, within MESSAGE_BYTES: as many items as fit, then
 * 「…等 N 位」 for the rest (`more` words it), so the rep sees how many are left out rather than a cut-off line.
 */
export function fitList(head: readonly string[], items: readonly string[], tail: readonly string[], more: (n: number) => string): string {
  const join = (k: number) => [...head, ...items.slice(0, k), ...(k < items.length ? [more(items.length - k)] : []), ...tail].join('\n');
  let k = items.length;
  while (k > 0 && utf8Bytes(join(k)) > MESSAGE_BYTES) k--;
  return utf8Prefix(join(k), MESSAGE_BYTES);
}
