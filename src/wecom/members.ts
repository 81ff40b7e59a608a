import type { LeaderLookup, ManagerLookup, MemberAuth } from '../app/ports';
import type { WeComApiClient } from './api-client';
import { WeComApiError } from './api-errors';

/** Sign-in codes and reporting lines over the WeCom API (ports of the board). */
export class WeComMembers implements MemberAuth, LeaderLookup, Pick<ManagerLookup, 'nameOf'> {
  private readonly users = new Map<string, { leaders: string[]; name: string; active: boolean; until: number }>();

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

  /** user/get, kept for the cache period: who the member reports to and their name. */
  private async user(userId: string): Promise<{ leaders: string[]; name: string; active: boolean }> {
    const hit = this.users.get(userId);
    if (hit && hit.until > this.now()) return hit;
    let u = { leaders: [] as string[], name: userId, active: false };
    try {
      const res = await this.api.getUser(userId);
      // status: 1 active, 2 disabled, 4 not yet activated, 5 left the company.
      u = { leaders: res.direct_leader ?? [], name: res.name || userId, active: res.status !== 2 && res.status !== 5 };
    } catch (err) {
      // 60111 and the like: no such member (any more).
      if (!(err instanceof WeComApiError && err.disposition === 'permanent')) throw err;
    }
    this.users.set(userId, { ...u, until: this.now() + this.cacheMs });
    return u;
  }

  async leadersOf(userId: string): Promise<string[]> {
    return (await this.user(userId)).leaders;
  }

  async isActiveMember(userId: string): Promise<boolean> {
    return (await this.user(userId)).active;
  }

  async nameOf(userId: string): Promise<string> {
    return (await this.user(userId)).name;
  }
}
