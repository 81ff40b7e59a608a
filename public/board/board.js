// Every board page: sign-out with the session's CSRF token (a plain form post could not carry it).
(function () {
  'use strict';
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
