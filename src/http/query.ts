/**
 * Parses a raw query string, percent-decoding each value exactly once. Unlike querystring/URLSearchParams it leaves
 * "+" alone: WeCom's echostr is base64, where "+" is data, not a space (docs/wecom-protocol.md §1.2).
 */
export function parseRawQuery(qs: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!qs) return out;
  for (const part of qs.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      continue; // malformed escape: treat as absent; the signature check then fails cleanly
    }
    if (!(key in out)) out[key] = value;
  }
  return out;
}
