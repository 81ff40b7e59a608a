// 提醒效果 on the manager's board: GET /api/board/nudges as one table for everyone and one per rep.
(function () {
  'use strict';
  const { $, make } = window.boardDom;
  const share = (n, of) => (of ? `${n}（${Math.round((n / of) * 100)}%）` : String(n));

  /** Rows of one table body: a kind per row, most sent first, then a total. */
  function fill(tbody, kinds) {
    const entries = Object.entries(kinds).sort((a, b) => b[1].sent - a[1].sent);
    const total = { label: '合计', sent: 0, acted72h: 0, followed7d: 0, ignored: 0 };
    entries.forEach(([, e]) => {
      total.sent += e.sent;
      total.acted72h += e.acted72h;
      total.followed7d += e.followed7d;
      total.ignored += e.ignored;
    });
    if (!entries.length) {
      const tr = make('tr');
      const td = make('td', '近 30 天没有发出提醒。');
      td.colSpan = 5;
      tr.appendChild(td);
      tbody.appendChild(tr);
      return;
    }
    [...entries.map(([, e]) => e), total].forEach((e) => {
      const tr = make('tr');
      if (e === total) tr.className = 'total';
      const th = make('th', e.label);
      th.scope = 'row';
      tr.appendChild(th);
      [String(e.sent), share(e.acted72h, e.sent), share(e.followed7d, e.sent), share(e.ignored, e.sent)].forEach((v) => tr.appendChild(make('td', v)));
      tbody.appendChild(tr);
    });
  }

  function table(caption, kinds) {
    const t = make('table');
    t.appendChild(make('caption', caption));
    t.appendChild($('by-kind').tHead.cloneNode(true));
    const body = make('tbody');
    t.appendChild(body);
    fill(body, kinds);
    const wrap = make('div');
    wrap.className = 'scroll';
    wrap.appendChild(t);
    return wrap;
  }

  window
    .boardGet('/api/board/nudges')
    .then((res) => res && res.json())
    .then((body) => {
      if (!body) return;
      fill($('by-kind').tBodies[0], body.byKind);
      const reps = body.byRep.slice().sort((a, b) => (a.name || a.rep).localeCompare(b.name || b.rep, 'zh-CN'));
      // A table per rep who was sent nudges; the others in one line, not one empty table each.
      const sent = reps.filter((r) => Object.values(r.kinds || {}).some((e) => e.sent > 0));
      sent.forEach((r) => $('by-rep').appendChild(table(r.name || r.rep, r.kinds)));
      const none = reps.filter((r) => !sent.includes(r));
      if (none.length && reps.length) $('by-rep').appendChild(make('p', `近 30 天没有收到提醒：${none.map((r) => r.name || r.rep).join('、')}`));
      if (!reps.length)
        $('by-rep').appendChild(make('p', '还没有数据。客户加了销售的企业微信、或销售记了一次电话或定位，一分钟内这里就会出现这位销售的一行。'));
      document.querySelector('main').setAttribute('aria-busy', 'false');
    })
    .catch(() => {
      $('status').textContent = '加载失败，请刷新';
    });
})();
