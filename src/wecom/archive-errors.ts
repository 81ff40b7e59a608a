/**
 * What the puller does with each failure of the archive SDK (return codes 10000–10011) or of WeCom's server (the
 * errcode inside a GetChatData answer): retry with backoff, stop and alert an operator, park the record, or report a
 * gap. Each with a hint an operator acts on, in Chinese and English, for the log.
 */
export type ArchiveDisposition = 'retry' | 'stop' | 'park' | 'gap' | 'smaller';

export interface ArchiveFailure {
  /** `sdk:10001`, `errcode:301042`… */
  code: string;
  disposition: ArchiveDisposition;
  hint: string;
}

const SDK: Record<number, [ArchiveDisposition, string]> = {
  10000: ['stop', '参数错误：检查企业ID与会话存档 Secret / bad parameters: check WECOM_CORP_ID and WECOM_ARCHIVE_SECRET'],
  10001: ['retry', '网络错误，稍后重试 / network error: retrying with backoff'],
  10002: ['retry', '数据解析失败，稍后重试 / the answer could not be parsed: retrying'],
  10003: ['retry', '系统失败，稍后重试 / WeCom system error: retrying'],
  10004: ['stop', '密钥错误导致加密失败：检查会话存档 Secret / key error: check WECOM_ARCHIVE_SECRET'],
  10005: ['retry', 'fileid 错误 / bad sdkfileid'],
  10006: ['park', '解密失败：该版本的私钥与公钥不配对 / decryption failed: the private key filed under this version is not its pair'],
  10007: ['park', '找不到该加密版本的私钥：把该版本的私钥加入 WECOM_ARCHIVE_KEYS / no private key for this version: add it to WECOM_ARCHIVE_KEYS'],
  10008: ['park', '解析 encrypt_key 出错 / encrypt_key could not be read'],
  10009: ['stop', 'IP 不在可信 IP 列表：在管理后台 会话内容存档 中添加本机出口 IP / IP not whitelisted: add this server’s egress IP in the admin console'],
  10010: ['gap', '数据过期：超过 5 天未拉取，更早的消息已无法获取 / data expired: more than 5 days since the last pull, older records are gone'],
  10011: ['stop', '证书错误：检查系统 CA 证书 / certificate error: check the system CA certificates'],
};

const SERVER: Record<number, [ArchiveDisposition, string]> = {
  40001: ['stop', '会话存档 Secret 不正确 / wrong archive Secret: set WECOM_ARCHIVE_SECRET to 会话内容存档 → Secret'],
  40013: ['stop', '企业ID 不正确 / wrong corp id (WECOM_CORP_ID)'],
  40014: ['stop', 'access_token 无效：检查会话存档 Secret / invalid access token: check WECOM_ARCHIVE_SECRET'],
  41001: ['stop', '缺少 access_token：检查会话存档 Secret / access token missing: check WECOM_ARCHIVE_SECRET'],
  42001: ['retry', 'access_token 过期，稍后重试 / access token expired: retrying'],
  45009: ['retry', '调用频率超限，稍后重试 / rate limited: retrying with backoff'],
  45033: ['retry', '并发调用超限，稍后重试 / too many concurrent calls: retrying'],
  301042: ['stop', 'IP 白名单限制：在管理后台 会话内容存档 → 可信IP 中添加本机出口 IP / IP not whitelisted: add this server’s egress IP'],
  301052: ['stop', '会话存档服务已过期：续费后重启 / the archive service has expired: renew it'],
  301053: ['stop', '会话存档服务未开启：在管理后台开启 会话内容存档 / the archive service is not enabled: enable 会话内容存档'],
  301058: ['smaller', '单次拉取数据过大，减小条数重试 / the batch is too large: retrying with a smaller limit'],
};

export function sdkFailure(ret: number): ArchiveFailure {
  const [disposition, hint] = SDK[ret] ?? ['retry', `未知返回码 ${ret}，稍后重试 / unknown return code ${ret}: retrying`];
  return { code: `sdk:${ret}`, disposition, hint };
}

export function serverFailure(errcode: number, errmsg: string): ArchiveFailure {
  const [disposition, hint] = SERVER[errcode] ?? [
    'retry',
    `企业微信返回错误 ${errcode}（${errmsg.slice(0, 80)}），稍后重试 / WeCom errcode ${errcode}: retrying`,
  ];
  return { code: `errcode:${errcode}`, disposition, hint };
}
