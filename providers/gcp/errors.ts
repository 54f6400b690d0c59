/**
 * The edge where Google's answers become strato errors. The compute client
 * throws a GoogleError (a gRPC `code` plus `httpStatusCode`), the REST calls
 * a GaxiosError (`status`, and the body's `error.status`), a dead endpoint a
 * socket error code. All of them are classified here by those codes, never
 * by message text, and a refusal names the permission from permissions.ts.
 */
import { UserError, type ExitCodeName } from '../../src/errors.js'
import { API, CALLS, type CallName } from './permissions.js'

export type ErrorKind =
  | 'notFound' | 'alreadyExists' | 'precondition' | 'invalid'
  | 'unauthenticated' | 'permission' | 'throttled' | 'unavailable' | 'unreachable' | 'unknown'

export class GcpRequestError extends UserError {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly call: CallName,
    readonly permission: string,
    options: { fix?: string; code?: ExitCodeName; details?: string[] },
  ) {
    super(message, { ...options, data: { gcpError: kind, call, permission } })
  }
}

/** True when `error` is a translated Google error of one of `kinds`. */
export function isGcpError(error: unknown, ...kinds: ErrorKind[]): error is GcpRequestError {
  return error instanceof GcpRequestError && (kinds.length === 0 || kinds.includes(error.kind))
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

/** gRPC status codes (google.rpc.Code) the compute client reports. */
const GRPC: Record<number, ErrorKind> = {
  3: 'invalid', 4: 'unavailable', 5: 'notFound', 6: 'alreadyExists', 7: 'permission', 8: 'throttled', 9: 'precondition',
  10: 'alreadyExists', 13: 'unavailable', 14: 'unavailable', 16: 'unauthenticated',
}

function byHttpStatus(status: number): ErrorKind {
  if (status === 400) return 'invalid'
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'permission'
  if (status === 404) return 'notFound'
  if (status === 409) return 'alreadyExists'
  if (status === 412) return 'precondition'
  if (status === 429) return 'throttled'
  if (status >= 500) return 'unavailable'
  return 'unknown'
}

interface RawError {
  code?: number | string
  httpStatusCode?: number
  status?: number
  message?: string
  response?: { status?: number; data?: { error?: string | { code?: number; status?: string } } }
  cause?: { code?: string | number; response?: { data?: { error?: unknown } } }
  errorInfoMetadata?: Record<string, string>
}

/** The kind of a raw error from the compute client, the auth library or a socket; pure. */
export function classify(error: unknown): ErrorKind {
  const raw = (error ?? {}) as RawError
  const socket = typeof raw.code === 'string' ? raw.code : typeof raw.cause?.code === 'string' ? raw.cause.code : undefined
  if (socket && NETWORK_CODES.has(socket)) return 'unreachable'
  // the token endpoint refusing a key answers 400/401 with an OAuth error code (the compute client wraps it)
  const oauth = raw.response?.data?.error ?? raw.cause?.response?.data?.error
  if (typeof oauth === 'string' && ['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_request'].includes(oauth)) return 'unauthenticated'
  if (typeof raw.code === 'number' && raw.httpStatusCode !== undefined) return GRPC[raw.code] ?? byHttpStatus(raw.httpStatusCode)
  const status = raw.httpStatusCode ?? raw.response?.status ?? (typeof raw.status === 'number' ? raw.status : undefined)
  if (status !== undefined) return byHttpStatus(status)
  if (typeof raw.code === 'number' && GRPC[raw.code]) return GRPC[raw.code]
  return 'unknown'
}

export interface ErrorScope {
  targetName: string
  project: string
  /** the endpoint override, when the target has one */
  endpoint?: string
}

const RETRIED: ErrorKind[] = ['throttled', 'unavailable']
export const isRetryable = (kind: ErrorKind) => RETRIED.includes(kind)

/** The strato error for one failed call (after its retries, for transient ones). */
export function translateGcpError(error: unknown, call: CallName, scope: ErrorScope, attempts = 1): unknown {
  if (error instanceof UserError) return error
  const kind = classify(error)
  const { permission, api } = CALLS[call]
  const where = `target "${scope.targetName}" (project ${scope.project})`
  const said = ((error as RawError)?.message ?? String(error)).split('\n')[0]
  const make = (message: string, code: ExitCodeName, fix: string) => new GcpRequestError(message, kind, call, permission, { code, fix, details: [`Google said: ${said}`] })
  switch (kind) {
    case 'permission': {
      const named = (error as RawError).errorInfoMetadata?.permission ?? permission
      return new GcpRequestError(`Permission denied: ${named} on ${where} (calling ${call}).`, kind, call, named, {
        code: 'denied',
        details: [`Google said: ${said}`],
        fix: `Grant ${named} to the identity strato runs as (a role that includes it, on project ${scope.project}), and check that ${API[api]} is enabled.`,
      })
    }
    case 'unauthenticated':
      return make(`Google refused the credentials for ${where}.`, 'denied',
        'Check the key in GOOGLE_APPLICATION_CREDENTIALS (it may be deleted or disabled), or run `gcloud auth application-default login` again.')
    case 'unreachable':
      return make(`Could not reach ${scope.endpoint ?? API[api]} for ${where}.`, 'unreachable',
        scope.endpoint ? `Check that the endpoint in targets.${scope.targetName}.endpoint is running and reachable.` : 'Check the network connection and proxy settings.')
    case 'throttled':
      return make(`Google kept throttling ${call} on ${where} after ${attempts} attempts.`, 'failure',
        'Wait a minute and run the command again; if it persists, ask for a higher quota or run fewer commands at once.')
    case 'unavailable':
      return make(`${API[api]} kept failing (${call}) on ${where} after ${attempts} attempts.`, 'failure',
        'The service had a transient outage; run the command again in a minute.')
    case 'notFound':
    case 'alreadyExists':
    case 'precondition':
    case 'invalid':
      return make(`Google refused ${call} on ${where}: ${said}`, kind === 'alreadyExists' || kind === 'precondition' ? 'conflict' : 'failure',
        'Read Google\'s message above; correct the manifest or the project and run the command again.')
    default:
      return error
  }
}
