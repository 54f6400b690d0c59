/**
 * The edge where API server answers become strato errors: refused
 * credentials and RBAC denials exit 5, an API server that cannot be reached
 * exits 4. Call sites branch on `status`, never on message text.
 */
import { UserError, type ExitCodeName } from '../../src/errors.js'

export class KubeRequestError extends UserError {
  constructor(message: string, readonly status: number, options: { fix?: string; code?: ExitCodeName }) {
    super(message, { ...options, data: { status } })
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'])

export interface ErrorScope {
  targetName: string
  server: string
  namespace: string
}

/** The HTTP status of a failed client call, 0 when no answer came. */
export function statusOf(error: unknown): number {
  const raw = error as { code?: unknown; statusCode?: unknown; response?: { httpStatusCode?: number } }
  if (typeof raw?.code === 'number') return raw.code
  if (typeof raw?.statusCode === 'number') return raw.statusCode
  return 0
}

function networkCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return current.code
    current = current.cause as typeof current
  }
  return undefined
}

/** The machine-readable causes of a refusal (Status.details.causes[].reason), e.g. NamespaceTerminating. */
function causesOf(error: unknown): string[] {
  const body = (error as { body?: unknown })?.body
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { details?: { causes?: { reason?: string }[] } } | undefined
    return (parsed?.details?.causes ?? []).map((cause) => cause.reason ?? '')
  } catch {
    return []
  }
}

function reasonOf(error: unknown): string {
  const body = (error as { body?: unknown })?.body
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) as { message?: string } : body as { message?: string } | undefined
    if (parsed?.message) return parsed.message
  } catch { /* not JSON */ }
  return error instanceof Error ? error.message.split('\n')[0] : String(error)
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeRequestError ? error.status === 404 : statusOf(error) === 404
}

/** The strato error for one failed call; `what` says what strato was doing ("list Deployments"). */
export function translateKubeError(error: unknown, what: string, scope: ErrorScope): unknown {
  if (error instanceof UserError) return error
  const where = `target "${scope.targetName}" (${scope.server})`
  const code = networkCode(error)
  if (code) {
    return new KubeRequestError(`The Kubernetes API server of ${where} could not be reached (${code}) to ${what}.`, 0, {
      code: 'unreachable',
      fix: 'Check that the cluster is running and that the kubeconfig context points at it (`kubectl cluster-info --context ...`); a VPN or proxy may be needed.',
    })
  }
  const status = statusOf(error)
  if (status === 401) {
    return new KubeRequestError(`The Kubernetes API server of ${where} refused the credentials to ${what}.`, status, {
      code: 'denied',
      fix: 'Refresh the kubeconfig\'s credentials (an expired token or client certificate), or pick another context with targets.<name>.context.',
    })
  }
  if (status === 403 && causesOf(error).includes('NamespaceTerminating')) {
    return new KubeRequestError(`Namespace ${scope.namespace} of ${where} is being deleted, so nothing can be created in it (${what}).`, status, {
      code: 'conflict',
      fix: 'Wait until the namespace is gone (`kubectl get namespace`), then run the command again.',
    })
  }
  if (status === 403) {
    return new KubeRequestError(`Permission denied to ${what} in namespace ${scope.namespace} of ${where}: ${reasonOf(error)}.`, status, {
      code: 'denied',
      fix: 'Bind the Role strato needs (providers/kubernetes/README.md, "RBAC") to the user or service account of this context, then run the command again.',
    })
  }
  if (status === 409) {
    return new KubeRequestError(`A conflict stopped strato to ${what} on ${where}: ${reasonOf(error)}.`, status, {
      code: 'conflict',
      fix: 'Another tool changed the same fields; run the command again, or remove that tool\'s ownership of the object.',
    })
  }
  if (status === 422 || status === 400) {
    return new KubeRequestError(`The Kubernetes API server of ${where} rejected what strato sent to ${what}: ${reasonOf(error)}.`, status, {
      code: 'failure',
      fix: 'Check the service settings in strato.yaml that this object comes from; `strato export kubernetes` shows the objects strato writes.',
    })
  }
  if (status >= 500 || status === 429) {
    return new KubeRequestError(`The Kubernetes API server of ${where} failed to ${what} (HTTP ${status}) after every retry.`, status, {
      code: 'failure',
      fix: 'Wait a minute and run the command again; if it persists, check the API server\'s health (`kubectl get --raw /readyz`).',
    })
  }
  return error
}
