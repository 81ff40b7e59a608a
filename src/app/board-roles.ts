import type { BoardViewers, LeaderLookup, LedgerRepository, Viewer } from './ports';

/**
 * Roles on the board: admins (configured user ids) see everything; a manager sees the members whose direct_leader
 * includes them (user/get, cached) and the teams configured for them; a rep sees their own leads.
 */
export class BoardRoles implements BoardViewers {
  constructor(
    private readonly d: {
      store: Pick<LedgerRepository, 'owners'>;
      leaders: LeaderLookup;
      admins: readonly string[];
      teams: Readonly<Record<string, readonly string[]>>;
    },
  ) {}

  async viewer(userId: string): Promise<Viewer | undefined> {
    if (!(await this.d.leaders.isActiveMember(userId))) return undefined;
    if (this.d.admins.includes(userId)) return { userId, role: 'admin', reps: 'all' };
    const owners = await this.d.store.owners();
    const reporting = await Promise.all(owners.map(async (rep) => ((await this.d.leaders.leadersOf(rep)).includes(userId) ? rep : undefined)));
    const team = new Set([...reporting.filter((r): r is string => !!r), ...(this.d.teams[userId] ?? [])]);
    team.delete(userId);
    if (team.size === 0) return { userId, role: 'rep', reps: [userId] };
    return { userId, role: 'manager', reps: [userId, ...[...team].sort()] };
  }
}
