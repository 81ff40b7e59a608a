/** What bench:sweep's main process (which seeds) and its sweeper process (which sweeps) agree on. */
import { DateTime } from 'luxon';

/** The business time every sweep of the bench runs at (the seeded leads are due before it). */
export const SWEEP_AT = DateTime.fromISO('2026-11-25T10:00:00', { zone: 'Asia/Shanghai' }).toMillis();
/** The raw floor's copy of the due index. */
export const rawDueKey = (prefix: string) => `${prefix}-raw:{idx}:due`;

/** What the sweeper answers for one run. */
export interface SweepRun {
  seconds: number;
  baseline: number;
  sent: number;
}
