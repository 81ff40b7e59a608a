import type { NudgeKind } from './nudge-policy';

/** What each kind of nudge is called on the board (提醒效果, a lead's nudges). */
export const NUDGE_KIND_LABELS: Record<NudgeKind, string> = {
  decision_due: '决策日到了，问结果',
  confirm_state: '确认客户的定位',
  proposal_to_meeting: '要方案 → 约会或拉群',
  position: '先定位',
  confirm_decision: '确认决策日',
  quiet: '客户沉默，打电话',
  weekly_call: '每周亲自打电话',
  open_group: '拉工作群',
  widen_chain: '拉上更多决策人',
};

/** A nudge kind's board label; a kind the board does not know (older records) is shown as it is stored. */
export function nudgeKindLabel(kind: string | undefined): string {
  if (!kind) return '经理提醒';
  return (NUDGE_KIND_LABELS as Record<string, string>)[kind] ?? kind;
}
