// The filing page a workstation's QR code opens: the workstation's name, then a complaint (投诉) or a
// suggestion (建议) — what, what kind, where (typed, and the phone's position if the citizen shares it),
// photos, and optionally a name and phone with the consent that says what they are for. It is sent with
// the page's one-time form token; photos follow, uploaded with the tracking code the filing answered and
// attached as the citizen's supplement. The answer is the tracking code and a link to its page.

import { ApiError, api, el, photoPicker, saveCode, t, uploadPhotos } from './common.js';

const CATEGORIES = [
  'illegal_construction', 'load_bearing_damage', 'change_of_use', 'facade_damage', 'illegal_renting', 'green_space_damage',
  'property_management', 'night_construction_noise', 'cooking_fumes', 'street_vending', 'construction_waste',
  'outdoor_advertising', 'waste_sorting', 'other',
];
const TEXT_MAX = 2000;
const PHOTOS_MAX = 6;
const PHONE = /^(\+?86)?(1[3-9]\d{9}|0\d{9,11})$/;

/** What was typed, kept while the page lives, so switching the language does not lose it. */
const drafts = new Map();

/** A fresh form token, and when the form may be sent. */
async function formToken(workstationId) {
  const answer = await api('GET', `/v1/public/form-token?workstationId=${encodeURIComponent(workstationId)}`);
  return { token: answer.token, notBefore: Date.parse(answer.notBefore) };
}

let seq = 0;
function field(label, control, { hint, id } = {}) {
  control.id ||= `f${++seq}`;
  const error = el('p', { class: 'field-error', id: `${control.id}-error`, role: 'alert' });
  control.setAttribute('aria-describedby', `${control.id}-error`);
  return el('div', { class: 'field', id }, el('label', { for: control.id }, label), hint !== undefined ? el('p', { class: 'hint' }, hint) : null, control, error);
}

export async function fileView(workstationId, current) {
  let station;
  try {
    station = await api('GET', `/v1/public/workstations/${encodeURIComponent(workstationId)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
      return el('div', { class: 'card' }, el('p', { class: 'form-error', id: 'station-missing', role: 'alert' }, t('file.stationMissing')));
    }
    throw err;
  }
  let token = await formToken(workstationId);
  if (!current()) return [];
  const draft = drafts.get(workstationId) ?? {};
  drafts.set(workstationId, draft);

  // 投诉 or 建议: a suggestion has no category, no photos, and its place is optional.
  const kindRadio = (kind) => el('label', { class: 'choice' },
    el('input', { type: 'radio', name: 'kind', value: kind, id: `kind-${kind}`, checked: (draft.kind ?? 'complaint') === kind }),
    el('span', {}, el('strong', {}, t(`file.kind.${kind}`)), el('small', {}, t(`file.kind.${kind}Hint`))));
  const kinds = el('fieldset', { class: 'kinds' }, el('legend', {}, t('file.kindLegend')), kindRadio('complaint'), kindRadio('suggestion'));

  const category = el('select', { id: 'category', name: 'category' },
    el('option', { value: '' }, t('file.categoryUnknown')),
    CATEGORIES.map((c) => el('option', { value: c, selected: draft.category === c }, t(`category.${c}`))));
  const text = el('textarea', { id: 'text', name: 'text', rows: 5, maxlength: TEXT_MAX, required: true });
  text.value = draft.text ?? '';
  const counter = el('p', { class: 'hint counter', id: 'text-count' });
  const address = el('input', { id: 'address', name: 'address', maxlength: 500, autocomplete: 'street-address', placeholder: t('file.addressPlaceholder') });
  address.value = draft.address ?? '';

  // The phone's position, only when the citizen asks for it.
  let position = draft.position;
  const located = el('p', { class: 'hint', id: 'located', role: 'status' });
  const locate = el('button', { type: 'button', class: 'secondary', id: 'locate' }, t('file.locate'));
  const unlocate = el('button', { type: 'button', class: 'link', id: 'unlocate', hidden: true }, t('file.locateClear'));
  const showPosition = () => {
    located.textContent = position ? t('file.located', { meters: Math.max(1, Math.round(position.accuracy)) }) : '';
    unlocate.hidden = !position;
    draft.position = position;
  };
  locate.addEventListener('click', () => {
    if (!navigator.geolocation) {
      located.textContent = t('file.locateFailed', { reason: t('file.locateUnavailable') });
      return;
    }
    located.textContent = t('file.locating');
    navigator.geolocation.getCurrentPosition(
      (p) => {
        position = { lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy };
        showPosition();
      },
      (e) => {
        located.textContent = t('file.locateFailed', { reason: e.code === e.PERMISSION_DENIED ? t('file.locateDenied') : e.message });
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  });
  unlocate.addEventListener('click', () => {
    position = undefined;
    showPosition();
  });
  showPosition();

  const photos = photoPicker('photos', PHOTOS_MAX);

  const name = el('input', { id: 'name', name: 'name', maxlength: 100, autocomplete: 'name', placeholder: t('file.namePlaceholder') });
  name.value = draft.name ?? '';
  const phone = el('input', { id: 'phone', name: 'phone', type: 'tel', maxlength: 40, autocomplete: 'tel', inputmode: 'tel' });
  phone.value = draft.phone ?? '';
  const consent = el('input', { type: 'checkbox', id: 'consent', name: 'consent', checked: draft.consent === true });
  const consentError = el('p', { class: 'field-error', id: 'consent-error', role: 'alert' });
  // A field people never see (off-screen, out of the tab order, hidden from screen readers): a program
  // that fills in every field fills it in, and the API refuses that form.
  const honeypot = el('input', { id: 'website', name: 'website', tabindex: '-1', autocomplete: 'off' });

  const categoryField = field(t('file.category'), category, { id: 'category-field' });
  const textField = field('', text, { hint: '' });
  const addressField = field('', address, { id: 'address-field' });
  const photoField = el('div', { class: 'field', id: 'photo-field' }, photos.node);
  const formError = el('p', { class: 'form-error', id: 'form-error', role: 'alert' });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'submit' }, t('file.submit'));
  const status = el('p', { class: 'hint', id: 'submit-status', role: 'status' });

  const kindOf = () => (kinds.querySelector('#kind-suggestion').checked ? 'suggestion' : 'complaint');
  const drawKind = () => {
    const kind = kindOf();
    draft.kind = kind;
    categoryField.hidden = kind !== 'complaint';
    photoField.hidden = kind !== 'complaint';
    textField.querySelector('label').textContent = t(`file.text.${kind}`);
    textField.querySelector('.hint').textContent = t(`file.textHint.${kind}`);
    addressField.querySelector('label').textContent = kind === 'complaint' ? t('file.address') : t('file.addressOptional');
    address.required = kind === 'complaint';
  };
  const count = () => {
    counter.textContent = t('file.count', { n: [...text.value].length, max: TEXT_MAX });
  };
  kinds.addEventListener('change', drawKind);
  text.addEventListener('input', () => {
    draft.text = text.value;
    count();
  });
  category.addEventListener('change', () => { draft.category = category.value; });
  address.addEventListener('input', () => { draft.address = address.value; });
  name.addEventListener('input', () => { draft.name = name.value; });
  phone.addEventListener('input', () => { draft.phone = phone.value; });
  consent.addEventListener('change', () => { draft.consent = consent.checked; });

  const form = el('form', { class: 'card filing', id: 'filing', novalidate: true },
    el('p', { class: 'hint' }, t('file.stationLead')),
    el('h1', { id: 'station-name' }, station.fullName),
    kinds,
    categoryField,
    textField,
    counter,
    el('div', { class: 'field', id: 'place' }, addressField, el('div', { class: 'row' }, locate, unlocate), located),
    photoField,
    el('fieldset', { class: 'contact' },
      el('legend', {}, t('file.contact')),
      el('p', { class: 'hint' }, t('file.contactHint')),
      field(t('file.name'), name),
      field(t('file.phone'), phone),
      el('div', { class: 'consent' }, consent, el('label', { for: 'consent' }, t('file.consent'))),
      consentError),
    el('div', { class: 'honeypot', 'aria-hidden': 'true' }, el('label', { for: 'website' }, t('file.honeypot')), honeypot),
    formError,
    submit,
    status);
  drawKind();
  count();

  const fieldOf = { 'body.text': text, 'body.location.address': address, 'body.citizen.phone': phone, 'body.citizen.name': name, 'body.consent': consent, 'body.category': category };
  const clearErrors = () => {
    formError.textContent = '';
    for (const node of form.querySelectorAll('.field-error')) if (node !== photos.node.querySelector('.field-error')) node.textContent = '';
    for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  };
  const mark = (control, message) => {
    control.setAttribute('aria-invalid', 'true');
    const error = control === consent ? consentError : document.getElementById(`${control.id}-error`);
    if (error) error.textContent = message;
  };

  // A field put right loses its complaint as soon as it is changed.
  const unmark = (e) => {
    const control = e.target;
    if (!control.hasAttribute?.('aria-invalid')) return;
    control.removeAttribute('aria-invalid');
    const error = control === consent ? consentError : document.getElementById(`${control.id}-error`);
    if (error) error.textContent = '';
  };
  form.addEventListener('input', unmark);
  form.addEventListener('change', unmark);

  /** What the page itself can tell is missing or wrong, before anything is sent. */
  const check = (kind) => {
    const problems = [];
    if (!text.value.trim()) problems.push([text, t('file.needText')]);
    if (kind === 'complaint' && !address.value.trim()) problems.push([address, t('file.needAddress')]);
    const digits = phone.value.replace(/[\s-]/g, '');
    if (digits && !PHONE.test(digits)) problems.push([phone, t('file.badPhone')]);
    if ((name.value.trim() || digits) && !consent.checked) problems.push([consent, t('file.needConsent')]);
    return problems;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const kind = kindOf();
    const problems = check(kind);
    if (problems.length) {
      for (const [control, message] of problems) mark(control, message);
      problems[0][0].focus();
      return;
    }
    submit.disabled = true;
    try {
      // A person is never quicker than the form token allows; a page opened a moment ago waits that out.
      const wait = token.notBefore - Date.now();
      if (wait > 0) {
        status.textContent = t('file.waiting');
        await new Promise((resolve) => setTimeout(resolve, wait + 100));
      }
      status.textContent = t('file.sending');
      const contact = { name: name.value.trim() || undefined, phone: phone.value.replace(/[\s-]/g, '') || undefined };
      const body = {
        formToken: token.token,
        kind,
        workstationId: station.id,
        text: text.value.trim(),
        ...(kind === 'complaint' && category.value ? { category: category.value } : {}),
        location: { ...(address.value.trim() ? { address: address.value.trim() } : {}), ...(position ? { lat: position.lat, lng: position.lng } : {}) },
        ...(contact.name || contact.phone ? { citizen: contact, consent: consent.checked } : {}),
        ...(honeypot.value ? { website: honeypot.value } : {}),
      };
      const filed = await api('POST', '/v1/public/reports', body);
      saveCode(filed.trackingCode);
      let photoResult;
      const blobs = kind === 'complaint' ? photos.blobs() : [];
      if (blobs.length) {
        photoResult = await uploadPhotos(filed.trackingCode, blobs, (done, total) => { status.textContent = t('file.sendingPhotos', { done, total }); });
        if (photoResult.ids.length) {
          try {
            await api('POST', `/v1/track/${encodeURIComponent(filed.trackingCode)}/supplement`, { attachments: photoResult.ids.map((fileId) => ({ fileId })) });
          } catch (err) {
            photoResult.failures.push(...photoResult.ids.map(() => err.message));
            photoResult.ids = [];
          }
        }
      }
      drafts.delete(workstationId);
      photos.clear();
      form.replaceWith(filedAnswer(filed, photoResult, workstationId));
    } catch (err) {
      status.textContent = '';
      submit.disabled = false;
      if (!(err instanceof ApiError)) {
        formError.textContent = err.message;
        return;
      }
      if (err.status === 429) {
        formError.textContent = t('file.tooMany');
        return;
      }
      if (err.paths().includes('body.formToken')) {
        // Opened too long ago (or the server restarted): a fresh token, and the citizen sends again.
        token = await formToken(workstationId).catch(() => token);
        formError.textContent = t('file.tokenStale');
        return;
      }
      const named = (err.body?.issues ?? []).filter((i) => fieldOf[i.path]);
      for (const issue of named) mark(fieldOf[issue.path], issue.path === 'body.citizen.phone' ? t('file.badPhone') : issue.path === 'body.consent' ? t('file.needConsent') : issue.message);
      formError.textContent = t('file.refused', { error: err.message });
      (named.length ? fieldOf[named[0].path] : formError).focus?.();
    }
  });

  return form;
}

/** The answer: the tracking code, large, and the way to its page. */
function filedAnswer(filed, photoResult, workstationId) {
  const copy = el('button', { type: 'button', class: 'secondary', id: 'copy-code' }, t('filed.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(filed.trackingCode);
      copy.textContent = t('filed.copied');
    } catch {
      copy.hidden = true;
    }
  });
  return el('section', { class: 'card filed', id: 'filed' },
    el('h1', {}, t(`filed.title.${filed.kind}`)),
    filed.created ? null : el('p', { class: 'hint' }, t('filed.again')),
    el('p', { class: 'label' }, t('filed.code')),
    el('p', { class: 'tracking-code', id: 'tracking-code' }, filed.trackingCode),
    el('p', {}, t('filed.keep')),
    photoResult?.ids.length ? el('p', { id: 'filed-photos' }, t('filed.photos', { n: photoResult.ids.length })) : null,
    photoResult?.failures.length ? el('p', { class: 'form-error', id: 'filed-photos-failed' }, t('filed.photosFailed', { n: photoResult.failures.length, reason: [...new Set(photoResult.failures)].join('；') })) : null,
    el('div', { class: 'row' }, el('a', { class: 'button primary', id: 'track-link', href: `#/track/${filed.trackingCode}` }, t('filed.track')), copy),
    el('p', {}, el('a', { href: `#/w/${encodeURIComponent(workstationId)}`, id: 'file-another', onclick: (e) => {
      // The same address: draw the empty form again.
      e.preventDefault();
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } }, t('filed.another'))));
}
