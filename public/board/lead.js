// 客户 (one lead) on the manager's board: reads GET /api/board/leads/:id and renders it; 提醒他 and 我来跟 post with the
// session's CSRF token. No inline script (the board's CSP forbids it); Chart.js draws the mindshare chart.
(function () {
  'use strict';
  const main = document.querySelector('main[data-lead-id]');
  const leadId = main.getAttribute('data-lead-id');
  const $ = (id) => document.getElementById(id);
  const text = (el, s) => {
    el.textContent = s;
    return el;
  };
  const make = (tag, s, cls) => {
    const el = document.createElement(tag);
    if (s !== undefined) el.textContent = s;
    if (cls) el.className = cls;
    return el;
  };
  const day = window.boardDates.day;
  const fmt = window.boardDates.instant;

  const STATES = { unknown: '未定位', exploring: '观望（不确定买不买）', price_check: '比价', benchmarking: '陪跑（已接触几家）' };
  const KINDS = {
    added: '加了企业微信',
    customer_message: '客户发来消息',
    rep_message: '我们发了消息',
    call: '电话',
    meeting_scheduled: '约了会议',
    meeting_held: '开了会',
    meeting_missed: '会议没开成',
    group_created: '建了群',
    member_joined: '有人进群',
    member_left: '有人退群',
    proposal_requested: '要方案',
    document_sent: '发了资料',
    state_changed: '定位',
    outcome_changed: '结果',
    contact_deleted: '删除了联系人',
    decision_date_set: '决策时间',
    snoozed: '暂停提醒',
    signal: '客户信号',
    manager_reminded: '经理提醒跟进',
    manager_took: '经理接手电话',
  };
  const SIGNALS = { price: '问价', competitors: '提到别家', undecided: '还没决定', proposal_request: '要方案', decision_timing: '说了决策时间' };
  const NEXT = {
    position: '先定位：问清是比价、观望还是陪跑',
    meet_not_write: '客户要了方案：约会或拉群一起过，别一个人写',
    ask_decision: '问清什么时候定',
    widen_chain: '请客户把参与决定的人拉进来',
    meet_or_group: '约个会或拉个群',
    weekly_call: '每周亲自打一个电话',
  };
  const NUDGE = { acted: '已处理', resolved: '其他方式解决', open: '未处理' };

  function entryLine(e) {
    const li = make('li');
    li.appendChild(make('time', fmt(e.at)));
    let what = KINDS[e.kind] || e.kind;
    if (e.kind === 'signal') what = `${SIGNALS[e.signal] || e.signal}：「${e.cue}」${e.date ? `（${day(e.date)}）` : ''}`;
    else if (e.kind === 'call') what = e.outcome === 'no_answer' ? '电话没接通' : `电话${e.minutes ? ` ${e.minutes} 分钟` : ''}`;
    else if (e.kind === 'meeting_held')
      what = `开了会${e.minutes ? ` ${e.minutes} 分钟` : ''}${e.customerAttendees ? `，客户方 ${e.customerAttendees} 人` : ''}`;
    else if (e.kind === 'state_changed') what = `定位为「${STATES[e.to] || e.to}」`;
    else if (e.kind === 'decision_date_set') what = `决策时间定为 ${day(e.to)}`;
    else if (e.kind === 'outcome_changed') what = `${{ won: '赢单', lost: '输单', open: '重新跟进' }[e.to] || e.to}${e.note ? `：${e.note}` : ''}`;
    else if (e.note && e.kind === 'customer_message') what = `「${e.note}」`;
    li.appendChild(make('span', what));
    return li;
  }

  function render(d, me) {
    const l = d.lead;
    const closed = l.outcome !== 'open';
    text($('name'), `${l.remark || l.name}${l.company ? `（${l.company}）` : ''}`);
    document.title = `${l.remark || l.name} · 客户 · 跟进看板`;
    const facts = $('facts');
    const fact = (label, value) => {
      const div = make('div');
      div.appendChild(make('dt', label));
      div.appendChild(make('dd', value));
      facts.appendChild(div);
    };
    const owner = d.ownerName || l.owner;
    fact('负责人', owner);
    fact('定位', `${STATES[l.state] || l.state}${l.stateSetBy ? `（${l.stateSetBy.name || l.stateSetBy.actor || ''} ${fmt(l.stateSetBy.at)}）` : ''}`);
    fact('决策时间', l.decisionDate ? `${day(l.decisionDate)}${d.decisionSlips ? `，推迟过 ${d.decisionSlips} 次` : ''}` : closed ? '—' : '还没问到');
    fact('结果', `${{ open: '跟进中', won: '赢单', lost: '输单' }[l.outcome] || l.outcome}${closed && l.outcomeReason ? `（${l.outcomeReason}）` : ''}`);
    fact('近 30 天占用客户时间', `${d.metrics.mindshareMinutes30d} 分钟`);
    fact('客户方人数', String(d.metrics.stakeholders));
    fact('沉默', `${d.metrics.quietDays} 天`);
    if (l.archiveConsent) fact('会话存档', l.archiveConsent.agreed ? '客户已同意' : '客户未同意：读不到他的消息，多打电话');
    if (d.next) fact('下一步', NEXT[d.next.step] || d.next.step);
    else
      fact(
        '下一步',
        l.outcome === 'won'
          ? '已赢单，不再提醒。客户又有新需要时，负责人在企业微信发「重开 客户名」'
          : '已输单，不再提醒。客户回头时，负责人在企业微信发「重开 客户名」',
      );
    if (d.stateSuggestion) fact('客户的话像是', `${STATES[d.stateSuggestion.state]}：「${d.stateSuggestion.cue}」`);

    // Mindshare by week: stacked minutes, customer-started touches as a line; the same figures as a table for screen readers.
    const weeks = d.mindshare.map((w) => window.boardDates.week(w.monday));
    const table = $('mindshare-table');
    d.mindshare.forEach((w) => {
      const tr = make('tr');
      [window.boardDates.week(w.monday), w.callMinutes, w.meetingMinutes, w.groupMinutes, w.customerTouches].forEach((v, i) =>
        tr.appendChild(make(i === 0 ? 'th' : 'td', String(v))),
      );
      table.tBodies[0].appendChild(tr);
    });
    if (window.Chart) {
      new window.Chart($('mindshare'), {
        data: {
          labels: weeks,
          datasets: [
            { type: 'bar', label: '电话（分钟）', data: d.mindshare.map((w) => w.callMinutes), backgroundColor: '#0a5fb4', stack: 'm' },
            { type: 'bar', label: '会议（分钟）', data: d.mindshare.map((w) => w.meetingMinutes), backgroundColor: '#2f9e44', stack: 'm' },
            { type: 'bar', label: '群聊（分钟）', data: d.mindshare.map((w) => w.groupMinutes), backgroundColor: '#f08c00', stack: 'm' },
            { type: 'line', label: '客户主动', data: d.mindshare.map((w) => w.customerTouches), borderColor: '#9a3412', yAxisID: 'touches' },
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { stacked: true },
            y: { stacked: true, title: { display: true, text: '分钟' } },
            // A count of touches: whole numbers on its own axis (never 0–1.0).
            touches: {
              position: 'right',
              beginAtZero: true,
              suggestedMax: 3,
              ticks: { precision: 0, stepSize: 1 },
              title: { display: true, text: '客户主动（次）' },
              grid: { drawOnChartArea: false },
            },
          },
        },
      });
    }

    const customer = $('customer-side');
    d.timeline.customer
      .slice()
      .reverse()
      .forEach((e) => customer.appendChild(entryLine(e)));
    if (!d.timeline.customer.length) customer.appendChild(make('li', '客户还没有动静'));
    const ours = $('our-side');
    d.timeline.ours
      .slice()
      .reverse()
      .forEach((e) => ours.appendChild(entryLine(e)));
    // The newest entries come first; older ones a page at a time.
    const earlier = (list, side) => {
      let shown = d.timeline[side].length;
      if (d.timeline.total[side] <= shown) return;
      const li = make('li');
      const button = make('button', `显示更早的（还有 ${d.timeline.total[side] - shown} 条）`);
      button.type = 'button';
      button.addEventListener('click', async () => {
        const res = await window.boardGet(`/api/board/leads/${encodeURIComponent(leadId)}?offset=${shown}&limit=${d.timeline.limit}`);
        if (!res || !res.ok) return;
        const page = (await res.json()).timeline;
        page[side]
          .slice()
          .reverse()
          .forEach((e) => list.insertBefore(entryLine(e), li));
        shown += page[side].length;
        if (shown >= page.total[side] || page[side].length === 0) li.remove();
        else text(button, `显示更早的（还有 ${page.total[side] - shown} 条）`);
      });
      li.appendChild(button);
      list.appendChild(li);
    };
    earlier(customer, 'customer');
    earlier(ours, 'ours');

    const nudges = $('nudges');
    d.nudges
      .slice()
      .reverse()
      .forEach((n) => {
        const tr = make('tr');
        [fmt(n.sentAt), n.label || n.kind || '经理提醒', NUDGE[n.outcome] || n.outcome, n.how || ''].forEach((v, i) =>
          tr.appendChild(make(i === 0 ? 'th' : 'td', v)),
        );
        nudges.tBodies[0].appendChild(tr);
      });
    if (!d.nudges.length) {
      const tr = make('tr');
      const td = make('td', '还没有发过提醒');
      td.colSpan = 4;
      tr.appendChild(td);
      nudges.tBodies[0].appendChild(tr);
    }

    // 提醒他 / 我来跟 are for open leads only: a closed one has no next call.
    const canAct = me.role !== 'rep' && me.userId !== l.owner && !closed;
    $('actions').hidden = !canAct;
    if (canAct) {
      const act = async (path, done) => {
        const status = $('status');
        text(status, '正在发送…');
        const key = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
        const res = await fetch(`/api/board/leads/${encodeURIComponent(leadId)}/${path}`, {
          method: 'POST',
          headers: { 'X-CSRF-Token': me.csrfToken, 'Idempotency-Key': key },
          credentials: 'same-origin',
        });
        text(status, res.ok ? done : `没有成功（${res.status}），请刷新后再试`);
      };
      $('remind').addEventListener('click', () => act('remind', `已提醒 ${owner}：他会在企业微信收到这个客户的跟进卡片。`));
      $('take').addEventListener('click', () => act('take', `好，下一个电话你来打；已告诉 ${owner}。`));
    }
  }

  async function load() {
    const [meRes, leadRes] = await Promise.all([window.boardGet('/api/board/me'), window.boardGet(`/api/board/leads/${encodeURIComponent(leadId)}`)]);
    if (!meRes || !leadRes) return;
    if (!leadRes.ok) {
      text($('name'), leadRes.status === 404 ? '没有这个客户，或你看不到他' : '加载失败，请刷新');
      return;
    }
    render(await leadRes.json(), await meRes.json());
    main.setAttribute('aria-busy', 'false');
  }
  load().catch(() => text($('name'), '加载失败，请刷新'));
})();
