// Shared dashboard behaviour, plain JS without a build step.
// - Live sections: an element with data-live="/fragment/url" and data-live-kinds="job,worker" is
//   re-rendered by the server whenever a matching event arrives on the page's one EventSource
//   (<body data-events="/api/events...">). Nothing polls: no event, no request.
// - Buttons with data-post="/api/..." send a POST (or data-method="DELETE") and show the API's error
//   message if it fails; data-confirm asks first, data-then="/page" or "reload" follows success.
// - <time data-ago> shows how long ago its datetime was, ticking in the browser.
// - Srgan.showErrors(form, error) puts an {"error", "field"} answer next to the field it names.
// - Srgan.fetch is the one way the dashboard changes anything: it adds the CSRF token (the server
//   refuses a cookie-authenticated POST without it) and sends the user to /login when signed out.
(function () {
  'use strict';

  const Srgan = {};
  window.Srgan = Srgan;

  /** The API's error body, or a readable message when the answer was not JSON. */
  Srgan.readError = async function (response) {
    try {
      const body = await response.json();
      if (body && body.error) {
        return body;
      }
    } catch (ignored) {
      // not JSON: a proxy or the server's own error page
    }
    if (response.status === 413) {
      return { error: 'The upload is larger than the server accepts.' };
    }
    return { error: 'The server answered ' + response.status + ' ' + response.statusText + '.' };
  };

  /** The CSRF token the login set in a cookie scripts may read (the session cookie itself they may not). */
  Srgan.csrfToken = function () {
    const match = document.cookie.match(/(?:^|;\s*)srgan_csrf=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : '';
  };

  /** fetch() for the dashboard's own requests: adds X-CSRF-Token to anything but GET/HEAD. */
  Srgan.fetch = async function (url, options) {
    const opts = Object.assign({}, options || {});
    const method = (opts.method || 'GET').toUpperCase();
    const headers = new Headers(opts.headers || {});
    if (method !== 'GET' && method !== 'HEAD') {
      headers.set('X-CSRF-Token', Srgan.csrfToken());
    }
    opts.headers = headers;
    opts.credentials = 'same-origin';
    const response = await fetch(url, opts);
    if (response.status === 401 && !window.location.pathname.startsWith('/login')) {
      window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname + window.location.search));
    }
    return response;
  };

  Srgan.clearErrors = function (form) {
    form.querySelectorAll('.field.invalid').forEach(f => f.classList.remove('invalid'));
    form.querySelectorAll('.field .error, .form-error').forEach(e => { e.textContent = ''; });
  };

  /** Shows {error, field} at the field it names (data-field), or at the top of the form. */
  Srgan.showErrors = function (form, error) {
    const field = error.field && form.querySelector('.field[data-field="' + CSS.escape(error.field) + '"]');
    if (field) {
      field.classList.add('invalid');
      field.querySelector('.error').textContent = error.error;
      const input = field.querySelector('input, select');
      if (input && input.type !== 'file') {
        input.focus();
      }
      field.scrollIntoView({ block: 'center', behavior: 'instant' });
    } else {
      const top = form.querySelector('.form-error');
      top.textContent = error.error;
      top.scrollIntoView({ block: 'center', behavior: 'instant' });
    }
  };

  /** Tags as a field holds them, comma-separated, as the API takes them: a list without blanks. */
  Srgan.tags = function (text) {
    return text.split(',').map(t => t.trim()).filter(t => t !== '');
  };

  Srgan.formatBytes = function (n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1024 / 1024).toFixed(1) + ' MiB';
  };

  // ---- live sections -------------------------------------------------------------------------

  const pending = new Map();

  /** Re-renders one live section from its fragment URL (at most once a second, the last wins). */
  Srgan.refresh = function (el) {
    if (!el.dataset.live) {
      return;
    }
    if (pending.has(el)) {
      pending.get(el).again = true;
      return;
    }
    const state = { again: false };
    pending.set(el, state);
    fetch(el.dataset.live, { headers: { Accept: 'text/html' } })
      .then(r => {
        if (r.redirected && new URL(r.url).pathname === '/login') {
          window.location.assign(r.url); // signed out (token revoked): the login page, not a fragment of it
          return null;
        }
        return r.ok ? r.text() : null;
      })
      .then(html => {
        if (html !== null) {
          el.innerHTML = html;
          tickAges(el);
          el.dispatchEvent(new CustomEvent('srgan:refreshed', { bubbles: true }));
        }
      })
      .catch(() => { /* the next event tries again */ })
      .finally(() => setTimeout(() => {
        pending.delete(el);
        if (state.again) {
          Srgan.refresh(el);
        }
      }, 1000));
  };

  Srgan.refreshAll = function () {
    document.querySelectorAll('[data-live]').forEach(Srgan.refresh);
  };

  /**
   * Opens an event stream at {@code url} and hands each event, parsed, to {@code onEvent}
   * (keep-alive pings and unreadable messages are skipped); returns the EventSource.
   */
  Srgan.events = function (url, onEvent) {
    const stream = new EventSource(url);
    stream.onmessage = message => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (ignored) {
        return;
      }
      if (event.kind !== 'ping') {
        onEvent(event);
      }
    };
    return stream;
  };

  let source = null;

  /** The url of the page's event stream, or null. */
  Srgan.listening = null;

  /**
   * Which events re-render the page's live parts (all when null); a page that follows more than
   * its own parts need (the Upscale page: the photo's other upscales too) narrows it. Every event
   * is still dispatched as {@code srgan:event}.
   */
  Srgan.relevant = null;

  /**
   * Follows the server's events at {@code url}: one stream per page, since a browser holds at most
   * six connections per host over HTTP/1.1; a new call replaces it.
   */
  Srgan.listen = function (url) {
    if (source) {
      source.close();
    }
    Srgan.listening = url;
    source = Srgan.events(url, event => {
      if (Srgan.relevant && !Srgan.relevant(event)) {
        document.dispatchEvent(new CustomEvent('srgan:event', { detail: event }));
        return;
      }
      document.querySelectorAll('[data-live]').forEach(el => {
        const kinds = (el.dataset.liveKinds || 'job').split(',');
        if (kinds.includes(event.kind)) {
          Srgan.refresh(el);
        }
      });
      document.dispatchEvent(new CustomEvent('srgan:event', { detail: event }));
    });
    // Once the stream is open, re-render once: an event sent before it opened (a small job that
    // ended between the page's render and the stream's start) is not sent again. EventSource
    // reconnects by itself; after a gap, the same.
    let opened = false;
    let lost = false;
    source.onerror = () => { lost = true; };
    source.onopen = () => {
      if (!opened || lost) {
        Srgan.refreshAll();
      }
      if (lost) {
        document.dispatchEvent(new CustomEvent('srgan:reconnected'));
      }
      opened = true;
      lost = false;
    };
  };

  // ---- relative times ------------------------------------------------------------------------

  function ago(seconds) {
    if (seconds < 2) return 'just now';
    if (seconds < 60) return Math.floor(seconds) + ' s ago';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ago';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ago';
    return Math.floor(seconds / 86400) + ' d ago';
  }

  function tickAges(root) {
    const now = Date.now();
    (root || document).querySelectorAll('time[data-ago]').forEach(t => {
      const at = Date.parse(t.getAttribute('datetime'));
      if (!isNaN(at)) {
        t.textContent = ago(Math.max(0, (now - at) / 1000));
        t.title = new Date(at).toLocaleString();
      }
    });
  }

  // ---- POST buttons --------------------------------------------------------------------------

  Srgan.flash = function (message, bad) {
    const flash = document.getElementById('flash');
    flash.textContent = message;
    flash.classList.toggle('bad', !!bad);
  };

  document.addEventListener('click', async e => {
    const button = e.target.closest('button[data-post]');
    if (!button) {
      return;
    }
    e.preventDefault();
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      return;
    }
    button.disabled = true;
    try {
      const response = await Srgan.fetch(button.dataset.post, {
        method: button.dataset.method || 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: button.dataset.body || undefined
      });
      if (response.ok) {
        Srgan.flash(button.dataset.done || 'Done.', false);
        if (button.dataset.then === 'reload') {
          window.location.reload();
        } else if (button.dataset.then && button.dataset.then.startsWith('/')) {
          window.location.assign(button.dataset.then);
        } else {
          Srgan.refreshAll();
        }
      } else {
        Srgan.flash((await Srgan.readError(response)).error, true);
      }
    } catch (err) {
      Srgan.flash('The server could not be reached: ' + err.message, true);
    } finally {
      button.disabled = false;
    }
  });

  /** Sends a form's JSON body; the page again once it is done, or each error at its field. */
  async function sendForm(form, url, method, body) {
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const response = await Srgan.fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body)
      });
      if (response.ok && 'thenJob' in form.dataset) {
        // a form that queues a job goes on to the job's page, where it runs
        window.location.assign('/jobs/' + (await response.json()).id);
        return;
      }
      if (response.ok) {
        window.location.reload();
        return;
      }
      Srgan.showErrors(form, await Srgan.readError(response));
    } catch (err) {
      Srgan.showErrors(form, { error: 'The server could not be reached: ' + err.message });
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener('submit', e => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.labels) {
      // a job's name, tags and notes (the run page and the job page): PATCH /api/jobs/<id>
      e.preventDefault();
      Srgan.clearErrors(form);
      const name = form.elements.name.value.trim();
      const body = { tags: Srgan.tags(form.elements.tags.value), notes: form.elements.notes.value };
      if (name !== '') body.name = name;
      sendForm(form, form.dataset.labels, 'PATCH', body);
    } else if (form.dataset.jsonPost) {
      // a form POSTed as a JSON object (a run's "Train longer"): number fields as numbers, empty
      // ones left out; a field named in the URL ("/api/models/{modelId}/evaluate") goes there
      e.preventDefault();
      Srgan.clearErrors(form);
      const body = {};
      for (const input of form.querySelectorAll('input[name], select[name], textarea[name]')) {
        const value = input.value.trim();
        if (value !== '') body[input.name] = input.type === 'number' ? Number(value) : value;
      }
      const url = form.dataset.jsonPost.replace(/\{(\w+)\}/g, (_, name) => {
        const value = encodeURIComponent(body[name] || '');
        delete body[name];
        return value;
      });
      sendForm(form, url, 'POST', body);
    }
  });

  // A "Start from" select (the training and sweep forms): choosing a model sets the run's scale to
  // the model's and raises its residual blocks to at least the model's, the two things that must fit,
  // lowers a default generator learning rate to one for fine-tuning and keeps the model's BatchNorm
  // statistics; random weights have no statistics to keep.
  document.addEventListener('change', e => {
    const select = e.target;
    if (!(select instanceof HTMLSelectElement) || select.id !== 'baseModelId') return;
    const option = select.selectedOptions[0];
    const form = select.form;
    const freeze = form.querySelector('[data-hp="freezeBatchNorm"], [data-sweep="freezeBatchNorm"]');
    const fromModel = Boolean(option && option.dataset.scale);
    if (freeze && freeze.type === 'checkbox') freeze.checked = fromModel;
    else if (freeze) freeze.value = String(fromModel);
    if (!fromModel) return;
    const scale = form.querySelector('[data-hp="scale"], [data-sweep="scale"]');
    const blocks = form.querySelector('[data-hp="residualBlocks"], [data-sweep="residualBlocks"]');
    if (scale) scale.value = option.dataset.scale;
    const needed = Number(option.dataset.blocks);
    if (blocks && !(Number(blocks.value) >= needed)) blocks.value = String(needed);
    // the learning rate for training from scratch moves a trained model far in a few steps
    // (docs/api.md, "Fine-tuning"): a learning rate still at its default becomes 1e-5
    const rate = form.querySelector('[data-hp="learningRateG"], [data-sweep="learningRateG"]');
    if (rate && rate.value.trim() === rate.dataset.default) rate.value = '0.00001';
  });

  document.addEventListener('DOMContentLoaded', () => {
    // /training?from=<model id> (the Models page's Fine-tune button): that model is the starting point
    const from = new URLSearchParams(window.location.search).get('from');
    const base = document.getElementById('baseModelId');
    if (from && base && Array.from(base.options).some(o => o.value === from)) {
      base.value = from;
      base.dispatchEvent(new Event('change', { bubbles: true }));
    }
    const path = window.location.pathname;
    document.querySelectorAll('nav a').forEach(a => {
      const href = a.getAttribute('href');
      a.classList.toggle('active', href === '/' ? path === '/' : path.startsWith(href));
    });
    tickAges(document);
    setInterval(() => tickAges(document), 5000);
    if (document.body.dataset.events) {
      Srgan.listen(document.body.dataset.events);
    }
  });
})();
