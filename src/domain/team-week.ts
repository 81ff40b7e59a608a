import { isFollowedUp, type Lead } from './lead';
import { DAY_MS } from './metrics';
import type { TimelineEntry } from './timeline';

/** One rep's week, as the manager's digest shows it: does the rep follow the method? */
export interface RepWeek {
  rep: string;
  openLeads: number;
  /** Leads still unpositioned (未定位). */
  unpositioned: number;
  /** Leads due a weekly call (none in `weeklyCallDays`) against all open leads. */
  uncalled: number;
  calledThisWeek: number;
  meetingsHeld: number;
  groupsOpened: number;
  /** Nudges of the last 7 days nobody acted on and nothing resolved. */
  nudgesIgnored: number;
  /** How urgently the manager should look at this rep (higher first). */
  risk: number;
}

/** A rep's week from their leads and timelines (pure: the clock is an argument). */
export function repWeek(rep: string, leads: readonly { lead: Lead; timeline: readonly TimelineEntry[] }[], now: number, weeklyCallDays: number): RepWeek {
  const weekAgo = now - 7 * DAY_MS;
  const open = leads.filter((x) => isFollowedUp(x.lead));
  let uncalled = 0;
  let calledThisWeek = 0;
  let meetingsHeld = 0;
  let groupsOpened = 0;
  let nudgesIgnored = 0;
  for (const { lead, timeline } of open) {
    const lastCall = Math.max(lead.createdAt, ...timeline.filter((e) => e.kind === 'call').map((e) => e.at));
    if (now - lastCall >= weeklyCallDays * DAY_MS) uncalled++;
    if (timeline.some((e) => e.kind === 'call' && e.at > weekAgo)) calledThisWeek++;
    meetingsHeld += timeline.filter((e) => e.kind === 'meeting_held' && e.at > weekAgo).length;
    groupsOpened += timeline.filter((e) => e.kind === 'group_created' && e.at > weekAgo).length;
    const handled = new Set(timeline.filter((e) => (e.kind === 'nudge_acted' || e.kind === 'nudge_resolved') && e.nudgeId).map((e) => e.nudgeId));
    nudgesIgnored += timeline.filter((e) => e.kind === 'nudge_sent' && e.at > weekAgo && !handled.has(e.nudgeId)).length;
  }
  const unpositioned = open.filter((x) => x.lead.state === 'unknown').length;
  return {
    rep,
    openLeads: open.length,
    unpositioned,
    uncalled,
    calledThisWeek,
    meetingsHeld,
    groupsOpened,
    nudgesIgnored,
    risk: unpositioned * 2 + uncalled * 3 + nudgesIgnored,
  };
}
