/** Typed requests and responses of the WeCom server API endpoints we use (docs/wecom-protocol.md §5). */

export interface WeComEnvelope {
  errcode: number;
  errmsg: string;
}

/** get_jsapi_ticket and ticket/get?type=agent_config: a JS-SDK ticket, valid for expires_in seconds (7200). */
export interface TicketResponse extends WeComEnvelope {
  ticket: string;
  expires_in: number;
}

export interface GetTokenResponse extends WeComEnvelope {
  access_token: string;
  expires_in: number;
}

export interface ButtonInteractionCard {
  card_type: 'button_interaction';
  source?: { icon_url?: string; desc?: string; desc_color?: number };
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list?: { keyname: string; value?: string; type?: number; url?: string }[];
  card_action?: { type: number; url?: string };
  task_id: string;
  button_list: { text: string; style?: 1 | 2 | 3 | 4; key: string }[];
}

export type MessageBody =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'template_card'; template_card: ButtonInteractionCard };

/** What a robot's response_url takes (docs/wecom-protocol.md §3.4): markdown or a template card, unencrypted JSON. */
export type RobotReplyBody = Extract<MessageBody, { msgtype: 'markdown' | 'template_card' }>;

export type SendMessageRequest = MessageBody & {
  touser: string;
  agentid: number;
  safe?: 0 | 1;
  enable_duplicate_check?: 0 | 1;
  duplicate_check_interval?: number;
};

export interface SendMessageResponse extends WeComEnvelope {
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
  msgid?: string;
  response_code?: string;
}

export interface UpdateTemplateCardRequest {
  userids?: string[];
  atall?: 0 | 1;
  agentid: number;
  response_code: string;
  button?: { replace_name: string };
  template_card?: ButtonInteractionCard;
}

export interface FollowUser {
  userid: string;
  remark?: string;
  description?: string;
  createtime: number;
  state?: string;
  add_way?: number;
  oper_userid?: string;
  remark_corp_name?: string;
  remark_mobiles?: string[];
  tags?: { group_name: string; tag_name: string; tag_id?: string; type: number }[];
}

export interface ExternalContact {
  external_userid: string;
  name: string;
  type: 1 | 2;
  avatar?: string;
  gender?: number;
  position?: string;
  corp_name?: string;
  corp_full_name?: string;
  unionid?: string;
}

export interface GetExternalContactResponse extends WeComEnvelope {
  external_contact: ExternalContact;
  follow_user: FollowUser[];
  next_cursor?: string;
}

export interface ListExternalContactResponse extends WeComEnvelope {
  external_userid: string[];
}

export interface GroupChatListRequest {
  status_filter?: 0 | 1 | 2 | 3;
  owner_filter?: { userid_list: string[] };
  cursor?: string;
  limit: number;
}

export interface GroupChatListResponse extends WeComEnvelope {
  group_chat_list: { chat_id: string; status: number }[];
  next_cursor?: string;
}

export interface GroupChatMember {
  userid: string;
  /** 1 member of the company, 2 external contact */
  type: 1 | 2;
  join_time: number;
  /** 1 invited directly, 2 by link, 3 scanned the group QR */
  join_scene: number;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
  unionid?: string;
  state?: string;
}

export interface GroupChat {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice?: string;
  member_list: GroupChatMember[];
  admin_list?: { userid: string }[];
  member_version?: string;
}

export interface GroupChatGetResponse extends WeComEnvelope {
  group_chat: GroupChat;
}

export interface AddJoinWayRequest {
  scene: 1 | 2;
  remark?: string;
  auto_create_room?: 0 | 1;
  room_base_name?: string;
  room_base_id?: number;
  chat_id_list: string[];
  state?: string;
  mark_source?: boolean;
}

export interface AddJoinWayResponse extends WeComEnvelope {
  config_id: string;
}

export interface GetJoinWayResponse extends WeComEnvelope {
  join_way: AddJoinWayRequest & { config_id: string; qr_code: string };
}

export interface AddContactWayRequest {
  type: 1 | 2;
  scene: 1 | 2;
  style?: number;
  remark?: string;
  skip_verify?: boolean;
  state?: string;
  user?: string[];
  party?: number[];
}

export interface AddContactWayResponse extends WeComEnvelope {
  config_id: string;
  qr_code?: string;
}

export interface MeetingCreateRequest {
  admin_userid: string;
  title: string;
  meeting_start: number;
  meeting_duration: number;
  description?: string;
  location?: string;
  agentid?: number;
  invitees?: { userid: string[] };
}

export interface MeetingCreateResponse extends WeComEnvelope {
  meetingid: string;
  meeting_code?: string;
  meeting_link?: string;
  excess_users?: string[];
}

/** meeting/get_user_meetingid (docs/wecom-protocol.md §11.2): a member's meetings in a time window, paged. */
export interface GetUserMeetingIdsRequest {
  userid: string;
  cursor?: string;
  begin_time?: number;
  end_time?: number;
  limit?: number;
}

export interface GetUserMeetingIdsResponse extends WeComEnvelope {
  next_cursor?: string;
  meetingid_list?: string[];
}

export interface MeetingAttendee {
  userid?: string;
  tmp_external_userid?: string;
  status: number;
  first_join_time?: number;
  last_quit_time?: number;
  total_join_count?: number;
  cumulative_time?: number;
}

/** meeting/get_info (docs/wecom-protocol.md §11.2). status: 1 not started, 2 in progress, 3 ended, 4 cancelled, 5 expired. */
export interface MeetingInfoResponse extends WeComEnvelope {
  admin_userid: string;
  title: string;
  meeting_start: number;
  meeting_duration: number;
  status: number;
  agentid?: number;
  meeting_link?: string;
  attendees?: { member?: MeetingAttendee[]; tmp_external_user?: MeetingAttendee[] };
}

export interface GetUserResponse extends WeComEnvelope {
  userid: string;
  name: string;
  department?: number[];
  position?: string;
  mobile?: string;
  email?: string;
  direct_leader?: string[];
  status?: number;
}

/** auth/getuserinfo (docs/wecom-protocol.md §11.1.3): a member's userid, or a non-member's openid / external_userid. */
export interface GetUserInfoResponse extends WeComEnvelope {
  userid?: string;
  user_ticket?: string;
  openid?: string;
  external_userid?: string;
}
