/**
 * The fake's Compute Engine state: resources by collection path
 * ("projects/P/global/healthChecks"), operations, and the clock settings the
 * simulation runs on. Links are written the way the real API writes them
 * (https://www.googleapis.com/compute/v1/...); references in requests are
 * accepted in every form the API accepts (full URL on any host and version,
 * "projects/P/...", "global/...", "regions/R/...").
 */
import { createHash, randomBytes } from 'node:crypto'
import { alreadyExists, invalid, notFound } from './http-errors.ts'

export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1/'

export interface FakeTiming {
  /** how long a mutation's operation stays RUNNING */
  operationMs: number
  /** from creation until an instance is RUNNING */
  bootMs: number
  /** from RUNNING until it passes its health check */
  healthyMs: number
  /** from the start of a deletion until the instance is gone */
  deleteMs: number
  /** the longest an operations `wait` call blocks (the real API: about 2 minutes) */
  waitCapMs: number
}

export const TEST_TIMING: FakeTiming = { operationMs: 20, bootMs: 60, healthyMs: 60, deleteMs: 30, waitCapMs: 2_000 }

export type Resource = Record<string, unknown> & { name: string; id: string; selfLink: string; kind: string; creationTimestamp: string }

export interface Operation {
  kind: 'compute#operation'
  id: string
  name: string
  operationType: string
  targetLink: string
  targetId: string
  status: 'PENDING' | 'RUNNING' | 'DONE'
  progress: number
  insertTime: string
  startTime: string
  endTime?: string
  selfLink: string
  user: string
  region?: string
  zone?: string
  error?: { errors: { code: string; message: string }[] }
  httpErrorStatusCode?: number
  httpErrorMessage?: string
  /** when it turns DONE (not part of the answer) */
  doneAt: number
  requestId?: string
}

/** An operation that ends in error instead of applying its change (a fault). */
export interface OperationFailure { code: string; message: string; httpStatus?: number }

export function link(relative: string): string {
  return `${COMPUTE_BASE}${relative}`
}

/** "projects/P/global/x/y" for any form of reference; `project` fills in the short forms. */
export function relativeOf(reference: string, project: string): string {
  const url = /^https?:\/\/[^/]+\/compute\/(?:v1|beta|alpha)\/(.+)$/.exec(reference)
  let path = url ? url[1] : reference.replace(/^\/+/, '')
  if (/^(global|regions|zones)\//.test(path)) path = `projects/${project}/${path}`
  return path.split('?')[0]
}

export const lastSegment = (reference: string) => reference.split('/').pop() ?? reference

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).update(randomBytes(4)).digest('base64').slice(0, 12)
}

const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/

export class ComputeStore {
  timing: FakeTiming
  readonly collections = new Map<string, Map<string, Resource>>()
  readonly operations = new Map<string, Operation>()
  /** operations by the requestId of the call that started them, so a retried call gets the same operation */
  readonly byRequestId = new Map<string, Operation>()
  private nextId = 1_000_000_000_000_000n
  /** the identity operations report as their user */
  user = 'strato-fake@example.iam.gserviceaccount.com'

  constructor(timing: FakeTiming) {
    this.timing = timing
  }

  newId(): string {
    this.nextId += 1n + BigInt(Math.floor(Math.random() * 1000))
    return this.nextId.toString()
  }

  collection(path: string): Map<string, Resource> {
    let found = this.collections.get(path)
    if (!found) {
      found = new Map()
      this.collections.set(path, found)
    }
    return found
  }

  get(path: string, name: string): Resource {
    const found = this.find(path, name)
    if (!found) throw notFound(`${path}/${name}`)
    return found
  }

  find(path: string, name: string): Resource | undefined {
    const found = this.collections.get(path)?.get(name)
    // every project has its default network; other networks are not modelled
    if (!found && name === 'default' && /^projects\/[^/]+\/global\/networks$/.test(path)) return defaultNetwork(path)
    return found
  }

  /** The resource a reference points at, or undefined. */
  resolve(reference: string, project: string): Resource | undefined {
    const relative = relativeOf(reference, project)
    const cut = relative.lastIndexOf('/')
    return this.find(relative.slice(0, cut), relative.slice(cut + 1))
  }

  /** A new resource's common fields; refuses bad and duplicate names as the API does. */
  prepare(path: string, kind: string, body: Record<string, unknown>): Resource {
    const name = body.name
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw invalid(`Invalid value for field 'resource.name': '${String(name)}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`)
    }
    if (this.find(path, name)) throw alreadyExists(`${path}/${name}`)
    return {
      ...body,
      kind,
      id: this.newId(),
      name,
      creationTimestamp: new Date().toISOString(),
      selfLink: link(`${path}/${name}`),
    } as Resource
  }

  put(path: string, resource: Resource): void {
    this.collection(path).set(resource.name, withoutEmptyLists(resource))
  }

  remove(path: string, name: string): void {
    this.collections.get(path)?.delete(name)
  }

  /**
   * Starts an operation on `target`. The change is applied now unless the
   * operation is to fail; either way the operation reports RUNNING until
   * timing.operationMs has passed.
   */
  operation(input: {
    scope: string
    type: string
    target: Resource | { selfLink: string; id: string }
    apply: () => void
    failure?: OperationFailure
    requestId?: string
  }): Operation {
    if (input.requestId) {
      const earlier = this.byRequestId.get(input.requestId)
      if (earlier) return earlier
    }
    if (!input.failure) input.apply()
    const now = Date.now()
    const name = `operation-${now}-${randomBytes(6).toString('hex')}`
    const scopeParts = /^projects\/[^/]+\/(regions|zones)\/([^/]+)$/.exec(input.scope)
    const op: Operation = {
      kind: 'compute#operation',
      id: this.newId(),
      name,
      operationType: input.type,
      targetLink: input.target.selfLink,
      targetId: input.target.id,
      status: 'RUNNING',
      progress: 0,
      insertTime: new Date(now).toISOString(),
      startTime: new Date(now).toISOString(),
      selfLink: link(`${input.scope}/operations/${name}`),
      user: this.user,
      ...(scopeParts?.[1] === 'regions' ? { region: link(input.scope) } : {}),
      ...(scopeParts?.[1] === 'zones' ? { zone: link(input.scope) } : {}),
      doneAt: now + this.timing.operationMs,
      requestId: input.requestId,
    }
    if (input.failure) {
      op.error = { errors: [{ code: input.failure.code, message: input.failure.message }] }
      op.httpErrorStatusCode = input.failure.httpStatus ?? 400
      op.httpErrorMessage = input.failure.httpStatus === 403 ? 'FORBIDDEN' : 'BAD REQUEST'
    }
    this.operations.set(`${input.scope}/operations/${name}`, op)
    if (input.requestId) this.byRequestId.set(input.requestId, op)
    return op
  }

  /** The operation as the API shows it now. */
  view(op: Operation): Record<string, unknown> {
    const now = Date.now()
    if (op.status !== 'DONE' && now >= op.doneAt) {
      op.status = 'DONE'
      op.progress = 100
      op.endTime = new Date(op.doneAt).toISOString()
    }
    const { doneAt: _doneAt, requestId: _requestId, ...shown } = op
    return shown
  }

  getOperation(scope: string, name: string): Operation {
    const op = this.operations.get(`${scope}/operations/${name}`)
    if (!op) throw notFound(`${scope}/operations/${name}`)
    return op
  }
}

function defaultNetwork(path: string): Resource {
  return {
    kind: 'compute#network', id: '7000000000000000001', name: 'default', creationTimestamp: '2020-01-01T00:00:00.000-07:00',
    selfLink: link(`${path}/default`), autoCreateSubnetworks: true, description: 'Default network for the project',
    routingConfig: { bgpBestPathSelectionMode: 'LEGACY', routingMode: 'REGIONAL' }, selfLinkWithId: link(`${path}/7000000000000000001`), networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
  }
}

/** The API leaves out empty lists in what it returns, whatever the request sent. */
export function withoutEmptyLists<T extends Record<string, unknown>>(value: T): T {
  for (const [key, item] of Object.entries(value)) {
    if (Array.isArray(item) && item.length === 0) delete value[key]
    else if (Array.isArray(item)) item.forEach((element) => { if (element && typeof element === 'object') withoutEmptyLists(element as Record<string, unknown>) })
    else if (item && typeof item === 'object') withoutEmptyLists(item as Record<string, unknown>)
  }
  return value
}
