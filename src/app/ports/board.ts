/** The manager's board: sign-in, sessions and who may see whom (src/app/board-auth.ts, src/app/board-roles.ts). */

/** A signed-in member's session on the board. `csrf` must come back with every state-changing request. */
export interface BoardSession {
  id: string;
  userId: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

/** What /auth/login remembers until WeCom sends the member back: the browser's nonce (cookie) and where to go. */
export interface LoginState {
  nonce: string;
  next: string;
  at: number;
}

export interface SessionStore {
  createSession(s: BoardSession, ttlMs: number): Promise<void>;
  getSession(id: string): Promise<BoardSession | undefined>;
  touchSession(id: string, lastSeenAt: number, ttlMs: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  saveLoginState(state: string, v: LoginState, ttlMs: number): Promise<void>;
  /** Single use: the second take of the same state finds nothing. */
  takeLoginState(state: string): Promise<LoginState | undefined>;
}

/** WeCom's answer to a sign-in code (auth/getuserinfo): the member's userid; undefined for a used, expired or non-member code. */
export interface MemberAuth {
  memberForCode(code: string): Promise<string | undefined>;
}

/** Who a member reports to (user/get → direct_leader). */
export interface LeaderLookup {
  leadersOf(userId: string): Promise<string[]>;
}

/** Who is looking at the board and whose leads they may see (src/app/board-roles.ts). */
export interface Viewer {
  userId: string;
  role: 'admin' | 'manager' | 'rep';
  /** The reps whose leads this viewer sees (themselves included); 'all' for admins. */
  reps: string[] | 'all';
}

/** The board's sign-in use case, as src/http sees it (src/app/board-auth.ts). */
export interface BoardSignIn {
  startLogin(next: string | undefined, inWeComClient: boolean): Promise<{ location: string; nonce: string }>;
  finishLogin(q: {
    code?: string;
    state?: string;
    nonce?: string;
  }): Promise<{ ok: true; session: BoardSession; next: string } | { ok: false; refusal: 'LOGIN_STATE_INVALID' | 'LOGIN_CODE_INVALID' }>;
  session(id: string | undefined): Promise<BoardSession | undefined>;
  logout(id: string): Promise<void>;
}

export interface BoardViewers {
  viewer(userId: string): Promise<Viewer>;
}
