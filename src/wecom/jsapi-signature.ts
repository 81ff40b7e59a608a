import { createHash } from 'node:crypto';

/**
 * The JS-SDK signature WeCom documents for config and agentConfig: SHA-1 of
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, in that order, nothing URL-encoded; the URL without its `#…`, the
 * timestamp in seconds.
 */
export function jsapiSignature(a: { ticket: string; nonceStr: string; timestamp: number; url: string }): string {
  const url = a.url.split('#')[0] ?? '';
  return createHash('sha1').update(`jsapi_ticket=${a.ticket}&noncestr=${a.nonceStr}&timestamp=${a.timestamp}&url=${url}`).digest('hex');
}
