import { absorbManualLead, isFollowedUp, manualLeadsMatching, newLead, type Lead } from '../../src/domain/lead';

const T = Date.parse('2026-11-20T02:00:00Z');
const manual = (id: string, name: string, extra: Partial<Lead> = {}): Lead => newLead({ id, name, owner: 'zhangsan', source: 'phone', createdAt: T, ...extra });
const customer = newLead({
  id: 'woZHANG',
  externalUserId: 'woZHANG',
  name: '张建国',
  remark: '张总',
  company: '某制造厂',
  owner: 'zhangsan',
  source: 'other',
  createdAt: T + 86_400_000,
});

describe('which manual leads may be a new WeCom customer', () => {
  test.each([
    ['the rep’s remark: merged on its own', '张总', 'byRemark'],
    ['the WeCom name, which the customer chose: asked', '张建国', 'byCustomer'],
    ['the company, which the customer typed: asked', '某制造厂', 'byCustomer'],
    ['spaces and case do not matter', ' 张 总 ', 'byRemark'],
    ['another name', '李总', undefined],
    ['a part of the name is not enough', '张', undefined],
  ] as const)('%s', (_why, name, where) => {
    const m = manualLeadsMatching([manual('m-1', name)], customer);
    expect([m.byRemark.length, m.byCustomer.length]).toEqual([where === 'byRemark' ? 1 : 0, where === 'byCustomer' ? 1 : 0]);
  });
  test('a customer who named themselves after a manual lead, with no remark from the rep, is never merged on its own', () => {
    const attacker = newLead({ id: 'woEVIL', externalUserId: 'woEVIL', name: '赵总', owner: 'zhangsan', source: 'other', createdAt: T });
    expect(manualLeadsMatching([manual('m-zhao', '赵总')], attacker)).toEqual({ byRemark: [], byCustomer: [expect.objectContaining({ id: 'm-zhao' })] });
  });
  test('only open manual leads of the same rep; WeCom leads and merged ones are not candidates', () => {
    const candidates = [
      manual('m-other-rep', '张总', { owner: 'lisi' }),
      manual('m-lost', '张总', { outcome: 'lost' }),
      manual('m-merged', '张总', { mergedInto: 'woX' }),
      newLead({ id: 'woSAME', externalUserId: 'woSAME', name: '张总', owner: 'zhangsan', source: 'web', createdAt: T }),
      manual('m-yes', '张总'),
    ];
    expect(manualLeadsMatching(candidates, customer).byRemark.map((l) => l.id)).toEqual(['m-yes']);
  });
  test('a merged lead is no longer followed up', () => {
    expect(isFollowedUp(manual('m-1', '张总', { mergedInto: 'woZHANG' }))).toBe(false);
  });
});

describe('absorbing a manual lead', () => {
  test('what the rep knew comes over: state, decision date, snooze, channel, the earlier start', () => {
    const m = manual('m-1', '张总', {
      state: 'price_check',
      decisionDate: '2026-12-04',
      snoozedUntil: T + 5,
      stamps: { state: T + 10, decisionDate: T + 20, snooze: T + 30 },
    });
    const merged = absorbManualLead(customer, m);
    expect(merged).toMatchObject({
      id: 'woZHANG',
      name: '张建国',
      state: 'price_check',
      decisionDate: '2026-12-04',
      snoozedUntil: T + 5,
      source: 'phone',
      createdAt: T,
    });
    expect(customer.state).toBe('unknown'); // a copy
  });
  test('newer facts on the WeCom lead win (last writer wins by when it happened)', () => {
    const positioned = { ...customer, state: 'exploring' as const, stamps: { state: T + 100 } };
    const m = manual('m-1', '张总', { state: 'price_check', stamps: { state: T + 10 } });
    expect(absorbManualLead(positioned, m).state).toBe('exploring');
  });
  test('a known channel is kept; fields the rep never set stay as they were', () => {
    const fromWeb = { ...customer, source: 'web' as const, decisionDate: '2026-12-31', stamps: { decisionDate: T } };
    expect(absorbManualLead(fromWeb, manual('m-1', '张总'))).toMatchObject({ source: 'web', decisionDate: '2026-12-31', state: 'unknown' });
  });
});
