// The upscale page: pick or drop an image, submit it to POST /api/upscale, then follow the job's
// panel live (it is re-rendered by the server on each of the job's events) and compare the result.
(function () {
  'use strict';

  const TYPES = ['image/png', 'image/jpeg'];

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('upscale-form');
    const input = document.getElementById('image');
    const dropzone = document.getElementById('dropzone');
    const preview = document.getElementById('preview');
    const scale = document.getElementById('scale');
    const model = document.getElementById('modelId');
    const submit = document.getElementById('submit');
    const panel = document.getElementById('job-panel');
    const maxBytes = Number(form.dataset.maxBytes);
    const modelNote = document.getElementById('model-note');
    let file = null;

    /** Says what the chosen model is for (SRGAN-MSE: sharper texture, lower PSNR). */
    function describeModel() {
      const option = model.options[model.selectedIndex];
      modelNote.textContent = option && option.dataset.description ? option.dataset.description : '';
    }
    model.addEventListener('change', describeModel);
    describeModel();

    function fieldError(name, message) {
      Srgan.showErrors(form, { field: name, error: message });
    }

    /** Checks what the browser can know before uploading: the type and the size. */
    function choose(chosen) {
      Srgan.clearErrors(form);
      file = null;
      preview.hidden = true;
      if (!chosen) {
        return;
      }
      const byName = /\.(png|jpe?g)$/i.test(chosen.name);
      if (!TYPES.includes(chosen.type) && !byName) {
        fieldError('image', '"' + chosen.name + '" is not a PNG or JPEG image; choose a .png or .jpg file.');
        return;
      }
      if (chosen.size > maxBytes) {
        fieldError('image', '"' + chosen.name + '" is ' + Srgan.formatBytes(chosen.size) + '; the limit is ' + Srgan.formatBytes(maxBytes) + '.');
        return;
      }
      file = chosen;
      document.getElementById('drop-text').innerHTML = '';
      const name = document.createElement('strong');
      name.textContent = chosen.name;
      document.getElementById('drop-text').append(name, ' (' + Srgan.formatBytes(chosen.size) + ') · click or drop to change');
      const url = URL.createObjectURL(chosen);
      preview.onload = () => {
        const dims = document.createElement('span');
        dims.className = 'small';
        dims.textContent = ' · ' + preview.naturalWidth + '×' + preview.naturalHeight + ' px';
        document.getElementById('drop-text').append(dims);
      };
      preview.src = url;
      preview.hidden = false;
    }

    input.addEventListener('change', () => choose(input.files[0]));
    ['dragenter', 'dragover'].forEach(type => dropzone.addEventListener(type, e => {
      e.preventDefault();
      dropzone.classList.add('over');
    }));
    ['dragleave', 'drop'].forEach(type => dropzone.addEventListener(type, () => dropzone.classList.remove('over')));
    dropzone.addEventListener('drop', e => {
      e.preventDefault();
      if (e.dataTransfer.files.length) {
        choose(e.dataTransfer.files[0]);
      }
    });

    /** Only the models of the chosen scale can be picked. */
    function filterModels() {
      for (const option of model.options) {
        if (option.value) {
          option.hidden = option.dataset.scale !== scale.value;
        }
      }
      if (model.selectedOptions[0] && model.selectedOptions[0].hidden) {
        model.value = '';
      }
    }
    scale.addEventListener('change', filterModels);
    filterModels();

    form.addEventListener('submit', async e => {
      e.preventDefault();
      Srgan.clearErrors(form);
      if (!file) {
        fieldError('image', 'Choose an image to upscale first.');
        return;
      }
      const data = new FormData();
      data.append('image', file, file.name);
      data.append('scale', scale.value);
      data.append('modelId', model.value);
      submit.disabled = true;
      submit.textContent = 'Uploading…';
      try {
        const response = await Srgan.fetch('/api/upscale', { method: 'POST', body: data, headers: { Accept: 'application/json' } });
        if (response.status !== 202) {
          Srgan.showErrors(form, await Srgan.readError(response));
          return;
        }
        const job = await response.json();
        history.pushState({}, '', '/upscale/' + job.id);
        panel.dataset.live = '/upscale/' + job.id + '/panel';
        panel.dataset.liveKinds = 'job';
        Srgan.listen('/api/events?jobId=' + job.id);
        Srgan.refresh(panel);
        panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
      } catch (err) {
        Srgan.showErrors(form, { error: 'The server could not be reached: ' + err.message });
      } finally {
        submit.disabled = false;
        submit.textContent = 'Upscale';
      }
    });

    // ---- comparison (its markup is re-rendered with the panel, so listen on the panel) -------

    panel.addEventListener('click', e => {
      const view = e.target.closest('button[data-view]');
      const baseline = e.target.closest('button[data-baseline]');
      if (view) {
        panel.querySelectorAll('button[data-view]').forEach(b => b.classList.toggle('on', b === view));
        panel.querySelector('#side-by-side').hidden = view.dataset.view !== 'side';
        panel.querySelector('#slider').hidden = view.dataset.view !== 'slider';
      }
      if (baseline) {
        const bicubic = baseline.dataset.baseline === 'bicubic';
        panel.querySelectorAll('button[data-baseline]').forEach(b => b.classList.toggle('on', b === baseline));
        const jobId = panel.querySelector('#upscale-job').dataset.jobId;
        panel.querySelectorAll('img.baseline').forEach(img => {
          img.src = '/upscale/' + jobId + '/input' + (bicubic ? '?bicubic=true' : '');
          img.classList.toggle('nearest', !bicubic);
        });
        panel.querySelectorAll('.baseline-name').forEach(s => { s.textContent = bicubic ? 'Bicubic' : 'Nearest neighbour'; });
      }
    });

    panel.addEventListener('input', e => {
      if (e.target.matches('#slider input[type=range]')) {
        const slider = panel.querySelector('#slider');
        slider.querySelector('.top').style.clipPath = 'inset(0 ' + (100 - e.target.value) + '% 0 0)';
        slider.querySelector('.divider').style.left = e.target.value + '%';
      }
    });
  });
})();
