/** Who is looking at the board and whose leads they may see. */
export interface Viewer {
  userId: string;
  role: 'admin' | 'manager' | 'rep';
  /** The reps whose leads this viewer sees (themselves included); 'all' for admins. */
  reps: string[] | 'all';
}

/** Whether this viewer may see the leads of `owner` (a lead they may not see does not exist for them: 404). */
export function canSee(v: Viewer, owner: string): boolean {
  return v.reps === 'all' || v.reps.includes(owner);
}
