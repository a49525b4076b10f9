// The admin page: creates a token through the API (Srgan.fetch adds the CSRF token) and shows it
// once; sets a token's limit of active jobs (PATCH); revoking is a plain data-post button handled
// by srgan.js.
(function () {
  'use strict';
  /** A limit field's value: null when blank (the cluster's limit), else the number as typed. */
  function limitValue(input) {
    const text = input.value.trim();
    return text === '' ? null : Number(text);
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('form.token-limit').forEach(limit => {
      limit.addEventListener('submit', async e => {
        e.preventDefault();
        const error = limit.querySelector('.error');
        error.textContent = '';
        const input = limit.elements.maxActiveJobs;
        if (input.validity && input.validity.badInput) {
          error.textContent = 'Enter a whole number, or leave it blank for the cluster\'s limit.';
          return;
        }
        try {
          const response = await Srgan.fetch('/api/tokens/' + limit.dataset.tokenId, {
            method: 'PATCH', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ maxActiveJobs: limitValue(input) })
          });
          if (!response.ok) {
            error.textContent = (await Srgan.readError(response)).error;
            return;
          }
          Srgan.flash('Limit changed.');
        } catch (err) {
          error.textContent = 'The server could not be reached: ' + err.message;
        }
      });
    });
    const form = document.getElementById('token-form');
    form.addEventListener('submit', async e => {
      e.preventDefault();
      Srgan.clearErrors(form);
      const button = document.getElementById('create-token');
      button.disabled = true;
      try {
        const response = await Srgan.fetch('/api/tokens', {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({
            name: form.elements.name.value,
            role: form.elements.role.value,
            maxActiveJobs: limitValue(form.elements.maxActiveJobs)
          })
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
