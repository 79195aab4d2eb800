// The API as the console speaks it: same origin, the key in the session cookie, and the header that
// tells the API a write comes from this page (api/plugins/session.ts).

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
