// The API as the console speaks it: same origin, the key in the session cookie, and the header that
// tells the API a write comes from this page (api/plugins/session.ts).

import { t, term } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, url, body) {
  const headers = { 'x-bangnong-console': '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const answer = response.headers.get('content-type')?.includes('json') ? await response.json() : undefined;
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

/**
 * The API's refusal for a person: its `error`, what a 409 says the case is and what it allows, a 400's
 * fields; undefined for an error that is not the API's answer (each screen says those its own way).
 */
export function apiRefusal(err) {
  if (!(err instanceof ApiError)) return undefined;
  const body = err.body ?? {};
  if (err.status === 409 && body.state) {
    const allowed = (body.allowed ?? []).map((a) => term('action', a)).join(t('case.listSeparator')) || t('value.none');
    return t('case.conflict', { error: err.message, state: term('state', body.state), allowed });
  }
  if (Array.isArray(body.issues) && body.issues.length) return `${err.message} (${body.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`;
  return err.message;
}
