import type { LeaderLookup, MemberAuth } from '../app/ports';
import type { WeComApiClient } from './api-client';
import { WeComApiError } from './api-errors';

/** Sign-in codes and reporting lines over the WeCom API (ports of the board). */
export class WeComMembers implements MemberAuth, LeaderLookup {
  private readonly leaders = new Map<string, { ids: string[]; until: number }>();

  constructor(
    private readonly api: WeComApiClient,
    /** How long a member's direct_leader is kept before user/get is asked again (ms). */
    private readonly cacheMs: number,
    private readonly now: () => number,
  ) {}

  async memberForCode(code: string): Promise<string | undefined> {
    try {
      const res = await this.api.getUserInfoByCode(code);
      return res.userid || undefined; // a non-member (openid / external_userid) does not sign in
    } catch (err) {
      if (err instanceof WeComApiError && (err.errcode === 40029 || err.disposition === 'permanent')) return undefined;
      throw err;
    }
  }

  async leadersOf(userId: string): Promise<string[]> {
    const hit = this.leaders.get(userId);
    if (hit && hit.until > this.now()) return hit.ids;
    let ids: string[] = [];
    try {
      ids = (await this.api.getUser(userId)).direct_leader ?? [];
    } catch (err) {
      if (!(err instanceof WeComApiError && err.disposition === 'permanent')) throw err;
    }
    this.leaders.set(userId, { ids, until: this.now() + this.cacheMs });
    return ids;
  }
}
