import type { MindshareWeek, NudgeOutcome } from '../../domain/board/lead-board';
import type { BoardRow, TeamLine } from '../../domain/board/rows';
import type { Viewer } from '../../domain/board/viewer';
import type { Lead } from '../../domain/lead';
import type { LeadMetrics } from '../../domain/metrics';
import type { NextStep } from '../../domain/next-step';
import type { DecisionSuggestion, StateSuggestion } from '../../domain/signals/suggestion';
import type { TimelineEntry } from '../../domain/timeline';

export type { Viewer } from '../../domain/board/viewer';

/** The manager's board: sign-in, sessions and who may see whom (src/app/board-auth.ts, src/app/board-roles.ts). */

/** A signed-in member's session on the board. `csrf` must come back with every state-changing request. */
export interface BoardSession {
  id: string;
  userId: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  createSession(s: BoardSession, ttlMs: number): Promise<void>;
  getSession(id: string): Promise<BoardSession | undefined>;
  /** Keeps a live session alive (written only if it still exists: a sign-out in between wins). */
  touchSession(s: BoardSession, ttlMs: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
}

/** WeCom's answer to a sign-in code (auth/getuserinfo): the member's userid; undefined for a used, expired or non-member code. */
export interface MemberAuth {
  memberForCode(code: string): Promise<string | undefined>;
}

/** Who a member reports to (user/get → direct_leader). */
export interface LeaderLookup {
  leadersOf(userId: string): Promise<string[]>;
  /** Whether the member still works here: in the directory, not disabled, not left (user/get, cached as leadersOf). */
  isActiveMember(userId: string): Promise<boolean>;
}

/** The board's sign-in use case, as src/http sees it (src/app/board-auth.ts). */
export interface BoardSignIn {
  startLogin(next: string | undefined, inWeComClient: boolean): Promise<{ location: string; loginCookie: string }>;
  finishLogin(q: {
    code?: string;
    state?: string;
    loginCookie?: string;
  }): Promise<{ ok: true; session: BoardSession; next: string } | { ok: false; refusal: 'LOGIN_STATE_INVALID' | 'LOGIN_CODE_INVALID' }>;
  session(id: string | undefined): Promise<BoardSession | undefined>;
  logout(id: string): Promise<void>;
}

export interface BoardViewers {
  /** Who the member is on the board now; undefined when they no longer work here (their session ends). */
  viewer(userId: string): Promise<Viewer | undefined>;
}

/** The board's lead page and the manager's actions on a lead (src/app/board-leads.ts). */
export interface BoardLeadActions {
  /** The lead page's data, or undefined when the lead does not exist for this viewer. */
  lead(viewer: Viewer, id: string): Promise<BoardLeadPage | undefined>;
  remind(viewer: Viewer, id: string, key: string): Promise<{ action: string; already?: boolean } | 'not_found' | 'forbidden'>;
  take(viewer: Viewer, id: string, key: string): Promise<{ action: string; already?: boolean } | 'not_found' | 'forbidden'>;
}

/** Everything the lead page (客户) shows. */
export interface BoardLeadPage {
  lead: Lead;
  /** Who set the buying state, and when. */
  stateSetBy?: { actor?: string; at: number; source: string };
  metrics: LeadMetrics;
  /** The method's next step; null for a won or lost lead (closed: no advice, no suggestion). */
  next: NextStep | null;
  stateSuggestion: StateSuggestion | null;
  decisionSuggestion: DecisionSuggestion | null;
  decisionDates: { date: string; at: number; source: string }[];
  decisionSlips: number;
  /** 12 weeks, oldest first. */
  mindshare: MindshareWeek[];
  customerSide: TimelineEntry[];
  ourSide: TimelineEntry[];
  nudges: NudgeOutcome[];
}

/**
 * The board's aggregates, maintained as the ledger changes: every change marks its lead, the board job recomputes the
 * marked leads' rows and the team lines of their reps (the nightly job rebuilds every row, for what time alone changes),
 * so the team page reads one line per rep instead of scanning leads.
 */
export interface BoardProjection {
  saveRows(rows: BoardRow[]): Promise<void>;
  /** Up to `limit` leads the ledger marked as changed since their row was computed, taken (each once). */
  takePending(limit: number): Promise<string[]>;
  /** Recomputes the team lines of reps whose rows changed since the last call; answers how many. */
  refreshTeams(): Promise<number>;
  /** Open leads at risk among these reps' leads, the riskiest first (a page of them), optionally by state or chip. */
  risks(reps: string[] | 'all', filter: { state?: string; chip?: string }, offset: number, limit: number): Promise<BoardRow[]>;
  /** The team lines of these reps ('all': every rep with leads). */
  team(reps: string[] | 'all'): Promise<TeamLine[]>;
}

/** The two JS-SDK tickets the sidebar's signatures need, cached and shared by every process (one refresher each). */
export interface JsApiTickets {
  /** The enterprise's ticket (get_jsapi_ticket), for ww.register's getConfigSignature. */
  corp(): Promise<string>;
  /** The app's ticket (ticket/get?type=agent_config), for getAgentConfigSignature. */
  agent(): Promise<string>;
}
