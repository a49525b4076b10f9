// The training pages: the new-run form (dataset upload, then POST /api/training), a run's live
// charts (loss points appended as "losses" events arrive), and several runs overlaid.
(function () {
  'use strict';

  // A system set to dark gets the dark page (srgan.css): lighter lines, Chart.js's text and grid in its colours.
  const DARK = window.matchMedia('(prefers-color-scheme: dark)').matches;
  const COLORS = DARK
    ? ['#8fa8ff', '#ff9f5a', '#63d47f', '#d98ce8', '#ff8080', '#4fd1e8', '#a3d45a', '#c9a0ff']
    : ['#3355dd', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#1098ad', '#5c940d', '#862e9c'];
  if (DARK && window.Chart) {
    Chart.defaults.color = '#c9d0dc';
    Chart.defaults.borderColor = 'rgba(255, 255, 255, 0.12)';
  }
  const DATASET_TYPES = /\.(zip|png|jpe?g|webp|tiff?)$/i;

  // ---- the form ------------------------------------------------------------------------------

  /** The hyperparameters as JSON values; a field the browser cannot read as a number is an error. */
  function readHyperparameters(form) {
    const values = {};
    for (const input of form.querySelectorAll('[data-hp]')) {
      const name = input.dataset.hp;
      const kind = input.dataset.kind;
      const text = input.value.trim();
      if (kind === 'bool') {
        values[name] = input.checked;
        continue;
      }
      if (kind === 'list') {
        if (text === '') {
          values[name] = [];
          continue;
        }
        const steps = text.split(/[\s,]+/).filter(s => s !== '').map(Number);
        if (steps.some(n => !Number.isInteger(n) || n < 0)) {
          return { error: { field: name, error: 'Write whole step numbers separated by commas, e.g. 5000, 8000.' } };
        }
        values[name] = steps;
        continue;
      }
      if (input.validity && input.validity.badInput) {
        return { error: { field: name, error: 'Enter a number.' } };
      }
      if (text === '') {
        if (kind === 'optional') {
          values[name] = null;
          continue;
        }
        return { error: { field: name, error: 'Enter a value (the default is ' + (input.dataset.default || 'shown in the hint') + ').' } };
      }
      const n = Number(text);
      if (kind === 'int' && !Number.isInteger(n)) {
        return { error: { field: name, error: 'Enter a whole number.' } };
      }
      values[name] = n;
    }
    return { values };
  }

  async function uploadDataset(form, files) {
    const data = new FormData();
    const zip = files.length === 1 && /\.zip$/i.test(files[0].name);
    for (const f of files) {
      data.append(zip ? 'file' : 'images', f, f.name);
    }
    const response = await Srgan.fetch('/api/datasets', { method: 'POST', body: data, headers: { Accept: 'application/json' } });
    if (response.status !== 201) {
      const error = await Srgan.readError(response);
      if (error.field === 'images' || error.field === 'name' || !error.field) {
        error.field = 'file';
      }
      return { error };
    }
    return { dataset: await response.json() };
  }

  /**
   * /training?like=<run id> (a run's "Run again with changes"): the form starts from that run's
   * dataset, validation photos, starting model, content loss, hyperparameters, name and tags.
   * A dataset or model deleted since is left to choose, and the note says so.
   */
  async function prefill(form, id) {
    const response = await Srgan.fetch('/api/jobs/' + encodeURIComponent(id), { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      Srgan.showErrors(form, await Srgan.readError(response));
      return;
    }
    const run = await response.json();
    if (run.type !== 'TRAINING') return;
    const params = run.params || {};
    const missing = [];
    const choose = (selectId, value, what) => {
      const select = document.getElementById(selectId);
      if (!select || value == null) return;
      if (Array.from(select.options).some(o => o.value === String(value))) select.value = String(value);
      else missing.push(what);
    };
    choose('datasetId', run.datasetId, 'its dataset');
    if (run.baseModel) choose('baseModelId', run.baseModel.id, 'the model it started from');
    if (run.validationDataset) choose('validationDatasetId', run.validationDataset.id, 'its validation dataset');
    choose('contentLoss', params.featureExtractorPath ? 'vgg19' : 'pixel-mse', 'its content loss');
    for (const input of form.querySelectorAll('[data-hp]')) {
      const value = params[input.dataset.hp];
      if (value === undefined) continue;
      if (input.dataset.kind === 'bool') input.checked = Boolean(value);
      else if (Array.isArray(value)) input.value = value.join(', ');
      else input.value = value == null ? '' : String(value);
    }
    document.getElementById('run-name').value = (run.name || '') + ' (again)';
    document.getElementById('run-tags').value = (run.tags || []).join(', ');
    const note = document.createElement('p');
    note.id = 'prefill-note';
    note.className = 'small';
    const link = document.createElement('a');
    link.href = '/training/' + run.id;
    link.textContent = run.name || run.id;
    note.append('The settings of ', link, ': change what you like, then start the run.');
    if (missing.length) note.append(' Choose again: ' + missing.join(', ') + ' (deleted since).');
    form.prepend(note);
    form.scrollIntoView({ block: 'start' });
  }

  function setUpForm(form) {
    const fileInput = document.getElementById('dataset-file');
    const select = document.getElementById('datasetId');
    const button = document.getElementById('start-run');
    const status = document.getElementById('form-status');
    const maxBytes = Number(form.dataset.maxBytes);

    function checkFiles() {
      const files = Array.from(fileInput.files);
      const wrong = files.find(f => !DATASET_TYPES.test(f.name));
      if (wrong) {
        return { field: 'file', error: '"' + wrong.name + '" is neither a zip nor a PNG, JPEG, WebP or TIFF image.' };
      }
      const total = files.reduce((sum, f) => sum + f.size, 0);
      if (total > maxBytes) {
        return { field: 'file', error: 'The upload is ' + Srgan.formatBytes(total) + '; the limit is ' + Srgan.formatBytes(maxBytes) + '.' };
      }
      return null;
    }

    fileInput.addEventListener('change', () => {
      Srgan.clearErrors(form);
      const error = checkFiles();
      if (error) {
        Srgan.showErrors(form, error);
      } else if (fileInput.files.length) {
        select.value = '';
      }
    });

    form.addEventListener('submit', async e => {
      e.preventDefault();
      Srgan.clearErrors(form);
      const hp = readHyperparameters(form);
      if (hp.error) {
        Srgan.showErrors(form, hp.error);
        return;
      }
      const fileError = checkFiles();
      if (fileError) {
        Srgan.showErrors(form, fileError);
        return;
      }
      button.disabled = true;
      try {
        if (fileInput.files.length) {
          status.textContent = 'Uploading the dataset…';
          const uploaded = await uploadDataset(form, Array.from(fileInput.files));
          if (uploaded.error) {
            Srgan.showErrors(form, uploaded.error);
            return;
          }
          const d = uploaded.dataset;
          const label = d.name + ' (' + d.imageCount + (d.imageCount === 1 ? ' image, ' : ' images, ')
            + Srgan.formatBytes(d.sizeBytes) + (d.smallestSide ? ', crops up to ' + d.smallestSide + ' px' : '') + ')';
          const option = new Option(label, d.id, true, true);
          select.add(option, 1);
          select.value = d.id;
          fileInput.value = '';
        }
        if (!select.value) {
          Srgan.showErrors(form, { field: 'datasetId', error: 'Choose a dataset or upload one.' });
          return;
        }
        status.textContent = 'Submitting…';
        const body = {
          datasetId: select.value,
          name: document.getElementById('run-name').value,
          contentLoss: document.getElementById('contentLoss').value,
          baseModelId: document.getElementById('baseModelId').value || null,
          validationDatasetId: document.getElementById('validationDatasetId').value || null,
          tags: Srgan.tags(document.getElementById('run-tags').value),
          hyperparameters: hp.values
        };
        const response = await Srgan.fetch('/api/training', {
          method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', Accept: 'application/json' }
        });
        if (response.status !== 202) {
          Srgan.showErrors(form, await Srgan.readError(response));
          return;
        }
        const run = await response.json();
        window.location.href = '/training/' + run.id;
      } catch (err) {
        Srgan.showErrors(form, { error: 'The server could not be reached: ' + err.message });
      } finally {
        button.disabled = false;
        status.textContent = '';
      }
    });
  }

  // ---- charts --------------------------------------------------------------------------------

  function lineChart(canvas, series) {
    return new Chart(canvas, {
      type: 'line',
      data: {
        datasets: series.map((s, i) => ({
          label: s.label, data: [], borderColor: s.color || COLORS[i], backgroundColor: s.color || COLORS[i],
          borderWidth: 1.5, pointRadius: s.points ? 2.5 : 0, borderDash: s.dash || [], spanGaps: true
        }))
      },
      options: {
        animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: { x: { type: 'linear', title: { display: true, text: 'step' } } },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12 } },
          decimation: { enabled: true, algorithm: 'lttb', samples: 600 }
        }
      }
    });
  }

  function point(step, value) {
    return value === null || value === undefined ? null : { x: step, y: value };
  }

  /** Fetches every loss point after {@code afterStep}, in pages, and hands each batch on. */
  async function fetchLosses(jobId, afterStep, onBatch) {
    const limit = 5000;
    for (;;) {
      const response = await fetch('/api/jobs/' + jobId + '/losses?limit=' + limit + '&afterStep=' + afterStep);
      if (!response.ok) {
        throw new Error('losses: ' + response.status);
      }
      const batch = await response.json();
      if (batch.length) {
        onBatch(batch);
        afterStep = batch[batch.length - 1].step;
      }
      if (batch.length < limit) {
        return afterStep;
      }
    }
  }

  function setUpRun(box) {
    const jobId = box.dataset.jobId;
    const status = document.getElementById('chart-status');
    const charts = {
      gan: lineChart(document.getElementById('chart-gan'), [{ label: 'd_loss' }, { label: 'g_loss' }]),
      content: lineChart(document.getElementById('chart-content'), [{ label: 'content' }, { label: 'adversarial' }]),
      d: lineChart(document.getElementById('chart-d'), [{ label: 'D(HR)' }, { label: 'D(G(LR))' }]),
      psnr: lineChart(document.getElementById('chart-psnr'), [{ label: 'generator', points: true }, { label: 'bicubic', points: true, dash: [4, 3] }]),
      ssim: lineChart(document.getElementById('chart-ssim'), [{ label: 'generator', points: true }, { label: 'bicubic', points: true, dash: [4, 3] }]),
      niqe: lineChart(document.getElementById('chart-niqe'), [{ label: 'generator', points: true }, { label: 'bicubic', points: true, dash: [4, 3] }])
    };
    const niqeStatus = document.getElementById('niqe-status');
    window.srganCharts = charts;
    let lastStep = -1;
    let points = 0;
    let loading = null;

    function append(batch) {
      const add = (chart, i, list) => {
        for (const p of list) {
          if (p) chart.data.datasets[i].data.push(p);
        }
      };
      add(charts.gan, 0, batch.map(p => point(p.step, p.dLoss)));
      add(charts.gan, 1, batch.map(p => point(p.step, p.gLoss)));
      add(charts.content, 0, batch.map(p => point(p.step, p.contentLoss)));
      add(charts.content, 1, batch.map(p => point(p.step, p.adversarialLoss)));
      add(charts.d, 0, batch.map(p => point(p.step, p.dReal)));
      add(charts.d, 1, batch.map(p => point(p.step, p.dFake)));
      points += batch.length;
    }

    function showStatus() {
      status.textContent = points === 0 ? 'No loss recorded yet; the charts draw as soon as the run starts.'
        : points + ' steps recorded, the last at step ' + lastStep + '.';
      status.dataset.points = String(points);
    }

    /** Loads what is new; events arriving meanwhile are folded into one more load. */
    function loadLosses() {
      if (loading) {
        loading.again = true;
        return;
      }
      loading = { again: false };
      fetchLosses(jobId, lastStep, append)
        .then(step => {
          lastStep = step;
          Object.values(charts).forEach(c => c.update('none'));
          showStatus();
        })
        .catch(err => { status.textContent = 'The losses could not be loaded: ' + err.message; })
        .finally(() => {
          const again = loading.again;
          loading = null;
          if (again) loadLosses();
        });
    }

    async function loadValidation() {
      const response = await fetch('/api/jobs/' + jobId + '/validation');
      if (!response.ok) return;
      const list = await response.json();
      charts.psnr.data.datasets[0].data = list.map(v => ({ x: v.step, y: v.psnr }));
      charts.psnr.data.datasets[1].data = list.map(v => ({ x: v.step, y: v.bicubicPsnr }));
      charts.ssim.data.datasets[0].data = list.map(v => ({ x: v.step, y: v.ssim }));
      charts.ssim.data.datasets[1].data = list.map(v => ({ x: v.step, y: v.bicubicSsim }));
      // NIQE (lower is more natural) is null when no validation image is large enough to score
      charts.niqe.data.datasets[0].data = list.map(v => point(v.step, v.niqe)).filter(p => p);
      charts.niqe.data.datasets[1].data = list.map(v => point(v.step, v.bicubicNiqe)).filter(p => p);
      if (niqeStatus) niqeStatus.hidden = list.length === 0 || list.some(v => v.niqe !== null && v.niqe !== undefined);
      charts.psnr.update('none');
      charts.ssim.update('none');
      charts.niqe.update('none');
    }

    document.addEventListener('srgan:event', e => {
      if (e.detail.kind === 'losses') loadLosses();
      if (e.detail.kind === 'validation') loadValidation();
    });
    document.addEventListener('srgan:reconnected', () => { loadLosses(); loadValidation(); });
    loadLosses();
    loadValidation();

    // "Use as upscale model" registers the checkpoint's generator (POST /api/models)
    document.addEventListener('click', async e => {
      const button = e.target.closest('button[data-use-checkpoint]');
      if (!button) return;
      button.disabled = true;
      try {
        const response = await Srgan.fetch('/api/models', {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ checkpointId: button.dataset.useCheckpoint })
        });
        if (response.status === 201) {
          const model = await response.json();
          Srgan.flash('Registered "' + model.name + '" as a ' + model.scale + '× upscale model; pick it on the Upscale page.', false);
        } else {
          Srgan.flash((await Srgan.readError(response)).error, true);
        }
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- comparing runs ------------------------------------------------------------------------

  /** Overlays the runs listed in {@code box.dataset.runs} (rows with data-run and data-label); redraws as they record. */
  function setUpCompare(box) {
    const runs = Array.from(document.querySelectorAll(box.dataset.runs || '#compared-runs tr[data-run]'))
      .map(tr => ({ id: tr.dataset.run, label: tr.dataset.label }));
    const metric = document.getElementById('metric');
    const chart = lineChart(document.getElementById('chart-compare'), runs.map(r => ({ label: r.label })));
    window.srganCharts = { compare: chart };
    const cache = {};

    const VALIDATION = ['psnr', 'ssim', 'niqe'];

    async function series(run, key) {
      if (VALIDATION.includes(key)) {
        const response = await fetch('/api/jobs/' + run.id + '/validation');
        const list = response.ok ? await response.json() : [];
        return list.map(v => point(v.step, v[key])).filter(p => p);
      }
      if (!cache[run.id]) {
        const all = [];
        await fetchLosses(run.id, -1, batch => all.push(...batch));
        cache[run.id] = all;
      }
      return cache[run.id].map(p => point(p.step, p[key])).filter(p => p);
    }

    async function draw() {
      const key = metric.value;
      const data = await Promise.all(runs.map(r => series(r, key)));
      data.forEach((d, i) => { chart.data.datasets[i].data = d; chart.data.datasets[i].pointRadius = VALIDATION.includes(key) ? 2.5 : 0; });
      chart.update('none');
    }

    // a run that records more (losses, a validation) is drawn again, at most once a second
    let redraw = null;
    document.addEventListener('srgan:event', e => {
      const run = runs.find(r => r.id === e.detail.jobId);
      if (!run || (e.detail.kind !== 'losses' && e.detail.kind !== 'validation')) return;
      delete cache[run.id];
      if (!redraw) redraw = setTimeout(() => { redraw = null; draw(); }, 1000);
    });
    metric.addEventListener('change', draw);
    draw();
  }

  // the sweep page (sweeps.js) draws with the same charts and colours
  window.SrganTraining = { COLORS, lineChart, readHyperparameters };

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('training-form');
    if (form) {
      setUpForm(form);
      const like = new URLSearchParams(window.location.search).get('like');
      if (like) prefill(form, like);
    }
    const charts = document.getElementById('charts');
    if (charts) setUpRun(charts);
    const compare = document.getElementById('compare');
    if (compare) setUpCompare(compare);
  });
})();
