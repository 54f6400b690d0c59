/**
 * How the gcp provider calls Google: every call goes through `call`, which
 * retries throttling (429) and server errors (5xx) a bounded number of times
 * with exponential backoff and jitter, and turns a final failure into a
 * strato error naming the permission. Mutations carry a request id, so a
 * retried insert never creates twice, and are awaited with the operations
 * `wait` call until DONE (the client's own `.promise()` does not work for
 * compute); an operation that ends in error becomes a strato error too.
 * Monitoring, BigQuery, Secret Manager, IAM and Artifact Registry are plain
 * REST through the auth client: their SDKs would cost seconds to load for a
 * handful of calls.
 */
import { randomUUID } from 'node:crypto'
import type { protos } from '@google-cloud/compute'
import type { AuthClient } from 'google-auth-library'
import { UserError } from '../../src/errors.js'
import { createComputeClients, endpointOverride, type ComputeClients } from './compute-clients.js'
import { classify, isGcpError, isRetryable, translateGcpError, type ErrorScope } from './errors.js'
import { API, CALLS, type CallName } from './permissions.js'

export type Operation = protos.google.cloud.compute.v1.IOperation

export interface RetryPolicy {
  /** tries per call, the first included */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 16_000 }

export interface Clock {
  sleep(ms: number): Promise<void>
  now(): number
}

export const realClock: Clock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
}

/** The delay before retry number `retry` (1-based): doubling from the base, capped, with jitter in [50%, 100%]. */
export function backoffMs(policy: RetryPolicy, retry: number, random = Math.random()): number {
  return Math.round(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)) * (0.5 + random / 2))
}

export interface GcpApiOptions {
  project: string
  region: string
  targetName: string
  endpoint?: string
  /** the client, or how to get it on the first call (a verb that calls nothing then needs no credentials) */
  authClient: AuthClient | (() => Promise<AuthClient>)
  retry?: RetryPolicy
  /** how long a compute operation may run before strato gives up waiting */
  operationTimeoutMs?: number
  clock?: Clock
}

/** A LRO answer of the compute client: the operation is in latestResponse. */
type OperationAnswer = [{ latestResponse: unknown }, ...unknown[]]

/** Options for the clients' listAsync: the async iterators follow page tokens themselves (and warn unless told so). */
export const PAGED = { autoPaginate: false } as const

export interface RestRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** the path after the API's host, e.g. /v3/projects/p/timeSeries */
  path: string
  params?: Record<string, string | number | boolean | undefined>
  data?: unknown
}

export class GcpApi {
  readonly project: string
  readonly region: string
  readonly scope: ErrorScope
  readonly clock: Clock
  private readonly retry: RetryPolicy
  private readonly operationTimeoutMs: number
  private computeClients?: ComputeClients
  private auth?: Promise<AuthClient>
  private authorized?: AuthClient

  constructor(private readonly options: GcpApiOptions) {
    this.project = options.project
    this.region = options.region
    this.scope = { targetName: options.targetName, project: options.project, endpoint: options.endpoint }
    this.retry = options.retry ?? DEFAULT_RETRY
    this.operationTimeoutMs = options.operationTimeoutMs ?? 15 * 60_000
    this.clock = options.clock ?? realClock
  }

  /** The compute clients; used inside call(), which has the credentials by then. */
  get compute(): ComputeClients {
    if (!this.authorized) throw new Error('GcpApi.compute used outside call()')
    this.computeClients ??= createComputeClients(this.authorized, endpointOverride(this.options.endpoint))
    return this.computeClients
  }

  private async credentials(): Promise<AuthClient> {
    const { authClient } = this.options
    this.auth ??= typeof authClient === 'function' ? authClient() : Promise.resolve(authClient)
    this.authorized = await this.auth
    return this.authorized
  }

  /** Runs one call with bounded retries; `run` gets the request id to send (the same on every retry). */
  async call<T>(name: CallName, run: (requestId: string) => Promise<T>): Promise<T> {
    await this.credentials()
    const requestId = randomUUID()
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(requestId)
      } catch (error) {
        if (error instanceof UserError || !isRetryable(classify(error)) || attempt >= this.retry.attempts) {
          throw translateGcpError(error, name, this.scope, attempt)
        }
        await this.clock.sleep(backoffMs(this.retry, attempt))
      }
    }
  }

  /** A read that may find nothing: a 404 is `undefined`. */
  async find<T>(name: CallName, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(name, run)
    } catch (error) {
      if (isGcpError(error, 'notFound')) return undefined
      throw error
    }
  }

  /** Every item of a paged listing (the client follows the page tokens; pass PAGED to its listAsync). */
  async all<T>(name: CallName, list: () => AsyncIterable<T>): Promise<T[]> {
    return this.call(name, async () => {
      const items: T[] = []
      for await (const item of list()) items.push(item)
      return items
    })
  }

  /** A mutation: started with a request id, then awaited until its operation is DONE. */
  async mutate(name: CallName, run: (requestId: string) => Promise<OperationAnswer>): Promise<Operation> {
    const [answer] = await this.call(name, run)
    return this.waitFor(name, answer.latestResponse as Operation)
  }

  /** Waits with the operations `wait` call (it returns within about two minutes, DONE or not) until DONE. */
  async waitFor(name: CallName, started: Operation): Promise<Operation> {
    const deadline = this.clock.now() + this.operationTimeoutMs
    let op = started
    while (op.status !== 'DONE') {
      if (this.clock.now() > deadline) {
        throw new UserError(`Google did not finish ${name} on target "${this.options.targetName}" within ${Math.round(this.operationTimeoutMs / 60_000)} minutes (operation ${op.name}).`, {
          code: 'failure', fix: `Look at the operation with \`gcloud compute operations describe ${op.name}\`, then run the command again.`,
        })
      }
      const region = op.region?.split('/').pop()
      op = region
        ? (await this.call('regionOperations.wait', () => this.compute.regionOperations.wait({ project: this.project, region, operation: String(op.name) })))[0]
        : (await this.call('globalOperations.wait', () => this.compute.globalOperations.wait({ project: this.project, operation: String(op.name) })))[0]
    }
    const failure = op.error?.errors?.[0]
    if (failure) throw operationFailed(name, op, failure, this.scope)
    return op
  }

  /** A plain REST call to one of the non-compute APIs; the answer's JSON body. */
  async rest<T>(name: CallName, request: RestRequest): Promise<T> {
    const base = this.options.endpoint?.replace(/\/+$/, '') ?? `https://${API[CALLS[name].api]}`
    const params = Object.fromEntries(Object.entries(request.params ?? {}).filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)]))
    return this.call(name, async () => {
      const answer = await (await this.credentials()).request<T>({
        url: `${base}${request.path}`, method: request.method ?? 'GET', params, data: request.data, retry: false, responseType: 'json',
      })
      return answer.data
    })
  }

  async close(): Promise<void> {
    await this.computeClients?.close()
  }
}

/** An operation that ended in error, as a strato error; QUOTA_EXCEEDED and permission codes say what to do. */
export function operationFailed(name: CallName, op: Operation, failure: { code?: string | null; message?: string | null }, scope: ErrorScope): UserError {
  const denied = op.httpErrorStatusCode === 403
  const target = op.targetLink?.split('/').slice(-2).join('/') ?? ''
  return new UserError(`Google could not complete ${name} on ${target} for target "${scope.targetName}": ${failure.code}: ${failure.message}`, {
    code: denied ? 'denied' : 'failure',
    data: { call: name, operation: op.name, operationError: failure.code },
    fix: failure.code === 'QUOTA_EXCEEDED' || failure.code?.endsWith('QUOTA_EXCEEDED')
      ? `Ask for more quota in project ${scope.project} (IAM & Admin > Quotas), or lower replicas or the machine type, then deploy again.`
      : denied ? `Grant ${CALLS[name].permission} and the permissions of the resources it refers to, then run the command again.`
        : 'Read Google\'s message; correct the manifest or the project and run the command again.',
  })
}
