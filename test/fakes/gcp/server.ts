/**
 * A stateful fake of the Google Cloud APIs strato's gcp provider calls, over
 * plain http on 127.0.0.1 (the compute client's REST fallback mode). Every
 * API call needs a bearer token the fake's own token endpoint issued.
 * Faults are injected through POST /__fake/faults; the state is seeded,
 * inspected and reset through the other /__fake routes (see README.md).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { addComputeRoutes, type ComputeFaults } from './compute-api.ts'
import { ComputeStore, type FakeTiming, TEST_TIMING } from './compute-store.ts'
import { addGoogleApiRoutes, type ApiState, type BillingRow, issueToken, newApiState, registerKey, type SeededSeries } from './google-apis.ts'
import { alreadyExists, computeError, FakeHttpError, fingerprintMismatch, permissionDenied, transientError, unauthenticated } from './http-errors.ts'
import { seedGroups, type SeedRequest } from './seed.ts'
import { FilterSyntaxError } from './list-filter.ts'
import { Router, type FakeRequest } from './router.ts'

/** One injected fault; `times` limits how often it fires (default: until cleared). */
export type FaultRule =
  | { kind: 'status'; status: number; method?: string; path?: string; times?: number }
  | { kind: 'deny'; permission: string; times?: number }
  | { kind: 'operation'; operationType?: string; target?: string; code?: string; message?: string; times?: number }
  | { kind: 'unhealthy'; template?: string; metadata?: string }
  | { kind: 'credentials' }

export interface LoggedRequest { method: string; path: string; query: Record<string, string>; status: number; body?: unknown; /** when it arrived, ms since the epoch */ at: number }

export interface GcpFakeOptions {
  host?: string
  port?: number
  timing?: Partial<FakeTiming>
}

export interface GcpFake {
  endpoint: string
  port: number
  /** the fake's own service-account key (registered), for the CLI's credential chain */
  keyFile(): Record<string, string>
  /** the calls so far, read in this process (the /__fake/requests route gives the same over http) */
  requests(): readonly LoggedRequest[]
  close(): Promise<void>
}

/** The error a 'status' fault answers with, in the API's own form. */
function faultError(status: number, path: string): FakeHttpError {
  const api = path.startsWith('/compute/') ? 'compute' : 'other'
  if (status === 429 || status >= 500) return transientError(status, api)
  if (status === 409) return alreadyExists(path.replace(/^\/compute\/v1\//, ''))
  if (status === 412) return fingerprintMismatch()
  if (status === 403) return permissionDenied('unknown', path, api, 'googleapis.com')
  return computeError(status, 'invalid', `The fake was told to answer ${status}.`)
}

class FakeState {
  readonly compute: ComputeStore
  readonly apis: ApiState = newApiState()
  faults: FaultRule[] = []
  log: LoggedRequest[] = []
  readonly ownKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  readonly ownEmail = 'strato-fake@fake-project.iam.gserviceaccount.com'
  private readonly baseTiming: FakeTiming

  constructor(timing: FakeTiming) {
    this.baseTiming = timing
    this.compute = new ComputeStore({ ...timing })
    this.reset()
  }

  reset(): void {
    this.compute.collections.clear()
    this.compute.operations.clear()
    this.compute.byRequestId.clear()
    this.compute.timing = { ...this.baseTiming }
    const { keys, tokens } = this.apis
    Object.assign(this.apis, newApiState(), { keys, tokens })
    this.apis.keys.set(this.ownEmail, this.ownKey.publicKey)
    this.faults = []
    this.log = []
  }

  /** Takes one firing of the first rule `accept` approves, removing it when its count runs out. */
  take<K extends FaultRule['kind']>(kind: K, accept: (rule: Extract<FaultRule, { kind: K }>) => boolean): Extract<FaultRule, { kind: K }> | undefined {
    const index = this.faults.findIndex((rule) => rule.kind === kind && accept(rule as Extract<FaultRule, { kind: K }>))
    if (index < 0) return undefined
    const rule = this.faults[index] as Extract<FaultRule, { kind: K }> & { times?: number }
    if (rule.times !== undefined) {
      rule.times -= 1
      if (rule.times <= 0) this.faults.splice(index, 1)
    }
    return rule
  }

  computeFaults(): ComputeFaults {
    return {
      operationFailure: (type, target) => {
        const rule = this.take('operation', (candidate) =>
          (!candidate.operationType || candidate.operationType === type) && (!candidate.target || new RegExp(candidate.target).test(target)))
        return rule ? { code: rule.code ?? 'QUOTA_EXCEEDED', message: rule.message ?? `Quota 'CPUS' exceeded. Limit: 8.0 in region.` } : undefined
      },
      unhealthyTemplate: (template) => {
        const name = template.split('/').pop() ?? template
        const metadata = JSON.stringify((this.compute.find(template.slice(0, template.lastIndexOf('/')), name)?.properties as { metadata?: unknown } | undefined)?.metadata ?? {})
        return this.faults.some((rule) => rule.kind === 'unhealthy'
          && (rule.template === undefined || new RegExp(rule.template).test(name))
          && (rule.metadata === undefined || metadata.includes(rule.metadata)))
      },
    }
  }
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  if (String(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text))
  try {
    const parsed = JSON.parse(text) as unknown
    return parsed && typeof parsed === 'object' ? parsed as Record<string, unknown> : {}
  } catch {
    throw computeError(400, 'parseError', 'Parse Error')
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers })
  response.end(text)
}

function control(state: FakeState, endpoint: () => string, request: FakeRequest): unknown {
  const route = `${request.method} ${request.path.slice('/__fake'.length)}`
  switch (route) {
    case 'GET /health': return { ok: true }
    case 'POST /reset': state.reset(); return { ok: true }
    case 'POST /timing': Object.assign(state.compute.timing, request.body); return state.compute.timing
    case 'POST /faults': state.faults.push(...((request.body.rules ?? [request.body]) as FaultRule[])); return { faults: state.faults }
    case 'DELETE /faults': state.faults = []; return { faults: [] }
    case 'GET /faults': return { faults: state.faults }
    case 'POST /credentials': state.apis.refuseCredentials = Boolean(request.body.refuse); return { refuse: state.apis.refuseCredentials }
    case 'POST /keys': registerKey(state.apis, String(request.body.clientEmail), String(request.body.publicKeyPem)); return { ok: true }
    case 'GET /key-file': return keyFile(state, endpoint())
    case 'POST /token': {
      const token = `ya29.fake-${randomBytes(24).toString('base64url')}`
      state.apis.tokens.set(token, { email: state.ownEmail, expiresAt: Date.now() + 3_600_000 })
      return { access_token: token }
    }
    case 'POST /seed': return seedGroups(state.compute, request.body as unknown as SeedRequest)
    case 'POST /metrics': state.apis.series.push(...((request.body.series ?? []) as SeededSeries[])); return { series: state.apis.series.length }
    case 'POST /billing': {
      const table = String(request.body.table)
      state.apis.billing.set(table, [...(state.apis.billing.get(table) ?? []), ...((request.body.rows ?? []) as BillingRow[])])
      return { rows: state.apis.billing.get(table)!.length }
    }
    case 'GET /requests': return { requests: state.log }
    case 'DELETE /requests': state.log = []; return { requests: [] }
    case 'GET /state': return stateSummary(state)
    default: throw computeError(404, 'notFound', `No fake control route ${route}`)
  }
}

function keyFile(state: FakeState, endpoint: string): Record<string, string> {
  return {
    type: 'service_account',
    project_id: 'fake-project',
    private_key_id: 'fake-key',
    private_key: state.ownKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: state.ownEmail,
    client_id: '100000000000000000000',
    token_uri: `${endpoint}/token`,
  }
}

/** Resource names per collection, secrets and service accounts: what a test checks after destroy. */
function stateSummary(state: FakeState): Record<string, string[]> {
  const summary: Record<string, string[]> = {}
  for (const [path, items] of state.compute.collections) if (items.size) summary[path] = [...items.keys()].sort()
  if (state.apis.secrets.size) summary.secrets = [...state.apis.secrets.keys()].sort()
  if (state.apis.serviceAccounts.size) summary.serviceAccounts = [...state.apis.serviceAccounts.keys()].sort()
  return summary
}

export async function startGcpFake(options: GcpFakeOptions = {}): Promise<GcpFake> {
  const state = new FakeState({ ...TEST_TIMING, ...options.timing })
  const router = new Router()
  addComputeRoutes(router, { store: state.compute, unhealthyTemplates: (template) => state.computeFaults().unhealthyTemplate(template), faults: state.computeFaults() })
  addGoogleApiRoutes(router, state.apis)
  let endpoint = ''

  const server = createServer((request, response) => {
    void (async () => {
      const at = Date.now()
      const url = new URL(request.url ?? '/', 'http://fake')
      const query: Record<string, string> = Object.fromEntries(url.searchParams)
      let status = 200
      let body: unknown
      let fakeRequest: FakeRequest | undefined
      try {
        fakeRequest = { method: request.method ?? 'GET', path: url.pathname, params: {}, query: url.searchParams, body: await readBody(request), headers: request.headers }
        if (url.pathname.startsWith('/__fake/')) {
          send(response, 200, control(state, () => endpoint, fakeRequest))
          return
        }
        if (url.pathname === '/token' && request.method === 'POST') {
          body = issueToken(state.apis, fakeRequest.body).body
        } else {
          const matched = router.match(fakeRequest.method, url.pathname)
          const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1]
          const issued = token ? state.apis.tokens.get(token) : undefined
          if (!issued || issued.expiresAt < Date.now() || state.faults.some((rule) => rule.kind === 'credentials')) throw unauthenticated()
          const transient = state.take('status', (rule) => (!rule.method || rule.method === fakeRequest!.method) && (!rule.path || new RegExp(rule.path).test(url.pathname)))
          if (transient) throw faultError(transient.status, url.pathname)
          if (!matched) throw computeError(404, 'notFound', `The fake has no route for ${fakeRequest.method} ${url.pathname}`)
          fakeRequest.params = matched.params
          const permission = typeof matched.route.permission === 'function' ? matched.route.permission(matched.params) : matched.route.permission
          if (state.take('deny', (rule) => rule.permission === permission)) {
            throw permissionDenied(permission, url.pathname.replace(/^\/(compute\/v1|v1|v3|bigquery\/v2)\//, ''), matched.route.api, matched.route.domain)
          }
          const answer = await matched.route.handle(fakeRequest)
          status = answer.status ?? 200
          body = answer.body
        }
      } catch (error) {
        if (error instanceof FakeHttpError) {
          status = error.status
          body = error.body
        } else if (error instanceof FilterSyntaxError) {
          status = 400
          body = computeError(400, 'invalid', error.message).body
        } else {
          status = 500
          body = { error: { code: 500, message: `fake bug: ${(error as Error).stack}` } }
        }
      }
      state.log.push({ method: request.method ?? 'GET', path: url.pathname, query, status, at, ...(fakeRequest?.body && Object.keys(fakeRequest.body).length ? { body: fakeRequest.body } : {}) })
      send(response, status, body)
    })()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  endpoint = `http://${options.host ?? '127.0.0.1'}:${port}`
  return {
    endpoint,
    port,
    keyFile: () => keyFile(state, endpoint),
    requests: () => state.log,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
