import type { MeetingReport } from '../domain/meeting-attendance';
import type { BookedMeeting, CustomerDirectory, CustomerProfile, GroupSnapshot, JoinCode, JoinCodeMaker, MeetingBooker, MeetingRequest } from '../app/ports';
import type { WeComApiClient } from './api-client';
import { WeComApiError } from './api-errors';
import { OUTSIDER_LIMITS, storedOutsider } from '../domain/outsider-text';

const GONE = new Set([84061, 40096, 40050, 90500]);

/** The CustomerDirectory, MeetingBooker and JoinCodeMaker ports over the WeCom API client. */
export class WeComDirectory implements CustomerDirectory, MeetingBooker, JoinCodeMaker {
  constructor(private readonly api: WeComApiClient) {}

  async getCustomer(externalUserId: string): Promise<CustomerProfile | undefined> {
    try {
      const res = await this.api.getExternalContact(externalUserId);
      return {
        externalUserId,
        // What the customer (or a rep) typed is stored cleaned and capped (src/domain/outsider-text.ts).
        name: storedOutsider(res.external_contact.name, OUTSIDER_LIMITS.name),
        company: storedOutsider(res.external_contact.corp_full_name || res.external_contact.corp_name || '', OUTSIDER_LIMITS.company) || undefined,
        followers: res.follow_user.map((f) => ({
          userId: f.userid,
          remark: storedOutsider(f.remark ?? '', OUTSIDER_LIMITS.name) || undefined,
          state: f.state || undefined,
          addedAt: f.createtime * 1000,
        })),
      };
    } catch (err) {
      if (err instanceof WeComApiError && GONE.has(err.errcode)) return undefined;
      throw err;
    }
  }

  async getGroup(chatId: string): Promise<GroupSnapshot | undefined> {
    try {
      const { group_chat: g } = await this.api.getGroupChat(chatId);
      return {
        chatId,
        name: storedOutsider(g.name ?? '', OUTSIDER_LIMITS.groupName) || undefined,
        owner: g.owner,
        createdAt: g.create_time * 1000,
        customers: g.member_list.filter((m) => m.type === 2).map((m) => m.userid),
        staff: g.member_list.filter((m) => m.type === 1).map((m) => m.userid),
        memberVersion: g.member_version,
      };
    } catch (err) {
      if (err instanceof WeComApiError && GONE.has(err.errcode)) return undefined;
      throw err;
    }
  }

  async listGroupIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await this.api.listGroupChats({ limit: 1000, ...(cursor ? { cursor } : {}) });
      ids.push(...res.group_chat_list.map((g) => g.chat_id));
      cursor = res.next_cursor || undefined;
    } while (cursor);
    return ids;
  }

  async listCustomerIds(userId: string): Promise<string[]> {
    try {
      return (await this.api.listExternalContacts(userId)).external_userid;
    } catch (err) {
      if (err instanceof WeComApiError && err.errcode === 84061) return [];
      throw err;
    }
  }

  /**
   * add_join_way returns only a config id; the QR comes from get_join_way. No auto-created overflow rooms: a sales
   * group is one conversation, not a pool.
   */
  async createJoinCode(chatId: string, state: string): Promise<JoinCode> {
    const { config_id } = await this.api.addJoinWay({ scene: 2, remark: '跟进助手·客户群', auto_create_room: 0, chat_id_list: [chatId], state });
    const { join_way } = await this.api.getJoinWay(config_id);
    return { configId: config_id, qrCode: join_way.qr_code };
  }

  async book(req: MeetingRequest): Promise<BookedMeeting> {
    const title = meetingTitle(req.title);
    const res = await this.api.createMeeting({
      admin_userid: req.host,
      title,
      meeting_start: Math.floor(req.startsAt / 1000),
      meeting_duration: Math.min(Math.max(req.minutes * 60, 300), 86399),
      agentid: this.api.agentId,
      invitees: { userid: [req.host] },
    });
    return { meetingId: res.meetingid, link: res.meeting_link };
  }

  /**
   * The meeting this app already created for this request, if any: the host's meetings around its start time
   * (get_user_meetingid), then the one with the same title and start (get_info). How a booking whose answer was lost
   * (a crash, a timeout) is found instead of booked twice.
   */
  async findBooked(req: MeetingRequest): Promise<BookedMeeting | undefined> {
    const start = Math.floor(req.startsAt / 1000);
    const title = meetingTitle(req.title);
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await this.api.getUserMeetingIds({
        userid: req.host,
        begin_time: start - 60,
        end_time: start + 60,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      for (const id of res.meetingid_list ?? []) {
        const info = await this.api.getMeetingInfo(id);
        if (info.title === title && info.meeting_start === start && info.status !== 4) return { meetingId: id, link: info.meeting_link };
      }
      cursor = res.next_cursor;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  /** meeting/get_info as a MeetingReport: who from our side and from the customer's side joined, for how long. */
  async report(meetingId: string): Promise<MeetingReport | undefined> {
    try {
      const info = await this.api.getMeetingInfo(meetingId);
      const status = [1, 2, 3, 4, 5].includes(info.status) ? (info.status as MeetingReport['status']) : undefined;
      if (!status) return undefined;
      const joined = (a: { status: number; cumulative_time?: number }) => a.status === 1 || (a.cumulative_time ?? 0) > 0;
      return {
        status,
        startsAt: info.meeting_start * 1000,
        minutes: Math.round(info.meeting_duration / 60),
        staff: (info.attendees?.member ?? []).filter(joined).map((m) => ({ userId: m.userid ?? '', seconds: m.cumulative_time ?? 0 })),
        customers: (info.attendees?.tmp_external_user ?? []).filter((m) => (m.cumulative_time ?? 0) > 0).map((m) => ({ seconds: m.cumulative_time ?? 0 })),
      };
    } catch (err) {
      if (err instanceof WeComApiError && (MEETING_UNREADABLE.has(err.errcode) || err.disposition === 'permanent')) return undefined;
      throw err;
    }
  }
}

/** Meeting ids WeCom does not know, or this app may not read (not created by it). */
const MEETING_UNREADABLE = new Set([400002, 400003, 400018, 48002, 60011]);

/** meeting/create takes a title of at most 20 characters. */
const meetingTitle = (title: string) => [...title].slice(0, 20).join('');

/** Card updates and managers over the WeCom API (ports of src/app/nudger.ts). */
export class WeComCards {
  constructor(
    private readonly api: WeComApiClient,
    private readonly managersMap: Record<string, string>,
  ) {}

  async markDone(responseCode: string, label: string): Promise<void> {
    await this.api.updateTemplateCard({ agentid: this.api.agentId, response_code: responseCode, button: { replace_name: label } });
  }

  async nameOf(userId: string): Promise<string> {
    try {
      return (await this.api.getUser(userId)).name || userId;
    } catch (err) {
      if (err instanceof WeComApiError && err.disposition === 'permanent') return userId;
      throw err;
    }
  }

  async managerOf(rep: string): Promise<string | undefined> {
    const mapped = this.managersMap[rep];
    if (mapped) return mapped;
    try {
      return (await this.api.getUser(rep)).direct_leader?.[0];
    } catch (err) {
      if (err instanceof WeComApiError && err.disposition === 'permanent') return undefined;
      throw err;
    }
  }
}
