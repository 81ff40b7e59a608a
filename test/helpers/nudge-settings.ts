import type { NudgeSettings } from '../../src/domain/nudge-policy';

/** The shipped defaults of config/app.json → nudges, spelled out so the policy tests read on their own. */
export const TEST_NUDGE_SETTINGS: NudgeSettings = {
  timeZone: 'Asia/Shanghai',
  hours: { start: '09:00', end: '18:00' },
  days: [1, 2, 3, 4, 5],
  positionAfterHours: 2,
  weeklyCallDays: 7,
  quietDays: { unknown: 3, exploring: 7, price_check: 3, benchmarking: 3 },
  proposalHours: 4,
  widenChainDays: 3,
  repeatDays: {
    decision_due: 2,
    proposal_to_meeting: 2,
    confirm_state: 1,
    position: 1,
    confirm_decision: 1,
    quiet: 3,
    weekly_call: 7,
    open_group: 7,
    widen_chain: 7,
  },
  recheckHours: 24,
  leadGapHours: 20,
};
