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
