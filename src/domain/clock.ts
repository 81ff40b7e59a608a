/** Time is injected: domain and use-case code read it from a Clock, never from the system clock directly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A clock tests and the demo can move by hand. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
