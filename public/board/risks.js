// 风险 on the manager's board: GET /api/board/risks, filtered by rep, state and chip (the URL's own query), riskiest first.
(function () {
  'use strict';
  const { $, make } = window.boardDom;
  const STATES = { unknown: '未定位', exploring: '观望', price_check: '比价', benchmarking: '陪跑' };
  const CHIP = (c) =>
    ({
      unpositioned: '未定位',
      quiet: `沉默 ${c.days} 天`,
      no_call_this_week: '本周未打电话',
      proposal_no_meeting: '要方案未约会',
      single_threaded: '单线联系',
      decision_passed: '决策日已过',
      decision_slipped: `决策日推迟 ${c.times} 次`,
      nudges_ignored: `忽略提醒 ${c.times} 次`,
    })[c.chip] || c.chip;

  const params = new URLSearchParams(window.location.search);
  ['state', 'chip'].forEach((k) => {
    const el = $(`f-${k}`);
    if (el && params.get(k)) el.value = params.get(k);
  });
  // The rep filter is a choice of the viewer's reps, by name.
  window
    .boardGet('/api/board/team')
    .then((res) => res && res.ok && res.json())
    .then((body) => {
      const select = $('f-rep');
      ((body && body.reps) || []).forEach((r) => {
        const option = make('option', r.name || r.rep);
        option.value = r.rep;
        select.appendChild(option);
      });
      if (params.get('rep')) select.value = params.get('rep');
    })
    .catch(() => undefined);

  window
    .boardGet(`/api/board/risks?${params.toString()}`)
    .then((res) => res && res.json())
    .then((body) => {
      if (!body) return;
      const list = $('risks');
      const weights = body.riskWeights || {};
      body.leads.forEach((l) => {
        const li = make('li');
        const a = make('a', l.name);
        a.href = `/board/leads/${encodeURIComponent(l.leadId)}`;
        li.appendChild(a);
        li.appendChild(make('span', ` · ${l.ownerName || l.owner} · ${STATES[l.state] || l.state} · 风险 ${l.risk} `));
        // Each chip with what it adds to the score, so the number explains itself.
        l.chips.forEach((c) => {
          const w = weights[c.chip];
          const n = 'times' in c ? Math.min(c.times, 3) : 1;
          li.appendChild(Object.assign(make('span', w !== undefined ? `${CHIP(c)} +${w * n}` : CHIP(c)), { className: 'chip' }));
        });
        list.appendChild(li);
      });
      if (!body.leads.length) list.appendChild(make('li', '没有需要关注的客户'));
      document.querySelector('main').setAttribute('aria-busy', 'false');
    })
    .catch(() => {
      $('status').textContent = '加载失败，请刷新';
    });
})();
