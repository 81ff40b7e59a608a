import { parseRawQuery } from '../../src/http/query';
import { maskPhones } from '../../src/log';
import { captureLogger } from '../helpers/config';

describe('parseRawQuery', () => {
  test('decodes percent-escapes exactly once and keeps "+" (base64 data)', () => {
    const q = parseRawQuery('echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D&nonce=1');
    expect(q.echostr).toBe('P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==');
    expect(parseRawQuery('e=a+b%2Bc').e).toBe('a+b+c');
    expect(parseRawQuery('e=%252F').e).toBe('%2F');
  });
  test('malformed escapes and repeats', () => {
    expect(parseRawQuery('a=%E0%A4%A&b=2&b=3')).toEqual({ b: '2' });
    expect(parseRawQuery('')).toEqual({});
    expect(parseRawQuery('flag&x=')).toEqual({ flag: '', x: '' });
  });
});

describe('logs never carry secrets or phone numbers', () => {
  test('redacted paths', () => {
    const { log, lines } = captureLogger();
    log.info(
      { access_token: 'AT', secret: 'S', wecom: { secret: 'S2', aesKey: 'K', token: 'T' }, user: { mobile: '13800138000' }, content: '电话 13800138000' },
      'x',
    );
    const line = JSON.stringify(lines[0]);
    for (const leaked of ['AT', '"S"', 'S2', '"K"', '"T"', '13800138000']) expect(line).not.toContain(leaked);
    expect(line).toContain('[redacted]');
  });
  test('phone numbers in free text are masked', () => {
    expect(maskPhones('call 13800138000 or +86 13912345678, order 123456789012')).toBe('call 138****8000 or +86 139****5678, order 123456789012');
    const { log, lines } = captureLogger();
    log.warn('customer left number 15012345678');
    expect(lines[0]?.msg).toBe('customer left number 150****5678');
  });
});
