import type { Clock } from '../domain/clock';

/** The real clock, handed to the domain by the composition roots. */
export const systemClock: Clock = { now: () => Date.now() };
