// The upscale page: pick or drop an image, submit it to POST /api/upscale, then follow the job's
// panel live (it is re-rendered by the server on each of the job's events) and compare the result.
// Several images, or a folder, go to POST /api/upscale/batch as one batch; its panel shows the
// images as a grid of thumbnails as they finish, and the zip download. The output options (output
// scale, format, JPEG quality, a model blended in at a share) go with either; the server checks them and names the field at fault.
// A link to an image, pasted or dropped (an image dragged from another tab), goes as imageUrl when the
// cluster fetches images by URL (srgan.upscale.url-hosts; the form's data-image-urls).
(function () {
  'use strict';

  const TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/tiff'];
  const NAMES = /\.(png|jpe?g|webp|tiff?)$/i;

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
    const folder = document.getElementById('folder');
    const batchNote = document.getElementById('batch-note');
    const outscale = document.getElementById('outscale');
    const outscaleNote = document.getElementById('outscale-note');
    const outscaleHint = outscaleNote.textContent;
    const width = document.getElementById('width');
    const widthNote = document.getElementById('width-note');
    const widthHint = widthNote.textContent;
    const format = document.getElementById('format');
    const quality = document.getElementById('quality');
    const qualityField = document.getElementById('quality-field');
    const urlsAllowed = form.dataset.imageUrls === 'true';
    let file = null;
    let imageUrl = null; // a link the server fetches instead of a file
    let chosenSize = null;
    let batch = [];

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

    function isImage(f) {
      return TYPES.includes(f.type) || NAMES.test(f.name);
    }

    /**
     * One file keeps the single-upscale flow; several (a multiple pick, a drop, a folder) are a
     * batch: the images among them, each and all within the upload limit.
     */
    function chooseFiles(list) {
      imageUrl = null;
      const again = document.getElementById('again-note');
      if (again) {
        again.style.display = 'none'; // a new image replaces the one shown below
      }
      const files = Array.from(list || []);
      batch = [];
      batchNote.textContent = '';
      if (files.length <= 1) {
        choose(files[0]);
        return;
      }
      Srgan.clearErrors(form);
      file = null;
      preview.hidden = true;
      const images = files.filter(isImage).filter(f => !f.name.startsWith('.'));
      const skipped = files.length - images.length;
      if (images.length === 0) {
        fieldError('image', 'None of the ' + files.length + ' files is a PNG, JPEG, WebP or TIFF image.');
        return;
      }
      const total = images.reduce((n, f) => n + f.size, 0);
      if (total > maxBytes) {
        fieldError('image', 'The ' + images.length + ' images are ' + Srgan.formatBytes(total) + ' together; the limit is ' + Srgan.formatBytes(maxBytes) + '.');
        return;
      }
      if (images.length === 1) {
        choose(images[0]);
      } else {
        batch = images;
        const text = document.getElementById('drop-text');
        text.innerHTML = '';
        const strong = document.createElement('strong');
        strong.textContent = images.length + ' images';
        text.append(strong, ' (' + Srgan.formatBytes(total) + ') · click or drop to change');
      }
      batchNote.textContent = skipped > 0 ? skipped + (skipped === 1 ? ' file that is' : ' files that are') + ' not PNG, JPEG, WebP or TIFF left out.' : '';
    }

    /**
     * Says that pressing Upscale without a new image upscales the one shown below again, or with
     * batchId (and count), the images of the batch shown below.
     */
    function againNote(name, batchId, count) {
      let note = document.getElementById('again-note');
      if (!note) {
        note = document.createElement('span');
        note.className = 'small';
        note.id = 'again-note';
        document.getElementById('drop-text').after(note);
      }
      note.textContent = '';
      const strong = document.createElement('strong');
      const button = document.createElement('strong');
      button.textContent = 'Upscale';
      if (batchId) {
        note.dataset.batch = batchId;
        strong.textContent = count + ' images';
        note.append('or press ', button, ' to upscale the ', strong,
          ' of this batch again with the settings below, and compare each on its page');
      } else {
        delete note.dataset.batch;
        strong.textContent = name;
        note.append('or press ', button, ' to upscale ', strong, ' again with the settings below, and compare');
      }
      note.style.display = 'block';
    }

    /** A link to an image: the server fetches it when the form is sent (or says why it cannot). */
    function chooseUrl(url) {
      choose(null);
      const again = document.getElementById('again-note');
      if (!urlsAllowed) {
        fieldError('image', 'That is a link to an image (' + url + '), and this cluster does not fetch images by URL '
          + '(an admin allows hosts with srgan.upscale.url-hosts): save the image and drop the file instead.');
        return;
      }
      if (again) {
        again.style.display = 'none';
      }
      imageUrl = url;
      const text = document.getElementById('drop-text');
      text.innerHTML = '';
      const name = document.createElement('strong');
      name.textContent = url;
      name.style.overflowWrap = 'anywhere';
      text.append('The image at ', name, ', fetched by the server when you press Upscale · click or drop to change');
    }

    /** The http(s) link a drop or paste carries as text (a uri-list's first entry), or null. */
    function linkIn(text) {
      const first = (text || '').split(/\r?\n/).map(l => l.trim()).find(l => l !== '' && !l.startsWith('#'));
      return first && /^https?:\/\/\S+$/i.test(first) ? first : null;
    }

    /** Checks what the browser can know before uploading: the type and the size. */
    function choose(chosen) {
      Srgan.clearErrors(form);
      file = null;
      imageUrl = null;
      chosenSize = null;
      describeSize();
      batch = [];
      preview.hidden = true;
      if (!chosen) {
        return;
      }
      const byName = NAMES.test(chosen.name);
      if (!TYPES.includes(chosen.type) && !byName) {
        fieldError('image', '"' + chosen.name + '" is not a PNG, JPEG, WebP or TIFF image; choose a .png, .jpg, .webp or .tif file.');
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
        chosenSize = { width: preview.naturalWidth, height: preview.naturalHeight };
        describeSize();
        const dims = document.createElement('span');
        dims.className = 'small';
        dims.textContent = ' · ' + preview.naturalWidth + '×' + preview.naturalHeight + ' px';
        document.getElementById('drop-text').append(dims);
      };
      // a TIFF the browser cannot show: no preview, and the server reads its size
      preview.onerror = () => { preview.hidden = true; };
      preview.src = url;
      preview.hidden = false;
    }

    input.addEventListener('change', () => chooseFiles(input.files));
    folder.addEventListener('change', () => chooseFiles(folder.files));
    ['dragenter', 'dragover'].forEach(type => dropzone.addEventListener(type, e => {
      e.preventDefault();
      dropzone.classList.add('over');
    }));
    ['dragleave', 'drop'].forEach(type => dropzone.addEventListener(type, () => dropzone.classList.remove('over')));
    dropzone.addEventListener('drop', e => {
      e.preventDefault();
      if (e.dataTransfer.files.length) {
        chooseFiles(e.dataTransfer.files);
        return;
      }
      // an image dragged from another page comes as its address
      const link = linkIn(e.dataTransfer.getData('text/uri-list') || e.dataTransfer.getData('text/plain'));
      if (link) {
        chooseUrl(link);
      }
    });
    // Ctrl+V / Cmd+V anywhere on the page: a copied image or screenshot is chosen as a dropped one
    // would be. Text pasted into a field stays the field's.
    document.addEventListener('paste', e => {
      const pasted = Array.from((e.clipboardData && e.clipboardData.files) || []).filter(f => f.type.startsWith('image/'));
      if (pasted.length === 0) {
        // a copied link to an image, pasted outside the form's fields
        const link = e.clipboardData && linkIn(e.clipboardData.getData('text/plain'));
        if (link && !(e.target instanceof Element && e.target.closest('input, textarea, select'))) {
          e.preventDefault();
          chooseUrl(link);
          dropzone.scrollIntoView({ block: 'nearest' });
        }
        return;
      }
      e.preventDefault();
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      // a screenshot comes as "image.png": name it so the job list tells pastes apart
      const named = pasted.map((f, i) => f.name && f.name !== 'image.png' ? f
        : new File([f], 'pasted-' + stamp + (pasted.length > 1 ? '-' + (i + 1) : '') + '.' + (f.type.split('/')[1] || 'png').replace('jpeg', 'jpg'), { type: f.type }));
      chooseFiles(named);
      dropzone.scrollIntoView({ block: 'nearest' });
    });

    const blendModel = document.getElementById('blendModelId');
    const blendWeight = document.getElementById('blendWeight');
    const blendWeightField = document.getElementById('blend-weight-field');
    const blendWeightText = document.getElementById('blend-weight-text');
    const blendMode = document.getElementById('blendMode');
    const blendModeField = document.getElementById('blend-mode-field');

    /** Only the models of the chosen scale can be picked, to upscale with or to blend in. */
    function filterModels() {
      for (const select of [model, blendModel]) {
        for (const option of select.options) {
          if (option.value) {
            option.hidden = option.dataset.scale !== scale.value;
          }
        }
        if (select.selectedOptions[0] && select.selectedOptions[0].hidden) {
          select.value = '';
        }
      }
      showBlendWeight();
    }

    /** The share and the mode only mean something with a model to blend in; the share reads as a percentage. */
    function showBlendWeight() {
      blendWeightField.hidden = blendModel.value === '';
      blendModeField.hidden = blendModel.value === '';
      blendWeightText.textContent = Math.round(Number(blendWeight.value) * 100) + '%';
    }
    scale.addEventListener('change', filterModels);
    blendModel.addEventListener('change', showBlendWeight);
    blendWeight.addEventListener('input', showBlendWeight);
    filterModels();

    /** The quality only means something for a JPEG. */
    function showQuality() {
      qualityField.hidden = format.value !== 'jpeg';
    }
    format.addEventListener('change', showQuality);
    showQuality();

    /**
     * Typing an output scale the chosen model cannot reach picks the smallest model scale that does
     * (3: the 4x model, whose output is then resized); the note says the size the result will have.
     */
    function describeOutscale(bump) {
      const value = Number(outscale.value);
      if (outscale.value === '' || !(value >= 1 && value <= 8)) {
        outscaleNote.textContent = outscaleHint;
        return;
      }
      const needed = [2, 4, 8].find(s => s >= value);
      if (bump === true && Number(scale.value) < value) {
        scale.value = String(needed);
        filterModels();
      }
      if (Number(scale.value) < value) {
        outscaleNote.textContent = 'The ' + scale.value + '× model cannot reach ' + value + '×: choose scale ' + needed + '× or more.';
        return;
      }
      const size = chosenSize
        ? ' → ' + Math.round(chosenSize.width * value) + '×' + Math.round(chosenSize.height * value) + ' px'
        : '';
      outscaleNote.textContent = Number(scale.value) === value
        ? 'The model\'s own scale' + size + '.'
        : 'The ' + scale.value + '× model\'s output resized to ' + value + '×' + size + '.';
    }

    /**
     * The same for a width, once the image's own width is known (a batch's images differ: the
     * server checks each). Its model scale is the smallest that reaches the width from the image's.
     */
    function describeWidth(bump) {
      const value = Number(width.value);
      if (width.value.trim() === '' || !Number.isInteger(value) || value < 1 || !chosenSize) {
        widthNote.textContent = widthHint;
        return;
      }
      const factor = value / chosenSize.width;
      if (factor < 1) {
        widthNote.textContent = 'Narrower than the image (' + chosenSize.width + ' px): give ' + chosenSize.width + ' px or more, or a smaller scale.';
        return;
      }
      if (factor > 8) {
        widthNote.textContent = 'More than 8× the image\'s width: at most ' + chosenSize.width * 8 + ' px.';
        return;
      }
      const needed = [2, 4, 8].find(s => s >= factor);
      if (bump === true && Number(scale.value) < factor) {
        scale.value = String(needed);
        filterModels();
      }
      if (Number(scale.value) < factor) {
        widthNote.textContent = 'The ' + scale.value + '× model makes ' + chosenSize.width * Number(scale.value) + ' px of this image: choose scale ' + needed + '× or more.';
        return;
      }
      widthNote.textContent = 'The ' + scale.value + '× model\'s output resized to ' + value + '×' + Math.max(1, Math.round(chosenSize.height * factor)) + ' px.';
    }

    function describeSize() {
      describeOutscale(false);
      describeWidth(false);
    }

    // an output scale and a width exclude each other: typing one clears the other
    outscale.addEventListener('input', () => {
      if (outscale.value.trim() !== '' && width.value !== '') {
        width.value = '';
        describeWidth(false);
      }
      describeOutscale(true);
    });
    width.addEventListener('input', () => {
      if (width.value.trim() !== '' && outscale.value !== '') {
        outscale.value = '';
        describeOutscale(false);
      }
      describeWidth(true);
    });
    scale.addEventListener('change', describeSize);

    /** The output options as the API takes them; empty ones are left out (the server's defaults). */
    function appendOptions(data) {
      if (outscale.value.trim() !== '') {
        data.append('outscale', outscale.value.trim());
      }
      if (width.value.trim() !== '') {
        data.append('width', width.value.trim());
      }
      const tags = document.getElementById('upscale-tags').value.trim();
      if (tags !== '') {
        data.append('tags', tags);
      }
      data.append('format', format.value);
      if (format.value === 'jpeg') {
        data.append('quality', quality.value);
      }
      if (blendModel.value !== '') {
        data.append('blendModelId', blendModel.value);
        data.append('blendWeight', blendWeight.value);
        data.append('blendMode', blendMode.value);
      }
    }

    form.addEventListener('submit', async e => {
      e.preventDefault();
      Srgan.clearErrors(form);
      if (batch.length > 1) {
        submitBatch();
        return;
      }
      // no new image: the image of the upscale shown below, again, with the settings of the form
      const again = document.getElementById('again-note');
      const againShown = again && again.style.display !== 'none';
      if (!file && againShown && again.dataset.batch) {
        submitBatch(again.dataset.batch); // the images of the batch shown below, again
        return;
      }
      const shown = againShown ? panel.querySelector('#upscale-job') : null;
      if (!file && !imageUrl && !shown) {
        fieldError('image', 'Choose an image to upscale first.');
        return;
      }
      const data = new FormData();
      if (imageUrl) {
        data.append('imageUrl', imageUrl);
      } else if (file) {
        data.append('image', file, file.name);
      } else {
        data.append('sourceJobId', shown.dataset.jobId);
      }
      data.append('scale', scale.value);
      data.append('modelId', model.value);
      appendOptions(data);
      submit.disabled = true;
      submit.textContent = 'Uploading…';
      try {
        const response = await Srgan.fetch('/api/upscale', { method: 'POST', body: data, headers: { Accept: 'application/json' } });
        if (response.status !== 202) {
          const error = await Srgan.readError(response);
          if (error.field === 'imageUrl') {
            error.field = 'image';
          }
          Srgan.showErrors(form, error);
          return;
        }
        const job = await response.json();
        if (imageUrl) {
          // stored now, as an upload: Upscale again runs the stored copy
          const segment = imageUrl.replace(/[?#].*$/, '').split('/').pop();
          let name = segment;
          try {
            name = decodeURIComponent(segment);
          } catch (malformed) {
            // shown as written
          }
          againNote(name || 'the image');
          imageUrl = null;
        } else if (file) {
          // the image is stored now: pressing Upscale again upscales the stored copy, without sending it again
          againNote(file.name);
          file = null;
        }
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

    /**
     * Several images, or the images of an earlier batch again (sourceJobId): one batch; its panel
     * (a grid of thumbnails) follows the batch's events.
     */
    async function submitBatch(sourceJobId) {
      const data = new FormData();
      if (sourceJobId) {
        data.append('sourceJobId', sourceJobId);
      } else {
        // a folder's images keep their path below it, so the batch names them as the folder does
        batch.forEach(f => data.append('images', f, f.webkitRelativePath || f.name));
      }
      data.append('scale', scale.value);
      data.append('modelId', model.value);
      appendOptions(data);
      submit.disabled = true;
      submit.textContent = sourceJobId ? 'Queuing…' : 'Uploading ' + batch.length + ' images…';
      try {
        const response = await Srgan.fetch('/api/upscale/batch', { method: 'POST', body: data, headers: { Accept: 'application/json' } });
        if (response.status !== 202) {
          const error = await Srgan.readError(response);
          if (error.field === 'images' || error.field === 'file') {
            error.field = 'image';
          }
          Srgan.showErrors(form, error);
          return;
        }
        const job = await response.json();
        // the images are stored now: pressing Upscale again upscales the stored copies, without sending them again
        againNote(null, job.id, job.count);
        batch = [];
        history.pushState({}, '', '/upscale/' + job.id);
        follow('/upscale/' + job.id + '/batch', job.id);
        panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
      } catch (err) {
        Srgan.showErrors(form, { error: 'The server could not be reached: ' + err.message });
      } finally {
        submit.disabled = false;
        submit.textContent = 'Upscale';
      }
    }

    function follow(live, jobId) {
      panel.dataset.live = live;
      panel.dataset.liveKinds = 'job';
      Srgan.listen('/api/events?jobId=' + jobId);
      Srgan.refresh(panel);
    }

    // The photo's other upscales (another model or output, another batch, sent from anywhere):
    // when one ends, the panel re-renders, so its result joins the comparison without a reload.
    // They come on the page's one event stream, beside the shown job's own events.
    function watchPhoto() {
      const shown = panel.querySelector('#upscale-job');
      if (!shown || !shown.dataset.photo) {
        return;
      }
      const url = '/api/events?jobId=' + encodeURIComponent(shown.dataset.jobId)
          + '&sourceJobId=' + encodeURIComponent(shown.dataset.photo);
      if (Srgan.listening !== url) {
        Srgan.listen(url);
      }
    }
    Srgan.relevant = event => {
      const shown = panel.querySelector('#upscale-job');
      // a batch's events, or the shown job's own; of another upscale of the photo, its success only
      return !shown || event.jobId === shown.dataset.jobId || (event.kind === 'job' && event.status === 'SUCCEEDED');
    };
    panel.addEventListener('srgan:refreshed', watchPhoto);
    watchPhoto();

    // A batch's panel also re-renders every few seconds until the batch ends: an event that came
    // before the stream was open is not waited for.
    setInterval(() => {
      const shown = panel.querySelector('#batch-job');
      if (shown && ['QUEUED', 'RUNNING'].includes(shown.dataset.status)) {
        Srgan.refresh(panel);
      }
    }, 4000);

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
        // the input enlarged (nearest or bicubic), or another upscale of the same photo
        const kind = baseline.dataset.baseline;
        panel.querySelectorAll('button[data-baseline]').forEach(b => b.classList.toggle('on', b === baseline));
        const jobId = panel.querySelector('#upscale-job').dataset.jobId;
        panel.querySelectorAll('img.baseline').forEach(img => {
          img.src = kind === 'job' ? baseline.dataset.src : '/upscale/' + jobId + '/input' + (kind === 'bicubic' ? '?bicubic=true' : '');
          img.classList.toggle('nearest', kind === 'nearest');
        });
        const name = kind === 'job' ? baseline.dataset.label : kind === 'bicubic' ? 'Bicubic' : 'Nearest neighbour';
        panel.querySelectorAll('.baseline-name').forEach(s => { s.textContent = name; });
        const what = kind === 'job' ? 'the upscale with ' + baseline.dataset.label : 'the input enlarged by ' + name.toLowerCase();
        panel.querySelectorAll('.baseline-what').forEach(s => { s.textContent = what; });
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
