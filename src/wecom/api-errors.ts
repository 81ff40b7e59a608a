/** What the caller should do about a failed WeCom API call. */
export type ErrorDisposition =
  | 'refresh_token' // 40014/42001: token invalid or expired — refresh once, retry once
  | 'transient' // -1, network errors, timeouts: retry with backoff (at most 3)
  | 'rate_limited' // 45009/45033: back off for the penalty window
  | 'permanent'; // configuration or data errors: do not retry; an admin must fix something

interface Known {
  disposition: ErrorDisposition;
  hint: string;
}

const KNOWN: Record<number, Known> = {
  [-1]: { disposition: 'transient', hint: 'WeCom is busy (系统繁忙); retried with backoff' },
  40001: { disposition: 'permanent', hint: 'invalid secret: check WECOM_SECRET (repeated wrong secrets get the IP banned for an hour)' },
  40013: { disposition: 'permanent', hint: 'invalid corp id: check WECOM_CORP_ID' },
  40014: { disposition: 'refresh_token', hint: 'access_token invalid: refreshed and retried once' },
  40058: { disposition: 'permanent', hint: 'a parameter is invalid: see errmsg' },
  40096: { disposition: 'permanent', hint: 'invalid external contact userid: the customer id is stale or wrong' },
  41001: { disposition: 'refresh_token', hint: 'access_token missing' },
  42001: { disposition: 'refresh_token', hint: 'access_token expired: refreshed and retried once' },
  45009: { disposition: 'rate_limited', hint: 'API frequency limit reached: backing off for the penalty window' },
  45033: { disposition: 'rate_limited', hint: 'API concurrency limit reached: backing off' },
  48002: { disposition: 'permanent', hint: 'API not permitted: add the app to 客户联系 → 可调用接口的应用 (or grant the API)' },
  60011: { disposition: 'permanent', hint: 'no permission for this member/department: widen the app’s visible range (可见范围)' },
  60020: { disposition: 'permanent', hint: 'caller IP not trusted: add this server’s IP under the app’s 企业可信IP' },
  60111: { disposition: 'permanent', hint: 'userid not found in the company' },
  81013: { disposition: 'permanent', hint: 'no valid recipient: the userid is unknown or outside the app’s visible range' },
  84061: { disposition: 'permanent', hint: 'no relationship with this external contact (the customer was deleted)' },
  301002: { disposition: 'permanent', hint: 'no permission on this app: check WECOM_AGENT_ID and the secret' },
};

export function dispositionOf(errcode: number): Known {
  return KNOWN[errcode] ?? { disposition: 'permanent', hint: 'see errmsg and WeCom’s error code reference' };
}

/** A WeCom API call that failed: typed, with the code, the API, a hint for the admin, and what to do about it. */
export class WeComApiError extends Error {
  readonly disposition: ErrorDisposition;
  readonly hint: string;
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
    /** For rate_limited: how long to stay away. */
    readonly retryAfterMs?: number,
  ) {
    const known = dispositionOf(errcode);
    super(`WeCom ${api} failed with errcode ${errcode}: ${known.hint}`);
    this.name = 'WeComApiError';
    this.disposition = known.disposition;
    this.hint = known.hint;
  }

  get code(): string {
    return `WECOM_${this.errcode}`;
  }
}

/** The network failed or WeCom did not answer in time. */
export class WeComNetworkError extends Error {
  readonly disposition: ErrorDisposition = 'transient';
  readonly code = 'WECOM_NETWORK';
  constructor(
    readonly api: string,
    cause: unknown,
  ) {
    const reason = (cause as Error)?.name === 'TimeoutError' ? 'timed out' : ((cause as Error)?.message ?? String(cause));
    super(`WeCom ${api}: ${reason}`);
    this.name = 'WeComNetworkError';
  }
}

/** A response_url that does not point at WeCom's robot reply endpoint: never called (we do not post to other hosts). */
export class ForeignResponseUrlError extends Error {
  readonly disposition: ErrorDisposition = 'permanent';
  readonly code = 'WECOM_FOREIGN_RESPONSE_URL';
  constructor() {
    super('response_url is not WeCom’s robot reply endpoint (host or path differs from WECOM_API_BASE)');
    this.name = 'ForeignResponseUrlError';
  }
}
