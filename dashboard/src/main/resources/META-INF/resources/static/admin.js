// The admin page: creates a token through the API (Srgan.fetch adds the CSRF token) and shows it
// once; revoking is a plain data-post button handled by srgan.js.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('token-form');
    form.addEventListener('submit', async e => {
      e.preventDefault();
      Srgan.clearErrors(form);
      const button = document.getElementById('create-token');
      button.disabled = true;
      try {
        const response = await Srgan.fetch('/api/tokens', {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ name: form.elements.name.value, role: form.elements.role.value })
        });
        if (!response.ok) {
          Srgan.showErrors(form, await Srgan.readError(response));
          return;
        }
        const created = await response.json();
        document.getElementById('new-token-name').textContent = created.name + ' (' + created.role.toLowerCase() + ')';
        document.getElementById('new-token-value').textContent = created.token;
        document.getElementById('new-token').hidden = false;
        form.elements.name.value = '';
      } catch (err) {
        Srgan.showErrors(form, { error: 'The server could not be reached: ' + err.message });
      } finally {
        button.disabled = false;
      }
    });
  });
})();
