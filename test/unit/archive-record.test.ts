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
