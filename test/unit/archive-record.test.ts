/** A chat-archive record as the web process stores it in the inbox and the worker reads it back: capped, same record. */
import { ARCHIVE_TEXT_CHARS, decodeArchivePlaintext, encodeArchiveRecord, toArchiveRecord } from '../../src/wecom/archive-record';

const raw = {
  msgid: 'm1',
  action: 'send',
  from: 'wmCUSTOMER01',
  tolist: ['zhangsan'],
  roomid: '',
  msgtime: 1_764_000_000_000,
  msgtype: 'text',
  text: { content: '麻烦报个价' },
};

test('stored and read back: the same record, its msgtime as createTime', () => {
  const r = toArchiveRecord(raw);
  expect(r).toEqual({
    msgid: 'm1',
    action: 'send',
    from: 'wmCUSTOMER01',
    tolist: ['zhangsan'],
    roomid: '',
    msgtime: 1_764_000_000_000,
    msgtype: 'text',
    text: '麻烦报个价',
  });
  expect(decodeArchivePlaintext(encodeArchiveRecord(r!))).toEqual({ kind: 'archive_message', createTime: 1_764_000_000, record: r });
});

test('a long text is capped when stored; what is not a record is refused', () => {
  const r = toArchiveRecord({ ...raw, text: { content: '长'.repeat(200_000) } });
  expect(r?.text).toHaveLength(ARCHIVE_TEXT_CHARS);
  expect(encodeArchiveRecord(r!).length).toBeLessThan(ARCHIVE_TEXT_CHARS + 300);
  expect(toArchiveRecord({ ...raw, msgid: '' })).toBeUndefined();
  expect(toArchiveRecord({ ...raw, msgtime: 'soon' })).toBeUndefined();
  expect(() => decodeArchivePlaintext('{')).toThrow(expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }));
  expect(toArchiveRecord({ ...raw, msgtype: 'image', text: undefined })?.text).toBeUndefined();
});

describe('what each message type carries', () => {
  const base = { msgid: 'm2', action: 'send', from: 'zhangsan', tolist: ['wmCUSTOMER01'], roomid: '', msgtime: 1_764_000_000_000 };
  test.each([
    ['a voice or video call (voiptext, under info)', { ...base, msgtype: 'voiptext', info: { callduration: 720, invitetype: 2 } }, { callSeconds: 720 }],
    ['a voiptext under its own key', { ...base, msgtype: 'voiptext', voiptext: { callduration: 95 } }, { callSeconds: 95 }],
    ['a recorded call', { ...base, msgtype: 'meeting_voice_call', meeting_voice_call: { endtime: 1_764_000_000 + 1800 } }, { callSeconds: 1800 }],
    [
      'a mixed message: its text parts',
      {
        ...base,
        msgtype: 'mixed',
        mixed: {
          item: [
            { type: 'text', content: '{"content":"报价单"}' },
            { type: 'image', content: '{}' },
            { type: 'text', content: '{"content":"发我"}' },
          ],
        },
      },
      { text: '报价单 发我' },
    ],
    ['a recall', { ...base, action: 'recall', msgtype: 'revoke', revoke: { pre_msgid: 'm1' } }, { recalls: 'm1' }],
  ])('%s', (_, raw, want) => {
    const r = toArchiveRecord(raw);
    expect(r).toMatchObject(want);
    // Stored and read back the same.
    expect(decodeArchivePlaintext(encodeArchiveRecord(r!)).record).toEqual(r);
  });
});
