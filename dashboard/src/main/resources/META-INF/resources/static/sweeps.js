// Hyperparameter sweeps: the new-sweep form (each field one value or several, comma-separated; the
// several span the grid, POST /api/training/sweeps), and a sweep's page: the runs table sorted by
// a metric or a parameter, a scatter of a swept parameter against a metric, and registering the
// best checkpoint as a model. The curves overlaid are training.js's compare chart.
(function () {
  'use strict';

  // ---- the form ------------------------------------------------------------------------------

  /** One field's values: {values: [...]} or {error}. A list field (lrMilestones) is one value, never swept. */
  function readField(input) {
    const kind = input.dataset.kind;
    const text = input.value.trim();
    if (kind === 'list') {
      if (text === '' || text.toLowerCase() === 'none') return { values: [[]] };
      const steps = text.split(/[\s,]+/).filter(s => s !== '').map(Number);
      if (steps.some(n => !Number.isInteger(n) || n < 0)) {
        return { error: 'Write whole step numbers separated by commas, e.g. 5000, 8000 (one list for every run).' };
      }
      return { values: [steps] };
    }
    if (text === '') {
      if (kind === 'optional') return { values: [null] };
      return { error: 'Enter one value, or several separated by commas (the default is ' + (input.dataset.default || 'in the hint') + ').' };
    }
    const values = [];
    const seen = new Set();
    for (const raw of text.split(',')) {
      const token = raw.trim();
      if (token === '') return { error: 'There is an empty value between two commas.' };
      let value;
      if (kind === 'optional' && token.toLowerCase() === 'none') {
        value = null;
      } else if (kind === 'bool') {
        if (!['true', 'false'].includes(token.toLowerCase())) return { error: 'Write true or false (or both, "false, true", to compare them), not "' + token + '".' };
        value = token.toLowerCase() === 'true';
      } else {
        value = Number(token);
        if (!Number.isFinite(value)) return { error: '"' + token + '" is not a number.' };
        if ((kind === 'int' || kind === 'scale') && !Number.isInteger(value)) return { error: '"' + token + '" is not a whole number.' };
        if (kind === 'scale' && ![2, 4, 8].includes(value)) return { error: 'The scale is 2, 4 or 8, not ' + token + '.' };
      }
      const key = String(value);
      if (seen.has(key)) return { error: token + ' is listed twice; list each value once.' };
      seen.add(key);
      values.push(value);
    }
    return { values };
  }

  /** The base hyperparameters and the grid, or the first field's error. */
  function readSweep(form) {
    const hyperparameters = {};
    const grid = {};
    for (const input of form.querySelectorAll('[data-sweep]')) {
      const field = readField(input);
      if (field.error) return { error: { field: input.dataset.sweep, error: field.error } };
      if (field.values.length === 1) {
        hyperparameters[input.dataset.sweep] = field.values[0];
      } else {
        grid[input.dataset.sweep] = field.values;
      }
    }
    return { hyperparameters, grid };
  }

  function setUpForm(form) {
    const maxRuns = Number(form.dataset.maxRuns);
    const count = document.getElementById('sweep-count');
    const button = document.getElementById('start-sweep');
    const status = document.getElementById('form-status');

    /** Says how many runs the grid makes as the user types; marks a field as soon as it cannot be read. */
    function preview(changed) {
      if (changed) {
        const field = changed.closest('.field');
        const result = readField(changed);
        field.classList.toggle('invalid', !!result.error);
        field.querySelector('.error').textContent = result.error || '';
      }
      const sweep = readSweep(form);
      if (sweep.error) {
        count.textContent = '';
        return;
      }
      const sizes = Object.values(sweep.grid).map(v => v.length);
      const runs = sizes.reduce((a, b) => a * b, 1);
      count.textContent = sizes.length === 0 ? 'Give a hyperparameter several values to sweep over it.'
        : (sizes.length > 1 ? sizes.join(' × ') + ' = ' : '') + runs + ' runs' + (runs > maxRuns ? ', more than the ' + maxRuns + ' a sweep may have' : '');
      count.classList.toggle('bad', runs > maxRuns);
      count.dataset.runs = String(sizes.length === 0 ? 0 : runs);
    }

    form.addEventListener('input', e => { if (e.target.dataset.sweep) preview(e.target); });
    preview(null);

    form.addEventListener('submit', async e => {
      e.preventDefault();
      Srgan.clearErrors(form);
      const sweep = readSweep(form);
      if (sweep.error) {
        Srgan.showErrors(form, sweep.error);
        return;
      }
      const sizes = Object.values(sweep.grid).map(v => v.length);
      const runs = sizes.reduce((a, b) => a * b, 1);
      if (sizes.length === 0) {
        Srgan.showErrors(form, { error: 'Nothing to sweep: give at least one hyperparameter several values separated by commas, e.g. learning rate G 0.0001, 0.001. For a single run use the Training page.' });
        return;
      }
      if (runs > maxRuns) {
        Srgan.showErrors(form, { error: 'The grid has ' + sizes.join(' × ') + ' = ' + runs + ' points; a sweep runs at most ' + maxRuns + '. List fewer values.' });
        return;
      }
      const datasetId = document.getElementById('datasetId').value;
      if (!datasetId) {
        Srgan.showErrors(form, { field: 'datasetId', error: 'Choose a dataset (upload one on the Training page).' });
        return;
      }
      button.disabled = true;
      status.textContent = 'Submitting ' + runs + ' runs…';
      try {
        const body = {
          datasetId, name: document.getElementById('sweep-name').value, contentLoss: document.getElementById('contentLoss').value,
          baseModelId: document.getElementById('baseModelId').value || null,
          validationDatasetId: document.getElementById('validationDatasetId').value || null,
          tags: Srgan.tags(document.getElementById('run-tags').value),
          hyperparameters: sweep.hyperparameters, grid: sweep.grid
        };
        const response = await Srgan.fetch('/api/training/sweeps', {
          method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', Accept: 'application/json' }
        });
        if (response.status !== 202) {
          Srgan.showErrors(form, await Srgan.readError(response));
          return;
        }
        window.location.href = '/training/sweeps/' + (await response.json()).id;
      } catch (err) {
        Srgan.showErrors(form, { error: 'The server could not be reached: ' + err.message });
      } finally {
        button.disabled = false;
        status.textContent = '';
      }
    });
  }

  // ---- the sweep page ------------------------------------------------------------------------

  function rows() {
    return Array.from(document.querySelectorAll('#sweep-table tbody tr[data-run]'));
  }

  function parameter(tr, name) {
    try {
      return JSON.parse(tr.dataset.point)[name];
    } catch (ignored) {
      return undefined;
    }
  }

  function metric(tr, key) {
    return tr.dataset[key] === '' || tr.dataset[key] === undefined ? null : Number(tr.dataset[key]);
  }

  /** Sorts by {key}: "index", "p:<parameter>" (ascending), or a metric (best first: NIQE ascending, others descending); runs without a value last. */
  let sortKey = 'index';

  function sortTable() {
    const tbody = document.querySelector('#sweep-table tbody');
    if (!tbody) return;
    const value = tr => sortKey === 'index' ? Number(tr.dataset.index)
      : sortKey.startsWith('p:') ? parameter(tr, sortKey.substring(2)) : metric(tr, sortKey);
    const descending = sortKey === 'psnr' || sortKey === 'ssim';
    const sorted = rows().sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === null || x === undefined) return (y === null || y === undefined) ? 0 : 1;
      if (y === null || y === undefined) return -1;
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
    sorted.forEach(tr => tbody.appendChild(tr));
    document.querySelectorAll('#sweep-table th[data-sort]').forEach(th => th.classList.toggle('sorted', th.dataset.sort === sortKey));
    document.getElementById('sweep-table').dataset.sortedBy = sortKey;
  }

  function setUpScatter() {
    const canvas = document.getElementById('chart-scatter');
    const xSelect = document.getElementById('scatter-x');
    const ySelect = document.getElementById('scatter-y');
    const status = document.getElementById('scatter-status');
    const colors = window.SrganTraining.COLORS; // training.js loads first (sweep.html)
    const chart = new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: { x: { type: 'linear', title: { display: true, text: '' } }, y: { title: { display: true, text: '' } } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } }
      }
    });
    window.srganCharts = Object.assign(window.srganCharts || {}, { scatter: chart });

    function draw() {
      const name = xSelect.value;
      const key = ySelect.value;
      const all = rows().map(tr => ({ tr, x: parameter(tr, name), y: metric(tr, key) }));
      const numeric = all.every(p => typeof p.x === 'number');
      const categories = numeric ? [] : [...new Set(all.map(p => JSON.stringify(p.x)))];
      const xs = all.map(p => p.x).filter(x => typeof x === 'number');
      // learning rates and the like span decades: a log axis when all are positive and they do
      const log = numeric && xs.length > 1 && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 100;
      chart.options.scales.x = numeric
        ? { type: log ? 'logarithmic' : 'linear', title: { display: true, text: name } }
        : { type: 'linear', min: -0.5, max: categories.length - 0.5, title: { display: true, text: name },
            ticks: { stepSize: 1, callback: v => Number.isInteger(v) && categories[v] !== undefined ? categories[v] : '' } };
      chart.options.scales.y.title.text = ySelect.options[ySelect.selectedIndex].text;
      const shown = all.filter(p => p.y !== null);
      chart.data.datasets = shown.map(p => {
        const color = colors[Number(p.tr.dataset.index) % colors.length];
        return {
          label: p.tr.dataset.label, borderColor: color, backgroundColor: color, pointRadius: 5, pointHoverRadius: 7,
          data: [{ x: numeric ? p.x : categories.indexOf(JSON.stringify(p.x)), y: p.y }]
        };
      });
      chart.update('none');
      status.textContent = shown.length === all.length ? '' : (all.length - shown.length) + ' of ' + all.length + ' runs have no ' + key.toUpperCase() + ' yet.';
      status.dataset.points = String(shown.length);
    }

    xSelect.addEventListener('change', draw);
    ySelect.addEventListener('change', draw);
    return draw;
  }

  function setUpSweep(live) {
    const drawScatter = document.getElementById('chart-scatter') ? setUpScatter() : () => {};
    document.addEventListener('click', e => {
      const th = e.target.closest('#sweep-table th[data-sort]');
      if (!th) return;
      sortKey = th.dataset.sort;
      sortTable();
    });
    live.addEventListener('srgan:refreshed', () => { sortTable(); drawScatter(); });
    sortTable();
    drawScatter();

    // "Register": the checkpoint's generator as an upscale model (POST /api/models)
    document.addEventListener('click', async e => {
      const button = e.target.closest('button[data-register-checkpoint]');
      if (!button) return;
      button.disabled = true;
      try {
        const response = await Srgan.fetch('/api/models', {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ checkpointId: button.dataset.registerCheckpoint })
        });
        if (response.status === 201) {
          const model = await response.json();
          Srgan.flash('Registered "' + model.name + '" as a ' + model.scale + '× upscale model; pick it on the Upscale page.', false);
        } else {
          Srgan.flash((await Srgan.readError(response)).error, true);
        }
      } catch (err) {
        Srgan.flash('The server could not be reached: ' + err.message, true);
      } finally {
        button.disabled = false;
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('sweep-form');
    if (form) setUpForm(form);
    const live = document.getElementById('sweep-runs');
    if (live) setUpSweep(live);
  });
})();
