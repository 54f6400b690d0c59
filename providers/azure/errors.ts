/**
 * The edge where Azure answers become strato errors. Every client gets one
 * per-call pipeline policy that sees the final answer after the SDK's own
 * retries: a 4xx/5xx becomes an AzureRequestError (a UserError) carrying
 * Azure's error code, the HTTP status and the Resource Manager action the
 * request needed, so call sites branch on codes, never on message text.
 * Credential failures and unreachable endpoints are classified here too.
 */
import { connect } from 'node:net'
import { UserError, type ExitCodeName } from '../../src/errors.js'

export class AzureRequestError extends UserError {
  constructor(
    message: string,
    readonly azureCode: string,
    readonly status: number,
    /** the Resource Manager action, e.g. Microsoft.Compute/virtualMachineScaleSets/write */
    readonly action: string,
    options: { fix?: string; code?: ExitCodeName; details?: string[] },
  ) {
    super(message, { ...options, data: { azureCode, status, action } })
  }
}

/** True when `error` is an Azure error with one of `codes` (ResourceNotFound, RoleAssignmentExists...). */
export function isAzureError(error: unknown, ...codes: string[]): error is AzureRequestError {
  return error instanceof AzureRequestError && (codes.length === 0 || codes.includes(error.azureCode))
}

export function isNotFound(error: unknown): boolean {
  return error instanceof AzureRequestError && error.status === 404
}

/** Runs a delete for which "already gone" is success. */
export async function ignoreMissing(work: () => Promise<unknown>): Promise<void> {
  try {
    await work()
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

export interface ErrorScope {
  targetName: string
  subscriptionId: string
  /** the Resource Manager endpoint when it is not Azure's own */
  endpoint?: string
  /** the identity platform (AZURE_AUTHORITY_HOST), when it is not Microsoft's own */
  authorityHost?: string
}

/**
 * The action a request needs, from its method and URL, as Resource Manager
 * names them: <namespace>/<type>[/<child type>]/(read|write|delete|<verb>/action).
 */
export function actionOf(method: string, url: string): string {
  const path = new URL(url).pathname.replace(/\/+$/, '')
  const at = path.toLowerCase().lastIndexOf('/providers/')
  const verb = method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : 'write'
  if (at < 0) {
    if (/\/resourcegroups(\/[^/]+)?$/i.test(path)) return `Microsoft.Resources/subscriptions/resourceGroups/${/\/resourcegroups$/i.test(path) ? 'read' : verb}`
    return `Microsoft.Resources/subscriptions/${/\/resources$/i.test(path) ? 'resources/' : ''}read`
  }
  const [namespace, ...rest] = path.slice(at + '/providers/'.length).split('/')
  const types = rest.filter((_, index) => index % 2 === 0)
  if (method === 'POST' && rest.length % 2 === 1) return `${namespace}/${types.join('/')}/action`
  return `${namespace}/${types.join('/')}/${verb}`
}

/** The built-in role that grants an action, for the fix text. */
export function roleFor(action: string): string {
  const lower = action.toLowerCase()
  if (lower.startsWith('microsoft.authorization/roleassignments/') && !lower.endsWith('/read')) return 'User Access Administrator (or Owner)'
  if (lower.startsWith('microsoft.costmanagement/')) return 'Cost Management Reader'
  if (lower.startsWith('microsoft.insights/metrics') || lower.startsWith('microsoft.insights/metricdefinitions')) return 'Monitoring Reader'
  if (lower.startsWith('microsoft.keyvault/locations/deletedvaults/purge')) return 'Key Vault Contributor'
  return 'Contributor'
}

function where(scope: ErrorScope): string {
  return `target "${scope.targetName}" (subscription ${scope.subscriptionId})`
}

/** The strato error for a failed answer: status, Azure's error code and message, and the request it answered. */
export function translateResponse(status: number, body: string | undefined, method: string, url: string, scope: ErrorScope, retryAfter?: string): AzureRequestError {
  let code = `Http${status}`
  let message = ''
  try {
    const parsed = JSON.parse(body ?? '') as { error?: { code?: string; message?: string }; code?: string; message?: string }
    code = parsed.error?.code ?? parsed.code ?? code
    message = parsed.error?.message ?? parsed.message ?? ''
  } catch {
    // not JSON: keep the status as the code
  }
  const action = actionOf(method, url)
  const detail = message ? [message] : []
  if (status === 401) {
    return new AzureRequestError(`Azure refused the credentials for ${where(scope)} when calling ${action} (${code}).`, code, status, action, {
      code: 'denied', details: detail,
      fix: 'Check that the credential strato found (see `strato doctor`) is valid for this tenant and not expired: run `az login` again, or check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.',
    })
  }
  if (status === 403) {
    return new AzureRequestError(`Permission denied: ${action} on ${where(scope)}.`, code, status, action, {
      code: 'denied', details: detail,
      fix: `Grant the identity strato runs as a role that allows ${action} on the subscription or resource group (the built-in ${roleFor(action)} role does), then run the command again; new role assignments can take a few minutes to apply.`,
    })
  }
  if (status === 409 && code === 'MissingSubscriptionRegistration') {
    const namespace = action.split('/')[0]
    return new AzureRequestError(`The subscription of ${where(scope)} is not registered for ${namespace}.`, code, status, action, {
      code: 'conflict', details: detail,
      fix: `Register it once with \`az provider register --namespace ${namespace}\` (needs Microsoft.Resources/subscriptions/providers/register/action), then run the command again.`,
    })
  }
  if (status === 429) {
    return new AzureRequestError(`Azure kept throttling ${action} on ${where(scope)} after every retry${retryAfter ? ` (Retry-After ${retryAfter}s)` : ''}.`, code, status, action, {
      code: 'failure', details: detail,
      fix: 'Wait a minute and run the command again; if it persists, run fewer commands against the subscription at once.',
    })
  }
  if (status >= 500) {
    return new AzureRequestError(`Azure answered ${status} to ${action} on ${where(scope)} after every retry.`, code, status, action, {
      code: 'failure', details: detail, fix: 'Azure had a transient failure: run the command again in a few minutes, and check the Azure status page if it persists.',
    })
  }
  return new AzureRequestError(`Azure refused ${action} on ${where(scope)}: ${code}${message ? `: ${message}` : ''}`, code, status, action, {
    code: 'failure', fix: 'Read Azure\'s message above; correct the manifest or the subscription and run the command again.',
  })
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ESOCKETTIMEDOUT', 'REQUEST_SEND_ERROR'])
const CERTIFICATE_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'])

/** Walks an error's causes and aggregated errors for a network or TLS code. */
function lowLevelCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== 'object' || depth > 6) return undefined
  const candidate = error as { code?: unknown; cause?: unknown; errors?: unknown[] }
  if (typeof candidate.code === 'string' && (NETWORK_CODES.has(candidate.code) || CERTIFICATE_CODES.has(candidate.code))) return candidate.code
  for (const inner of [candidate.cause, ...(Array.isArray(candidate.errors) ? candidate.errors : [])]) {
    const found = lowLevelCode(inner, depth + 1)
    if (found) return found
  }
  return undefined
}

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationError', 'AuthenticationRequiredError'])

/** The strato error for something thrown before an answer came: no network, bad certificate, no or refused credentials. */
export function translateThrown(error: unknown, method: string, url: string, scope: ErrorScope): unknown {
  if (error instanceof UserError) return error
  const action = actionOf(method, url)
  const code = lowLevelCode(error)
  const host = scope.endpoint ?? new URL(url).origin
  if (code && CERTIFICATE_CODES.has(code)) {
    return new AzureRequestError(`The TLS certificate of ${host} is not trusted (${code}) for ${where(scope)}.`, code, 0, action, {
      code: 'unreachable', fix: 'Trust the endpoint\'s certificate: export NODE_EXTRA_CA_CERTS=<its CA file> (for the local fake, the caFile it prints).',
    })
  }
  if (code) {
    return new AzureRequestError(`Could not reach Azure at ${host} for ${where(scope)} (${code}).`, code, 0, action, {
      code: 'unreachable',
      fix: scope.endpoint ? `Check that the endpoint in targets.${scope.targetName}.endpoint (and AZURE_AUTHORITY_HOST) is running and reachable.` : 'Check the network connection and any proxy settings (HTTPS_PROXY).',
    })
  }
  const name = (error as { name?: string })?.name ?? ''
  if (CREDENTIAL_ERRORS.has(name)) {
    const unavailable = name === 'CredentialUnavailableError'
      || (name === 'AggregateAuthenticationError' && ((error as { errors?: { name?: string }[] }).errors ?? []).every((inner) => inner.name === 'CredentialUnavailableError'))
    return new AzureRequestError(unavailable ? `No Azure credentials were found for ${where(scope)}.` : `Azure refused the credentials for ${where(scope)}.`, name, 401, action, {
      code: 'denied',
      details: [String((error as Error).message ?? '').split('\n')[0]].filter(Boolean),
      fix: unavailable
        ? 'Run `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal (on an Azure VM, give it a managed identity).'
        : 'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (the secret value, not its id, and not expired), or run `az login` again.',
    })
  }
  return error
}

/** Whether a TCP connection to the host of a URL opens within a few seconds. */
export function reachable(url: string, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const { hostname, port, protocol } = new URL(url)
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || (protocol === 'http:' ? 80 : 443)) })
    const done = (ok: boolean) => { socket.destroy(); resolve(ok) }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * The credential wrapped so that its failures cross the same edge: the SDKs
 * ask for tokens in a policy that runs before errorTranslationPolicy sees
 * anything, so a refused secret or an unreachable authority would otherwise
 * arrive as the identity library's own error. The identity library reports
 * an authority it cannot reach as a failed authentication; a connection
 * attempt tells the two apart.
 */
export function guardCredential<C extends { getToken(scopes: string | string[], options?: object): Promise<unknown> }>(credential: C, scope: ErrorScope): C {
  const authority = scope.authorityHost ?? 'https://login.microsoftonline.com'
  return {
    ...credential,
    getToken: async (scopes: string | string[], options?: object) => {
      try {
        return await credential.getToken(scopes, options)
      } catch (error) {
        const translated = translateThrown(error, 'POST', `${authority.replace(/\/+$/, '')}/oauth2/v2.0/token`, scope)
        if (translated instanceof AzureRequestError && translated.options.code === 'denied' && !(await reachable(authority))) {
          throw new AzureRequestError(`Could not reach the identity platform at ${authority} for ${where(scope)}.`, 'AuthorityUnreachable', 0, translated.action, {
            code: 'unreachable',
            fix: scope.authorityHost ? 'Check that AZURE_AUTHORITY_HOST names a running authority.' : 'Check the network connection and any proxy settings (HTTPS_PROXY).',
          })
        }
        throw translated
      }
    },
  } as C
}

interface PolicyRequest { method: string; url: string }
interface PolicyResponse { status: number; bodyAsText?: string | null; headers: { get(name: string): string | undefined } }

export interface RetryBudget {
  /** retries of a 429 that came without Retry-After (the SDK retries those with one itself) */
  maxRetries: number
  /** first wait, doubled each time */
  delayMs: number
  sleep?: (ms: number) => Promise<void>
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * The per-call policy every client carries (see createClients). Azure's
 * RetryableError 429s (a dependency still provisioning) come without
 * Retry-After, which the SDK's policies do not retry: this one retries
 * them, bounded, before translating what is left.
 */
export function errorTranslationPolicy(scope: ErrorScope, budget: RetryBudget = { maxRetries: 0, delayMs: 0 }) {
  return {
    name: 'stratoErrorTranslation',
    async sendRequest<Req extends PolicyRequest, Res extends PolicyResponse>(request: Req, next: (request: Req) => Promise<Res>): Promise<Res> {
      for (let attempt = 0; ; attempt++) {
        let response: Res
        try {
          response = await next(request)
        } catch (error) {
          throw translateThrown(error, request.method, request.url, scope)
        }
        if (response.status === 429 && !response.headers.get('retry-after') && attempt < budget.maxRetries) {
          await (budget.sleep ?? pause)(budget.delayMs * 2 ** attempt)
          continue
        }
        if (response.status >= 400) {
          throw translateResponse(response.status, response.bodyAsText ?? undefined, request.method, request.url, scope, response.headers.get('retry-after'))
        }
        return response
      }
    },
  }
}
