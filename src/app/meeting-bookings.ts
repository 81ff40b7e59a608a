import type { Logger } from '../log';
import type { BookedMeeting, BookingStore, MeetingBooker, MeetingRequest } from './ports';

/**
 * Books a meeting at most once per event. The event's id is claimed before WeCom is called; a retry finds the booking
 * and reuses it; a retry that finds only the claim (the earlier run died or timed out after calling WeCom) first asks
 * WeCom for a meeting with the same host, title and start, and books only if there is none.
 */
export async function bookMeetingOnce(
  d: { bookings: BookingStore; meetings: MeetingBooker; log: Logger },
  key: string,
  req: MeetingRequest,
): Promise<BookedMeeting> {
  const claim = await d.bookings.claim(key);
  if (claim.state === 'booked') return claim.booking;
  if (claim.state === 'pending') {
    const found = await d.meetings.findBooked(req);
    if (found) {
      d.log.info({ reason: 'meeting.reused_after_retry', meetingId: found.meetingId }, 'an earlier attempt had booked this meeting: reused');
      await d.bookings.save(key, found);
      return found;
    }
  }
  const booked = await d.meetings.book(req);
  await d.bookings.save(key, booked);
  return booked;
}
