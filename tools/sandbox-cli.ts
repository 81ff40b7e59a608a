/**
 * The WeCom sandbox from the terminal.
 *
 *   npm run sandbox                                   start the fake WeCom API on :8700, seeded (reps 张三 zhangsan and 李四
 *                                                     lisi, their manager 王五 wangwu, customers 王总, 陈经理, 刘总), and
 *                                                     print what members receive
 *   npm run sandbox -- inbox zhangsan                 print a member's inbox from a running sandbox
 *   npm run sandbox -- callback add-contact --user zhangsan --external woAB001 --state 询价单
 *   npm run sandbox -- callback group-create --chat wrAB001
 *   npm run sandbox -- callback join --chat wrAB001 --members wmA,wmB
 *   npm run sandbox -- callback text --user zhangsan 电话 王总 20分钟
 *   npm run sandbox -- archive text --from woWANG0000000001 --to zhangsan 报价单发我
 *   npm run sandbox -- archive text --room wrAB001 --from woWANG0000000001 收到，周五开会
 *   npm run sandbox -- archive call --user zhangsan --external woWANG0000000001 --minutes 12
 *
 * The sandbox also plays WeCom's chat archive (会话内容存档): `serve` prints the WECOM_ARCHIVE_* settings that point
 * the bot at the stub SDK; `archive` writes a message into it and, like WeCom, sends the bot a msgaudit_notify so it
 * pulls at once.
 *
 * `callback` signs and encrypts like WeCom and posts to BOT_URL (default http://127.0.0.1:3000) with the app's
 * WECOM_TOKEN, WECOM_AES_KEY and WECOM_CORP_ID from the environment.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { WeComEvent } from '../src/wecom/events';
import { CallbackDriver } from './sandbox/callback-driver';
import { seedSandbox, SANDBOX_ARCHIVE, SANDBOX_CREDENTIALS } from './sandbox/seed';
import { archiveMessages, SandboxArchive, stubSdkPath, type ArchiveMessage } from './sandbox/archive';
import { renderMessage, WeComSandbox, type InboxMessage } from './sandbox/wecom-sandbox';

function need(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`sandbox: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

function print(m: InboxMessage): void {
  const when = new Date(m.at).toISOString().slice(11, 19);
  console.log(`\n[${when}] → ${m.touser} (${m.msgtype})\n${renderMessage(m).replace(/^/gm, '  ')}`);
}

async function serve(port: number): Promise<void> {
  const sandbox = new WeComSandbox({
    corpId: process.env.WECOM_CORP_ID || SANDBOX_CREDENTIALS.corpId,
    secret: process.env.WECOM_SECRET || SANDBOX_CREDENTIALS.secret,
    agentId: Number(process.env.WECOM_AGENT_ID || SANDBOX_CREDENTIALS.agentId),
  });
  const seeded = seedSandbox(sandbox);
  // The chat archive: records the stub SDK serves to the bot's puller (its directory: WECOM_SDK_STUB_DIR).
  const archive = new SandboxArchive(path.resolve(process.env.WECOM_SDK_STUB_DIR || SANDBOX_ARCHIVE.dir));
  archive.requireSecret(SANDBOX_ARCHIVE.secret);
  sandbox.archive = archive;
  const sdk = stubSdkPath();
  sandbox.onMessage(print);
  // In a container the sandbox serves the other services (SANDBOX_HOST=0.0.0.0); on a machine, this machine only.
  const url = await sandbox.listen(port, process.env.SANDBOX_HOST || '127.0.0.1');
  console.log(`WeCom sandbox at ${url}`);
  console.log(`  WECOM_API_BASE=${url}  WECOM_CORP_ID=${sandbox.opts.corpId}  WECOM_SECRET=${sandbox.opts.secret}  WECOM_AGENT_ID=${sandbox.opts.agentId}`);
  console.log(
    `  reps: ${seeded.reps.join(', ')} (manager ${seeded.manager}); customers: ${seeded.customers.map((c) => `${c.remark} ${c.id} → ${c.rep}`).join('; ')}`,
  );
  console.log(
    `  chat archive: WECOM_ARCHIVE_SDK_PATH=${path.relative(process.cwd(), sdk)}  WECOM_ARCHIVE_SECRET=${SANDBOX_ARCHIVE.secret}  WECOM_ARCHIVE_KEYS=${path.relative(process.cwd(), archive.keysDir)}  WECOM_SDK_STUB_DIR=${path.relative(process.cwd(), archive.dir)}`,
  );
  // The WeCom client for the sidebar: a link that puts it in 张三's chat with 王总 and opens the sidebar; a group it
  // opens there is told to the bot as WeCom tells it (change_external_chat), when the bot's callback settings are set.
  const botUrl = process.env.PUBLIC_URL || 'http://localhost:3000';
  const corp = process.env.WECOM_CORP_ID;
  if (corp && process.env.WECOM_TOKEN && process.env.WECOM_AES_KEY) {
    const driver = new CallbackDriver(process.env.BOT_URL ?? botUrl, { corpId: corp, token: process.env.WECOM_TOKEN, aesKey: process.env.WECOM_AES_KEY });
    sandbox.onChatOpened = async (chatId) => {
      await driver.send({ kind: 'external_chat', corpId: corp, createTime: Math.floor(Date.now() / 1000), chatId, changeType: 'create' });
    };
  }
  console.log(`  sidebar, as 张三 in 王总's chat (the bot needs WECOM_CLIENT_BRIDGE=${url}/sandbox/client-bridge.js):`);
  console.log(`    ${url}/sandbox/client?user=zhangsan&external=woWANG0000000001&to=${encodeURIComponent(botUrl)}`);
  console.log("  more: POST /sandbox/users, /sandbox/contacts, /sandbox/groups; a member's inbox: GET /sandbox/inbox/:userid");
}

async function callback(kind: string, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      external: { type: 'string' },
      state: { type: 'string' },
      chat: { type: 'string' },
      members: { type: 'string' },
      type: { type: 'string' },
    },
  });
  const now = Math.floor(Date.now() / 1000);
  const corpId = need('WECOM_CORP_ID');
  const driver = new CallbackDriver(process.env.BOT_URL ?? `http://127.0.0.1:${process.env.PORT || 3000}`, {
    corpId,
    token: need('WECOM_TOKEN'),
    aesKey: need('WECOM_AES_KEY'),
  });
  // What a message from a rep carries; its MsgId is a 64-bit integer, unique enough for a person at a terminal.
  const fromRep = {
    corpId,
    createTime: now,
    msgId: String(BigInt(now) * 1000000n + BigInt(Math.floor(Math.random() * 1e6))),
    fromUser: values.user ?? 'zhangsan',
    agentId: process.env.WECOM_AGENT_ID ?? '1000002',
  };
  let event: WeComEvent;
  switch (kind) {
    case 'add-contact':
      event = {
        kind: 'external_contact',
        corpId,
        createTime: now,
        changeType: 'add_external_contact',
        userId: values.user ?? 'zhangsan',
        externalUserId: values.external ?? 'woWANG0000000001',
        state: values.state,
      };
      break;
    case 'group-create':
      event = { kind: 'external_chat', corpId, createTime: now, chatId: values.chat ?? 'wrSANDBOX0001', changeType: 'create' };
      break;
    case 'join': {
      const members = (values.members ?? '').split(',').filter(Boolean);
      event = {
        kind: 'external_chat',
        corpId,
        createTime: now,
        chatId: values.chat ?? 'wrSANDBOX0001',
        changeType: 'update',
        updateDetail: 'add_member',
        joinScene: 0,
        memChangeCnt: members.length,
        memChangeList: members,
      };
      break;
    }
    case 'text':
      event = { kind: 'app_text', ...fromRep, content: positionals.join(' ') };
      break;
    case 'media':
      // A picture, voice message, file… sent to the app (--type image|voice|video|file|location|link; voice by default).
      event = { kind: 'app_media', ...fromRep, msgType: values.type ?? 'voice' };
      break;
    default:
      console.error(`sandbox: unknown callback "${kind}" (add-contact, group-create, join, text, media)`);
      process.exit(2);
  }
  const res = await driver.send(event);
  console.log(`${event.kind} → HTTP ${res.status}${res.body ? ` ${res.body}` : ''} after ${res.attempts} attempt(s)`);
  if (res.status !== 200) process.exitCode = 1;
}

/** Writes one message into the sandbox's chat archive, then tells the bot, as WeCom does (msgaudit_notify). */
async function archiveCommand(kind: string, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      room: { type: 'string' },
      user: { type: 'string' },
      external: { type: 'string' },
      minutes: { type: 'string' },
      'from-customer': { type: 'boolean' },
    },
  });
  let message: ArchiveMessage;
  switch (kind) {
    case 'text':
      message = archiveMessages.text({
        from: values.from ?? 'woWANG0000000001',
        to: (values.to ?? 'zhangsan').split(',').filter(Boolean),
        room: values.room,
        text: positionals.join(' '),
      });
      break;
    case 'call':
      message = archiveMessages.call({
        user: values.user ?? 'zhangsan',
        external: values.external ?? 'woWANG0000000001',
        minutes: Number(values.minutes ?? 10),
        fromCustomer: values['from-customer'],
      });
      break;
    default:
      console.error(`sandbox: unknown archive message "${kind}" (text, call)`);
      process.exit(2);
  }
  const base = process.env.SANDBOX_URL ?? 'http://127.0.0.1:8700';
  const res = await fetch(`${base}/sandbox/archive`, { method: 'POST', body: JSON.stringify({ messages: [message] }) });
  const answer = (await res.json()) as { seqs?: number[]; message?: string };
  if (res.status !== 200) {
    console.error(`sandbox: the archive answered ${res.status}: ${answer.message ?? ''}`);
    process.exit(1);
  }
  console.log(`archived ${message.msgtype} as seq ${answer.seqs?.[0]}`);
  const corpId = process.env.WECOM_CORP_ID;
  if (!corpId || !process.env.WECOM_TOKEN || !process.env.WECOM_AES_KEY) {
    console.log('  (WECOM_CORP_ID, WECOM_TOKEN and WECOM_AES_KEY are not set: the bot pulls it within archive.pullEverySeconds)');
    return;
  }
  const driver = new CallbackDriver(process.env.BOT_URL ?? `http://127.0.0.1:${process.env.PORT || 3000}`, {
    corpId,
    token: process.env.WECOM_TOKEN,
    aesKey: process.env.WECOM_AES_KEY,
  });
  const notify = await driver.send({
    kind: 'msgaudit_notify',
    corpId,
    createTime: Math.floor(Date.now() / 1000),
    agentId: process.env.WECOM_AGENT_ID ?? '1000002',
  });
  console.log(`msgaudit_notify → HTTP ${notify.status} (the bot pulls now)`);
}

async function inbox(userid: string): Promise<void> {
  const base = process.env.SANDBOX_URL ?? 'http://127.0.0.1:8700';
  const res = (await (await fetch(`${base}/sandbox/inbox/${encodeURIComponent(userid)}`)).json()) as { messages: InboxMessage[] };
  if (res.messages.length === 0) console.log(`${userid}'s inbox is empty`);
  res.messages.forEach(print);
}

async function main(): Promise<void> {
  const [cmd = 'serve', ...rest] = process.argv.slice(2);
  if (cmd === 'serve') return serve(Number(process.env.SANDBOX_PORT ?? 8700));
  if (cmd === 'inbox') return inbox(rest[0] ?? 'zhangsan');
  if (cmd === 'callback') return callback(rest[0] ?? '', rest.slice(1));
  if (cmd === 'archive') return archiveCommand(rest[0] ?? '', rest.slice(1));
  console.error('usage: sandbox [serve | inbox <userid> | callback <add-contact|group-create|join|text|media> … | archive <text|call> …]');
  process.exit(2);
}

main().catch((err: unknown) => {
  console.error(`sandbox: ${(err as Error).message}`);
  process.exit(1);
});
