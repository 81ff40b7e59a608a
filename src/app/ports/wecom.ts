import type { MessageBody, SendMessageRequest, SendMessageResponse } from '../../wecom/api-types';
import type { MeetingReport } from '../../domain/meeting-attendance';
import type { JoinCode } from './repositories';

/** What we can learn about customers and their groups from WeCom. */
export interface CustomerProfile {
  externalUserId: string;
  name: string;
  company?: string;
  followers: { userId: string; remark?: string; state?: string; addedAt: number }[];
}

export interface GroupSnapshot {
  chatId: string;
  name?: string;
  owner: string;
  createdAt: number;
  customers: string[];
  staff: string[];
  memberVersion?: string;
}

export interface CustomerDirectory {
  /** undefined when WeCom says the customer does not exist or is no longer related (84061/40096). */
  getCustomer(externalUserId: string): Promise<CustomerProfile | undefined>;
  /** undefined when the group no longer exists. */
  getGroup(chatId: string): Promise<GroupSnapshot | undefined>;
  listGroupIds(): Promise<string[]>;
  listCustomerIds(userId: string): Promise<string[]>;
}
/** A customer group's QR join code (add_join_way scene 2 + get_join_way): customers scan it to join the group. */
export interface JoinCodeMaker {
  /** Creates a new join code for one group; `state` (≤ 30 chars) comes back on members who join through it. */
  createJoinCode(chatId: string, state: string): Promise<JoinCode>;
}

export interface MeetingRequest {
  host: string;
  title: string;
  startsAt: number;
  minutes: number;
}

export interface BookedMeeting {
  meetingId: string;
  link?: string;
}

export interface MeetingBooker {
  book(req: MeetingRequest): Promise<BookedMeeting>;
  /** The meeting this app already booked for this request (same host, title and start), if any. */
  findBooked(req: MeetingRequest): Promise<BookedMeeting | undefined>;
  /** What WeCom says of a meeting this app booked (meeting/get_info); undefined when WeCom will not say (no such meeting, no permission). */
  report(meetingId: string): Promise<MeetingReport | undefined>;
}

/** A booked meeting whose attendance is to be read after it ends (src/app/meeting-attendance.ts). */
export interface WatchedMeeting {
  leadId: string;
  /** The meeting_scheduled entry's id. */
  entryId: string;
  meetingId: string;
}

/**
 * Bookings made for an event, by its id, so a retried event reuses its meeting instead of booking another. `claim`
 * records the intent before the call to WeCom: a claim found without a booking means an earlier run may have booked
 * and lost the answer.
 */
export interface BookingStore {
  claim(key: string): Promise<{ state: 'new' | 'pending' } | { state: 'booked'; booking: BookedMeeting }>;
  save(key: string, booking: BookedMeeting): Promise<void>;
  /** Read this meeting's attendance at `dueAt` (ms); watching it again only moves the time. */
  watch(m: WatchedMeeting, dueAt: number): Promise<void>;
  /** Meetings whose attendance is due by `now`, oldest first. */
  dueWatches(now: number, limit: number): Promise<WatchedMeeting[]>;
  unwatch(m: WatchedMeeting): Promise<void>;
}

/** Updates a button card a member pressed (update_template_card with the press's one-time response_code). */
export interface CardUpdater {
  /** Replaces the pressed card's buttons with one label, so the rep sees it is done. */
  markDone(responseCode: string, label: string): Promise<void>;
}

/** Who a rep's manager is (user/get → direct_leader, or config). */
export interface ManagerLookup {
  managerOf(rep: string): Promise<string | undefined>;
  /** The member's name as people read it (user/get), or the userid when WeCom does not say. */
  nameOf(userId: string): Promise<string>;
}

/** WeCom's message APIs as the send use case needs them (src/wecom/api-client.ts). */
export interface MessageChannel {
  readonly agentId: number;
  /** message/send to members only; `once`: no retry inside (the caller makes every attempt, each with its own slot). */
  sendMessage(req: SendMessageRequest, opts?: { once?: boolean }): Promise<SendMessageResponse>;
  /** A reply through a robot callback's one-time response_url. */
  replyInRobotChat(responseUrl: string, body: MessageBody): Promise<void>;
}

/** A customer group's QR join code, made once per group and kept (src/app/group-invites.ts). */
export interface GroupInviter {
  /** The group's QR join code, made once per group and kept; undefined when WeCom refuses (logged). */
  joinCodeFor(chatId: string): Promise<JoinCode | undefined>;
}
