import type { CaseState } from '../domain/case.js';
import type { CaseLimitReached } from '../domain/policy.js';
import type { PublicityState } from '../domain/publicity.js';
import type { SuggestionState } from '../domain/suggestion.js';

/** The one error type the API raises on purpose: it carries its status and what the client should know. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: { state?: CaseState | SuggestionState | PublicityState; allowed?: string[]; limit?: CaseLimitReached; issues?: { path: string; message: string }[] } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, path?: string) =>
  new HttpError(400, message, path ? { issues: [{ path, message }] } : {});
export const notFound = (message: string) => new HttpError(404, message);
