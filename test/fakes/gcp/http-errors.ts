/**
 * Error answers in the shapes Google's APIs use. Compute Engine answers in its
 * classic form (`errors[]` with a reason, no `status`); the newer APIs
 * (Secret Manager, IAM, Monitoring) add `status` and an ErrorInfo detail.
 * The shapes are checked against recorded traffic by the contract test.
 */

export class FakeHttpError extends Error {
  readonly status: number
  readonly body: unknown
  readonly headers: Record<string, string>
  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`fake answered ${status}`)
    this.status = status
    this.body = body
    this.headers = headers
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
}

/** Compute Engine's error body: code, message and one entry in errors[] naming the reason. */
export function computeError(status: number, reason: string, message: string, extra: Record<string, unknown> = {}): FakeHttpError {
  return new FakeHttpError(status, { error: { code: status, errors: [{ domain: status === 429 ? 'usageLimits' : 'global', message, reason, ...extra }], message } })
}

/** The error body of the newer JSON APIs: with `status`, and an ErrorInfo naming the permission when one was missing. */
export function apiError(status: number, message: string, info?: { reason: string; domain: string; metadata?: Record<string, string> }): FakeHttpError {
  const details = info ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', ...info }] : undefined
  return new FakeHttpError(status, { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN', ...(details ? { details } : {}) } })
}

export const notFound = (resource: string) => computeError(404, 'notFound', `The resource '${resource}' was not found`)
export const alreadyExists = (resource: string) => computeError(409, 'alreadyExists', `The resource '${resource}' already exists`)
export const invalid = (message: string) => computeError(400, 'invalid', message)
export const fingerprintMismatch = () => computeError(412, 'conditionNotMet', 'Supplied fingerprint does not match current metadata fingerprint.', { location: 'If-Match', locationType: 'header' })
export const inUse = (kind: string, resource: string, user: string) =>
  computeError(400, 'resourceInUseByAnotherResource', `The ${kind} resource '${resource}' is already being used by '${user}'`)

/** What a fault rule or the API itself answers for throttling and outages. */
export function transientError(status: number, api: 'compute' | 'other'): FakeHttpError {
  const message = status === 429
    ? 'Quota exceeded for quota metric \'Queries\' and limit \'Queries per minute\'.'
    : 'The service is currently unavailable.'
  if (api === 'compute') return computeError(status, status === 429 ? 'rateLimitExceeded' : 'backendError', message)
  return apiError(status, message)
}

/** A missing permission, in the form of the API that refused it. */
export function permissionDenied(permission: string, resource: string, api: 'compute' | 'other', domain: string): FakeHttpError {
  if (api === 'compute') return computeError(403, 'forbidden', `Required '${permission}' permission for '${resource}'`)
  return apiError(403, `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`, {
    reason: 'IAM_PERMISSION_DENIED', domain, metadata: { permission, resource },
  })
}

export function unauthenticated(): FakeHttpError {
  return apiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', {
    reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', domain: 'googleapis.com',
  })
}
