// The chat sidebar (聊天工具栏): which chat this is (the WeCom client's JS-SDK, @wecom/jssdk), the lead and the
// method's next step (/api/sidebar/*), and one-tap actions through the rep-action core. Nothing here sends anything to
// the customer: text meant for the customer (the meeting link, the question) is shown for the rep to copy.
(function () {
  'use strict';
  const main = document.getElementById('sidebar');
  const view = document.getElementById('view');
  const status = document.getElementById('status');
  const day = window.boardDates.day;
  const fmt = window.boardDates.instant;
  const STATES = { unknown: '未定位', exploring: '观望（不确定买不买）', price_check: '比价', benchmarking: '陪跑（已接触几家）' };
  /** What the rep reads when something is missing, and what to do about it. */
  const LINES = {
    outside: '请在企业微信里打开：在客户的聊天窗口点工具栏里的「客户跟进」。',
    oldClient: '你的企业微信版本太旧，侧边栏用不了：请升级企业微信到最新版本后重新打开。',
    noPermission: '没有「客户联系」权限：请管理员在 客户与上下游 → 客户 → 可调用应用 里勾选本应用，并确认你在客户联系的使用范围内。',
    signature: '页面签名校验没有通过：请管理员检查本应用「网页授权及JS-SDK」的可信域名是否就是侧边栏的地址。',
    noAnswer: '企业微信没有回应：请关掉侧边栏重新打开；还不行，请升级企业微信。',
    noContext: '请从客户的聊天窗口打开（单聊或客户群的工具栏），这里读不到是哪位客户。',
    failed: '出错了，请稍后再试。',
  };
  let csrf = '';
  let me = '';

  const say = (s) => {
    status.textContent = s;
  };
  const done = () => main.setAttribute('aria-busy', 'false');
  const make = (tag, s, cls) => {
    const el = document.createElement(tag);
    if (s !== undefined) el.textContent = s;
    if (cls) el.className = cls;
    return el;
  };
  const button = (label, onClick, cls) => {
    const b = make('button', label, cls);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  };
  const key = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

  async function api(url, opts) {
    const o = opts || {};
    const headers = { 'x-csrf-token': csrf };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.key) headers['idempotency-key'] = o.key;
    const res = await fetch(url, {
      method: o.method || 'GET',
      credentials: 'same-origin',
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    if (res.status === 401) {
      window.location.href = `/auth/login?next=${encodeURIComponent('/sidebar')}`;
      throw new Error('signed out');
    }
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(json.message || String(res.status)), { code: json.error });
    return json;
  }

  /** A JS-SDK call that never answers outside the client (or from a stuck one) fails after `ms` instead of hanging. */
  const timed = (promise, ms) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject({ timeout: true }), ms))]);

  /** The one line for a failed JS-SDK call. */
  function lineFor(err) {
    if (err && err.timeout) return LINES.noAnswer;
    const msg = String((err && (err.errMsg || err.message)) || '').toLowerCase();
    if (/signature|invalid signature|签名/.test(msg)) return LINES.signature;
    if (/permission/.test(msg)) return LINES.noPermission;
    if (/not support|unsupport|function not exist|not exist/.test(msg)) return LINES.oldClient;
    if (/without context|context/.test(msg)) return LINES.noContext;
    return LINES.failed;
  }

  /** The copy box: text for the rep to paste to the customer, never sent by us. */
  function copyBox(label, textToCopy) {
    const box = make('div', undefined, 'copy');
    box.append(make('p', label, 'muted'), make('p', textToCopy, 'quote'));
    box.append(
      button('复制', async () => {
        try {
          await navigator.clipboard.writeText(textToCopy);
          say('已复制，粘贴到聊天里发给客户。');
        } catch {
          say('请长按上面的文字复制。');
        }
      }),
    );
    return box;
  }

  async function act(leadId, body, after) {
    say('正在记录…');
    try {
      const r = await api(`/api/sidebar/leads/${encodeURIComponent(leadId)}/actions`, { method: 'POST', body, key: key() });
      if (after) await after(r);
      // What the command would have answered (also in the rep's app chat), above the view, which may have been redrawn.
      const result = document.getElementById('result');
      result.replaceChildren(make('p', r.text, 'reply'));
      if (r.link) result.append(copyBox('会议链接（复制后发给客户）：', r.link));
      result.scrollIntoView({ block: 'nearest' });
      say('已记录。');
    } catch (err) {
      say(err.message || LINES.failed);
    }
  }

  function fact(dl, label, value) {
    if (value === undefined || value === null || value === '') return;
    dl.append(make('dt', label), make('dd', String(value)));
  }

  async function renderContact(externalUserId) {
    const d = await api(`/api/sidebar/contacts/${encodeURIComponent(externalUserId)}`);
    view.replaceChildren();
    if (d.kind === 'other_owner') {
      view.append(make('p', `由${d.ownerName}跟进`, 'owner'));
      return;
    }
    if (d.kind === 'not_lead') {
      view.append(make('p', '这位客户还不在跟进名单里（可能是在启用机器人之前加的）。'));
      view.append(
        button('加入跟进', async () => {
          try {
            await api(`/api/sidebar/contacts/${encodeURIComponent(externalUserId)}/adopt`, { method: 'POST', body: {}, key: key() });
            await renderContact(externalUserId);
            say('已加入跟进。');
          } catch (err) {
            say(err.message || LINES.failed);
          }
        }),
      );
      return;
    }
    const l = d.lead;
    const m = d.metrics;
    const name = l.remark || l.name;
    const id = l.id;
    view.append(make('h1', `${name}${l.company ? `（${l.company}）` : ''}`));
    const dl = make('dl', undefined, 'facts');
    dl.id = 'facts';
    fact(dl, '负责人', '你');
    fact(dl, '定位', `${STATES[l.state] || l.state}${l.stateSetBy ? `（${l.stateSetBy.name || l.stateSetBy.actor || ''} ${fmt(l.stateSetBy.at)}）` : ''}`);
    if (l.outcome !== 'open') fact(dl, '结果', `${l.outcome === 'won' ? '赢单' : '输单'}${l.outcomeReason ? `：${l.outcomeReason}` : ''}`);
    fact(dl, '决策时间', l.decisionDate ? `${day(l.decisionDate)}${d.decisionSlips ? `，推迟过 ${d.decisionSlips} 次` : ''}` : '还不知道');
    fact(dl, '沉默', `${m.quietDays} 天`);
    fact(dl, '本周通话', `${m.calls7d} 次`);
    fact(dl, '近 30 天占用客户时间', `${m.mindshareMinutes30d} 分钟`);
    fact(dl, '客户方参与人', `${m.stakeholders} 位`);
    if (d.openNudge) fact(dl, '待处理的提醒', `${d.openNudge.label}（${fmt(d.openNudge.sentAt)}）`);
    view.append(dl);

    if (d.stateSuggestion) {
      const s = make('section', undefined, 'suggestion');
      s.setAttribute('aria-label', '客户的话像是');
      s.append(make('p', `客户的话像是「${STATES[d.stateSuggestion.state]}」：『${d.stateSuggestion.cue}』`));
      s.append(
        button(`是，${STATES[d.stateSuggestion.state]}`, () =>
          act(id, { action: 'confirm_state', state: d.stateSuggestion.state }, () => renderContact(externalUserId)),
        ),
        button('不是', () => act(id, { action: 'confirm_state', state: 'none' }, () => renderContact(externalUserId)), 'secondary'),
      );
      view.append(s);
    }
    if (d.nextText) {
      const n = make('section', undefined, 'next');
      n.setAttribute('aria-label', '下一步');
      n.append(make('h2', '下一步'), make('p', d.nextText));
      if (d.question) n.append(copyBox('直接问：', d.question));
      view.append(n);
    }
    if (l.outcome !== 'open') return;

    const acts = make('section', undefined, 'actions');
    acts.setAttribute('aria-label', '记录');
    // 已打电话: minutes by tap or typed, and a note (read for what the customer said, like a call note).
    const call = make('fieldset');
    call.append(make('legend', '已打电话'));
    const note = make('textarea');
    note.id = 'call-note';
    note.maxLength = 300;
    note.rows = 2;
    const noteLabel = make('label', '备注（可选，客户说了什么）');
    noteLabel.htmlFor = 'call-note';
    const minutes = make('input');
    minutes.id = 'call-minutes';
    minutes.type = 'number';
    minutes.min = '1';
    minutes.max = '600';
    minutes.inputMode = 'numeric';
    const minutesLabel = make('label', '分钟');
    minutesLabel.htmlFor = 'call-minutes';
    const logCall = (n) =>
      act(id, { action: 'call', minutes: n, ...(note.value.trim() ? { note: note.value.trim() } : {}) }, () => renderContact(externalUserId));
    call.append(
      noteLabel,
      note,
      ...[5, 15, 30].map((n) => button(`${n} 分钟`, () => logCall(n))),
      minutesLabel,
      minutes,
      button('记录', () => {
        const n = Number(minutes.value);
        if (!Number.isInteger(n) || n < 1 || n > 600) return say('分钟数请填 1 到 600。');
        return logCall(n);
      }),
    );
    acts.append(call);

    const position = make('fieldset');
    position.append(make('legend', '定位'));
    for (const s of ['price_check', 'exploring', 'benchmarking'])
      position.append(button(STATES[s], () => act(id, { action: 'position', state: s }, () => renderContact(externalUserId)), 'secondary'));
    acts.append(position);

    const meeting = make('fieldset');
    meeting.append(make('legend', '约会议'));
    const when = make('input');
    when.id = 'meeting-at';
    when.type = 'datetime-local';
    const whenLabel = make('label', `时间（${main.getAttribute('data-tz')}）`);
    whenLabel.htmlFor = 'meeting-at';
    meeting.append(
      whenLabel,
      when,
      button('创建会议', () => {
        if (!when.value) return say('请先选会议时间。');
        return act(id, { action: 'meeting', startsAt: when.value.slice(0, 16) });
      }),
    );
    acts.append(meeting);

    const group = make('fieldset');
    group.append(make('legend', '建群'));
    group.append(
      button(l.groups.length ? '拿入群二维码' : '和客户建群', async () => {
        if (!l.groups.length) {
          try {
            // The client creates the group with the rep and the customer; WeCom then tells the bot, which sends the join code.
            await timed(ww.openEnterpriseChat({ userIds: me, externalUserIds: externalUserId, groupName: `${name}·项目沟通群` }), 15000);
          } catch (err) {
            if (!(err && err.errMsg && /cancel/.test(err.errMsg))) return say(lineFor(err));
            return say('没有建群。');
          }
        }
        return act(id, { action: 'group' });
      }),
    );
    acts.append(group);

    const more = make('fieldset');
    more.append(make('legend', '其他'));
    const reason = make('input');
    reason.id = 'close-reason';
    reason.maxLength = 200;
    const reasonLabel = make('label', '原因（赢单或输单时填）');
    reasonLabel.htmlFor = 'close-reason';
    const closeWith = (outcome) =>
      act(id, { action: outcome, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) }, () => renderContact(externalUserId));
    more.append(
      button('暂停提醒一周', () => act(id, { action: 'snooze', days: 7 }), 'secondary'),
      reasonLabel,
      reason,
      button('赢单', () => closeWith('won')),
      button('输单', () => closeWith('lost'), 'secondary'),
    );
    acts.append(more);
    view.append(acts);
  }

  async function renderChat(chatId) {
    let chat;
    try {
      chat = await api(`/api/sidebar/chats/${encodeURIComponent(chatId)}`);
    } catch (err) {
      view.replaceChildren(make('p', err.code === 'NOT_FOUND' ? '这个群还没有记到任何客户名下：在群里加上客户后再打开。' : err.message || LINES.failed));
      return;
    }
    view.replaceChildren(make('h1', chat.name || '客户群'));
    view.append(make('p', `客户方 ${chat.customers.length} 位`, 'muted'));
    const list = make('ul', undefined, 'leads');
    for (const lead of chat.leads) {
      const li = make('li');
      if (lead.mine) li.append(button(lead.name, () => renderContact(lead.id).catch((e) => say(e.message || LINES.failed)), 'link'));
      else li.append(make('span', `${lead.name} · 由${lead.ownerName}跟进`));
      list.append(li);
    }
    view.append(list);
  }

  async function start() {
    if (!window.ww || !window.ww.env || !window.ww.env.isWeCom) return say(LINES.outside);
    const who = await api('/api/board/me');
    csrf = who.csrfToken;
    me = who.userId;
    const signatures = (url) => api(`/api/sidebar/signatures?url=${encodeURIComponent(url)}`);
    let configFailed;
    ww.register({
      corpId: main.getAttribute('data-corp-id'),
      agentId: main.getAttribute('data-agent-id'),
      jsApiList: ['getContext', 'getCurExternalContact', 'getCurExternalChat', 'openEnterpriseChat'],
      getConfigSignature: async (url) => (await signatures(url)).config,
      getAgentConfigSignature: async (url) => (await signatures(url)).agentConfig,
      onAgentConfigFail: (err) => {
        configFailed = err;
      },
    });
    let context;
    try {
      context = await timed(ww.getContext(), 8000);
    } catch (err) {
      return say(lineFor(configFailed || err));
    }
    try {
      if (context.entry === 'single_chat_tools' || context.entry === 'contact_profile') {
        const { userId } = await timed(ww.getCurExternalContact(), 8000);
        await renderContact(userId);
      } else if (context.entry === 'group_chat_tools') {
        const { chatId } = await timed(ww.getCurExternalChat(), 8000);
        await renderChat(chatId);
      } else return say(LINES.noContext);
      say('');
    } catch (err) {
      say(err && (err.errMsg || err.timeout) ? lineFor(err) : err.message || LINES.failed);
    }
  }

  start()
    .catch((err) => say((err && err.message) || LINES.failed))
    .finally(done);
})();
