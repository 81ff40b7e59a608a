import type { Clock } from '../domain/clock';
import { meetingSettlement, readAttendance } from '../domain/meeting-attendance';
import type { Logger } from '../log';
import { cardReply } from './copy';
import { meetingCheckCard } from './nudge-card';
import type { ActivityCounter, AttendanceRunner, BookingStore, LedgerRepository, MeetingBooker, MessageOutbox, WatchedMeeting } from './ports';
import type { RepActions } from './rep-actions';

export interface MeetingAttendanceDeps {
  store: LedgerRepository;
  bookings: BookingStore;
  meetings: MeetingBooker;
  actions: RepActions;
  outbox: MessageOutbox;
  activity: ActivityCounter;
  clock: Clock;
  timeZone: string;
  log: Logger;
}

/** When reading WeCom failed for a passing reason, read again this much later. */
const RETRY_MS = 15 * 60_000;

type Checked = 'held' | 'asked' | 'waiting' | 'settled' | 'gone';

/**
 * A booked meeting becomes evidence only when it happens. After its planned end, WeCom's attendance
 * (meeting/get_info) is read: customer-side attendees make it a meeting held, with their minutes (mindshare) and
 * their number (the decision chain); a cancellation is recorded; where WeCom shows no customer in it, the rep is
 * asked on a card (开了 / 没开 / 改期). Every step is keyed by the booking's entry id: a crash or a second worker
 * settles each meeting once and tells the rep once.
 */
export class MeetingAttendance implements AttendanceRunner {
  constructor(private readonly d: MeetingAttendanceDeps) {}

  async checkDue(limit: number): Promise<{ checked: number; held: number; asked: number; waiting: number }> {
    const now = this.d.clock.now();
    const due = await this.d.bookings.dueWatches(now, limit);
    const counts = { checked: due.length, held: 0, asked: 0, waiting: 0 };
    for (const w of due) {
      let r: Checked;
      try {
        r = await this.checkOne(w, now);
      } catch (err) {
        // WeCom busy, Redis blip: the watch stays, moved a little later.
        this.d.log.warn({ reason: 'meeting.attendance_failed', meetingId: w.meetingId, err: (err as Error).message }, 'attendance not read; retrying later');
        await this.d.bookings.watch(w, now + RETRY_MS);
        r = 'waiting';
      }
      if (r === 'held') counts.held++;
      if (r === 'asked') counts.asked++;
      if (r === 'waiting') counts.waiting++;
    }
    if (due.length > 0) this.d.log.info({ reason: 'meeting.attendance_checked', ...counts }, 'meeting attendance checked');
    return counts;
  }

  private async checkOne(w: WatchedMeeting, now: number): Promise<Checked> {
    const lead = await this.d.store.getLead(w.leadId);
    const timeline = lead ? await this.d.store.getTimeline(w.leadId) : [];
    const booked = timeline.find((e) => e.id === w.entryId && e.kind === 'meeting_scheduled');
    if (!lead || lead.mergedInto || !booked || meetingSettlement(timeline, booked.id)) {
      await this.d.bookings.unwatch(w);
      return 'gone';
    }
    const rep = booked.actor ?? lead.owner;
    const verdict = readAttendance(await this.d.meetings.report(w.meetingId), now);
    const input = { lead, actor: rep, at: now, entryId: `attendance:${booked.id}`, source: 'reconcile' as const };
    switch (verdict.verdict) {
      case 'wait':
        await this.d.bookings.watch(w, verdict.recheckAt);
        return 'waiting';
      case 'held':
      case 'cancelled': {
        const result = await this.d.actions.settleMeeting(
          input,
          booked,
          verdict.verdict === 'held'
            ? { how: 'held', at: verdict.at, minutes: verdict.minutes, customerAttendees: verdict.customerAttendees, staff: verdict.staff }
            : { how: 'cancelled' },
        );
        await this.d.outbox.enqueue({
          key: `meeting-settled:${booked.id}`,
          touser: rep,
          body: { msgtype: 'text', text: { content: cardReply(result, this.d.timeZone) } },
        });
        await this.d.activity.count({ event: 'meetings_read', kind: verdict.verdict });
        return verdict.verdict === 'held' ? 'held' : 'settled';
      }
      case 'ask':
        await this.d.outbox.enqueue({
          key: `meeting-check:${booked.id}`,
          touser: rep,
          body: { msgtype: 'template_card', template_card: meetingCheckCard(lead, w.meetingId, booked.startsAt ?? booked.at, this.d.timeZone) },
          duplicateCheck: true,
        });
        await this.d.activity.count({ event: 'meetings_read', kind: `ask_${verdict.why}` });
        await this.d.bookings.unwatch(w);
        return 'asked';
    }
  }
}
