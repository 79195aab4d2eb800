// What the citizen's pages share: their words (i18n/zh-CN.json first, i18n/en.json beside it), the API
// as they call it — the routes open without a key, and never the staff console's session cookie — and
// elements built from data without ever parsing it as HTML.

const LANGUAGES = ['zh-CN', 'en'];
const STORAGE_KEY = 'bangnong.citizen.language';
const catalogues = {};
let language = LANGUAGES.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : 'zh-CN';

export async function loadCatalogues() {
  await Promise.all(LANGUAGES.map(async (lang) => {
    const response = await fetch(`i18n/${lang}.json`);
    if (!response.ok) throw new Error(`the catalogue i18n/${lang}.json is missing (${response.status})`);
    catalogues[lang] = await response.json();
  }));
  document.documentElement.lang = language;
}

export const currentLanguage = () => language;

export function switchLanguage() {
  language = language === 'zh-CN' ? 'en' : 'zh-CN';
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
}

/** The message `key` with {name} replaced from `values`; a key missing from the catalogue shows as itself. */
export function t(key, values = {}) {
  const message = catalogues[language]?.[key] ?? catalogues['zh-CN']?.[key] ?? key;
  return message.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** A key's message if the catalogue has it, else the fallback key's. */
export const tOr = (key, fallback, values) => (catalogues['zh-CN']?.[key] !== undefined ? t(key, values) : t(fallback, values));

export function dateTime(iso) {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(new Date(iso));
}

/** el('a', { href: '#/x', class: 'link' }, 'text', child): text goes in as text, never as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  /** The fields the API named as wrong. */
  paths() {
    return (this.body?.issues ?? []).map((i) => i.path);
  }
}

/**
 * Calls the API. `credentials: 'omit'`: a member of staff signed in to the console on the same phone
 * must not file or rate as themselves, and the console's cookie would make these calls theirs.
 */
export async function api(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'omit',
      headers: body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
  } catch {
    throw new Error(t('app.offline'));
  }
  const answer = response.headers.get('content-type')?.includes('json') ? await response.json() : undefined;
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

// Photos go over a mobile link: each is drawn upright on a canvas at most 2048 px on its long side and
// encoded as JPEG, which also leaves the camera's metadata — where it was taken — behind.
const PHOTO_MAX_SIDE = 2048;
const PHOTO_QUALITY = 0.85;

export async function shrinkPhoto(file) {
  let source;
  try {
    // Older phone browsers have no createImageBitmap: an <img> decodes the photo upright as well.
    source = typeof createImageBitmap === 'function'
      ? await createImageBitmap(file, { imageOrientation: 'from-image' })
      : await new Promise((resolve, reject) => {
        const image = new Image();
        const url = URL.createObjectURL(file);
        image.onload = () => { URL.revokeObjectURL(url); resolve(image); };
        image.onerror = () => { URL.revokeObjectURL(url); reject(new Error('decode')); };
        image.src = url;
      });
  } catch {
    return undefined;
  }
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(source.width, source.height));
  const canvas = el('canvas', { width: Math.max(1, Math.round(source.width * scale)), height: Math.max(1, Math.round(source.height * scale)) });
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  source.close?.();
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob ?? undefined), 'image/jpeg', PHOTO_QUALITY));
}

/** Why a photo did not go, in words. */
function photoRefusal(err) {
  if (!(err instanceof ApiError)) return err?.message || t('photo.failed');
  switch (err.status) {
    case 409: return t('photo.closed');
    case 413: return t('photo.tooLarge');
    case 415: return t('photo.wrongType');
    default: return err.message;
  }
}

/** Uploads the photos with the tracking code; answers the uploaded files' ids and, for each that failed, why. */
export async function uploadPhotos(trackingCode, blobs, onProgress = () => {}) {
  const ids = [];
  const failures = [];
  for (const [i, blob] of blobs.entries()) {
    onProgress(i, blobs.length);
    const form = new FormData();
    form.append('file', blob, `photo-${i + 1}.jpg`);
    try {
      ids.push((await api('POST', `/v1/track/${encodeURIComponent(trackingCode)}/files`, form)).id);
    } catch (err) {
      failures.push(photoRefusal(err));
    }
  }
  onProgress(blobs.length, blobs.length);
  return { ids, failures };
}

/**
 * A photo picker: taken with the camera or chosen, made smaller on the phone at once, shown as thumbnails
 * that can be removed; `blobs()` gives what is to be sent.
 */
export function photoPicker(id, max) {
  const items = [];
  const list = el('ul', { class: 'photos', id: `${id}-list` });
  const note = el('p', { class: 'field-error', role: 'status' });
  const input = el('input', { type: 'file', id, accept: 'image/*', multiple: true, class: 'photo-input' });
  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    note.textContent = '';
    for (const file of files) {
      if (items.length >= max) {
        note.textContent = t('file.photoTooMany', { max });
        break;
      }
      const blob = await shrinkPhoto(file);
      if (!blob) {
        note.textContent = t('file.photoNotImage');
        continue;
      }
      const item = { blob, url: URL.createObjectURL(blob) };
      const node = el('li', { class: 'photo' },
        el('img', { src: item.url, alt: t('file.photoAlt', { n: items.length + 1 }) }),
        el('button', { type: 'button', class: 'link photo-remove', onclick: () => {
          items.splice(items.indexOf(item), 1);
          URL.revokeObjectURL(item.url);
          node.remove();
        } }, t('file.photoRemove')));
      items.push(item);
      list.append(node);
    }
  });
  return {
    node: el('div', { class: 'photo-picker' },
      el('span', { class: 'label' }, t('file.photos', { max })),
      el('label', { for: id, class: 'photo-take' }, t('file.photosTake')),
      input,
      el('p', { class: 'hint' }, t('file.photosHint')),
      note,
      list),
    blobs: () => items.map((i) => i.blob),
    clear: () => {
      for (const item of items) URL.revokeObjectURL(item.url);
      items.length = 0;
      list.replaceChildren();
    },
  };
}

/** The codes filed from this phone, newest first: a convenience, kept only on the phone, no personal data. */
const CODES_KEY = 'bangnong.citizen.codes';
export const savedCodes = () => {
  try {
    const codes = JSON.parse(localStorage.getItem(CODES_KEY) ?? '[]');
    return Array.isArray(codes) ? codes.filter((c) => typeof c === 'string') : [];
  } catch {
    return [];
  }
};
export const saveCode = (code) => localStorage.setItem(CODES_KEY, JSON.stringify([code, ...savedCodes().filter((c) => c !== code)].slice(0, 10)));

/** A tracking code as typed: spaces dropped, upper case; undefined when it cannot be one. */
export function trackingCodeOf(typed) {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  return /^B[NS][0-9A-Z]{10}$/.test(code) ? code : undefined;
}
