// Every board page: reading the board's JSON (signed out → WeCom's sign-in and back here), and sign-out with the
// session's CSRF token (a plain form post could not carry it).
(function () {
  'use strict';
  /** The pages' two DOM helpers: an element by id, and a new element with its text. */
  window.boardDom = {
    $: (id) => document.getElementById(id),
    make: (tag, s) => {
      const el = document.createElement(tag);
      if (s !== undefined) el.textContent = s;
      return el;
    },
  };
  /** Dates as people read them, in the business time zone: 12月11日（周五）, and 12月3日（周四）00:18. */
  const zone = () => (document.querySelector('main') && document.querySelector('main').getAttribute('data-tz')) || 'Asia/Shanghai';
  window.boardDates = {
    day: (iso) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
      if (!m) return iso || '';
      const wd = '日一二三四五六'[new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay()];
      return `${Number(m[2])}月${Number(m[3])}日（周${wd}）`;
    },
    instant: (iso) => {
      if (!iso) return '';
      const parts = new Intl.DateTimeFormat('zh-CN', {
        timeZone: zone(),
        month: 'numeric',
        day: 'numeric',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(new Date(iso))
        .reduce((o, p) => ((o[p.type] = p.value), o), {});
      return `${parts.month}月${parts.day}日（${parts.weekday}）${parts.hour}:${parts.minute}`;
    },
    /** A week by its dates, from its Monday (yyyy-mm-dd): 11/30–12/6. */
    week: (mondayIso) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(mondayIso || '');
      if (!m) return mondayIso || '';
      const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      const end = new Date(start.getTime() + 6 * 86400000);
      return `${start.getUTCMonth() + 1}/${start.getUTCDate()}–${end.getUTCMonth() + 1}/${end.getUTCDate()}`;
    },
  };
  /** GET a board API route: the response, or undefined after sending a signed-out visitor to sign in. */
  window.boardGet = async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (res.status !== 401) return res;
    window.location.href = `/auth/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    return undefined;
  };
  const form = document.getElementById('logout');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const me = await fetch('/api/board/me', { credentials: 'same-origin' });
    if (me.ok) {
      const { csrfToken } = await me.json();
      await fetch('/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrfToken }, credentials: 'same-origin' });
    }
    window.location.href = '/auth/signed-out';
  });
})();
