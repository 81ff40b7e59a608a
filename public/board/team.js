// 团队 on the manager's board: GET /api/board/team as a sortable table; each rep links to their leads at risk.
(function () {
  'use strict';
  const { $, make } = window.boardDom;
  const pct = (x) => `${Math.round(x * 100)}%`;
  const COLUMNS = [
    { key: 'name', label: '销售', value: (r) => r.name, show: (r) => r.name },
    { key: 'openLeads', label: '在跟客户', value: (r) => r.openLeads },
    { key: 'positionedShare', label: '已定位', value: (r) => r.positionedShare, show: (r) => pct(r.positionedShare) },
    {
      key: 'coverage',
      label: '本周通话覆盖',
      value: (r) => (r.dueWeeklyCall ? r.calledThisWeek / r.dueWeeklyCall : 1),
      show: (r) => `${r.calledThisWeek} / ${r.dueWeeklyCall}`,
    },
    {
      key: 'trend',
      label: '近 8 周通话覆盖',
      value: (r) => trendShare(r.coverageWeeks),
      // The line, and the week's figure beside it, so one week of data still reads as a number.
      cell: (r) => {
        const span = make('span');
        span.className = 'trend';
        const weeks = r.coverageWeeks || [];
        span.appendChild(sparkline(weeks));
        const last = weeks[weeks.length - 1];
        span.appendChild(make('span', last && last.due ? ` 本周 ${pct(last.called / last.due)}` : ' 本周 —'));
        return span;
      },
    },
    { key: 'meetings', label: '会议 7天 / 30天', value: (r) => r.meetings30d, show: (r) => `${r.meetings7d} / ${r.meetings30d}` },
    { key: 'groupsOpened30d', label: '新建群（30天）', value: (r) => r.groupsOpened30d },
    { key: 'avgStakeholders', label: '客户方平均人数', value: (r) => r.avgStakeholders },
    { key: 'quietLeads', label: '沉默客户', value: (r) => r.quietLeads },
    {
      key: 'nudges',
      label: '提醒 发出 / 处理 / 忽略',
      value: (r) => r.nudgesIgnored30d,
      show: (r) =>
        `${r.nudgesSent30d} / ${r.nudgesActed30d} / ${r.nudgesIgnored30d}${r.medianMinutesToAct !== null ? `（中位 ${r.medianMinutesToAct} 分钟处理）` : ''}`,
    },
    { key: 'won30d', label: '赢单（30天）', value: (r) => r.won30d || 0 },
    { key: 'lost30d', label: '输单（30天）', value: (r) => r.lost30d || 0 },
    { key: 'risk', label: '风险', value: (r) => r.risk },
  ];
  /** Coverage over the 8 weeks together (for sorting). */
  const trendShare = (weeks) => {
    const due = (weeks || []).reduce((a, w) => a + w.due, 0);
    return due ? (weeks || []).reduce((a, w) => a + w.called, 0) / due : 1;
  };
  /** An inline SVG line of the weekly call coverage (0–100 %), the current week last, its figures in the label. */
  function sparkline(weeks) {
    const SVG = 'http://www.w3.org/2000/svg';
    const W = 96;
    const H = 24;
    const shares = weeks.map((w) => (w.due ? w.called / w.due : null));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('width', String(W));
    svg.setAttribute('height', String(H));
    svg.setAttribute('class', 'spark');
    svg.setAttribute('role', 'img');
    const label = weeks.map((w, i) => `${i === weeks.length - 1 ? '本周' : `${weeks.length - 1 - i}周前`} ${w.due ? `${w.called}/${w.due}` : '无'}`);
    svg.setAttribute('aria-label', `近 ${weeks.length} 周通话覆盖：${label.join('，')}`);
    const step = weeks.length > 1 ? (W - 4) / (weeks.length - 1) : 0;
    const pts = [];
    shares.forEach((v, i) => {
      if (v === null) return;
      pts.push(`${(2 + i * step).toFixed(1)},${(H - 2 - v * (H - 4)).toFixed(1)}`);
    });
    if (pts.length) {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', pts.join(' '));
      svg.appendChild(line);
      const last = pts[pts.length - 1].split(',');
      const dot = document.createElementNS(SVG, 'circle');
      dot.setAttribute('cx', last[0]);
      dot.setAttribute('cy', last[1]);
      dot.setAttribute('r', '2');
      svg.appendChild(dot);
    }
    const title = document.createElementNS(SVG, 'title');
    title.textContent = label.join('，');
    svg.appendChild(title);
    return svg;
  }
  /** What the 风险 figure is made of, under the table. */
  const CHIP_LABELS = {
    decision_passed: '决策日已过',
    quiet: '沉默（另加每天 0.1，最多 3）',
    proposal_no_meeting: '要方案未约会',
    unpositioned: '未定位',
    no_call_this_week: '本周未打电话',
    single_threaded: '单线联系',
    decision_slipped: '决策日推迟（每次，最多 3 次）',
    nudges_ignored: '忽略提醒（每条，最多 3 条）',
  };
  function explainRisk(weights) {
    const parts = Object.keys(CHIP_LABELS)
      .filter((k) => weights[k] !== undefined)
      .map((k) => `${CHIP_LABELS[k]} ${weights[k]}`);
    if (parts.length) text($('risk-explained'), `风险 = 这位销售在跟客户的风险之和；每位客户：${parts.join('、')}。`);
  }
  const text = (el, s) => {
    if (el) el.textContent = s;
  };
  let rows = [];
  let sortKey = 'risk';
  let descending = true;

  function render() {
    const col = COLUMNS.find((c) => c.key === sortKey);
    const sorted = rows.slice().sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      const d = typeof x === 'string' ? x.localeCompare(y, 'zh-CN') : x - y;
      return descending ? -d : d;
    });
    const head = $('team').tHead.rows[0];
    head.textContent = '';
    COLUMNS.forEach((c) => {
      const th = make('th');
      th.scope = 'col';
      th.setAttribute('aria-sort', c.key === sortKey ? (descending ? 'descending' : 'ascending') : 'none');
      const b = make('button', c.label);
      b.type = 'button';
      b.className = 'sort';
      b.addEventListener('click', () => {
        descending = c.key === sortKey ? !descending : true;
        sortKey = c.key;
        render();
      });
      th.appendChild(b);
      head.appendChild(th);
    });
    const body = $('team').tBodies[0];
    body.textContent = '';
    sorted.forEach((r) => {
      const tr = make('tr');
      COLUMNS.forEach((c, i) => {
        const cell = make(i === 0 ? 'th' : 'td');
        if (i === 0) {
          cell.scope = 'row';
          const a = make('a', c.show(r));
          a.href = `/board/risks?rep=${encodeURIComponent(r.rep)}`;
          cell.appendChild(a);
        } else if (c.cell) cell.appendChild(c.cell(r));
        else cell.textContent = String(c.show ? c.show(r) : c.value(r));
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    if (!sorted.length) {
      const tr = make('tr');
      const td = make('td', '还没有数据。客户加了销售的企业微信、或销售记了一次电话或定位，一分钟内这里就会出现这位销售的一行。');
      td.colSpan = COLUMNS.length;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  window
    .boardGet('/api/board/team')
    .then((res) => res && res.json())
    .then((body) => {
      if (!body) return;
      rows = body.reps;
      render();
      explainRisk(body.riskWeights || {});
      document.querySelector('main').setAttribute('aria-busy', 'false');
    })
    .catch(() => {
      $('status').textContent = '加载失败，请刷新';
    });
})();
