/**
 * The Google APIs around Compute Engine that a deployment touches: the OAuth
 * token endpoint (service-account JWT assertions, verified with the key's
 * public half), Cloud Monitoring time series, a BigQuery jobs.query answer
 * for the billing export, Secret Manager, IAM service accounts, and IAM
 * policies on secrets and Artifact Registry repositories.
 */
import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto'
import { apiError, FakeHttpError } from './http-errors.ts'
import { parseFilter, termHolds } from './list-filter.ts'
import type { FakeRequest, FakeResponse, Router } from './router.ts'

export interface IssuedToken { email: string; expiresAt: number }

export interface SeededSeries {
  metricType: string
  resourceType?: string
  resourceLabels?: Record<string, string>
  metricLabels?: Record<string, string>
  userLabels?: Record<string, string>
  points: { at: string; value: number }[]
}

export interface BillingRow {
  usage_start_time: string
  cost: number
  currency: string
  labels: { key: string; value: string }[]
  credits?: { amount: number }[]
}

export interface ApiState {
  keys: Map<string, KeyObject>
  tokens: Map<string, IssuedToken>
  refuseCredentials: boolean
  series: SeededSeries[]
  billing: Map<string, BillingRow[]>
  secrets: Map<string, { secret: Record<string, unknown>; versions: { name: string; data: string; createTime: string }[] }>
  serviceAccounts: Map<string, Record<string, unknown>>
  policies: Map<string, { bindings: { role: string; members: string[] }[]; etag: string; version: number }>
  /** finished query jobs, for getQueryResults */
  jobs: Map<string, Record<string, unknown>>
}

export function newApiState(): ApiState {
  return { keys: new Map(), tokens: new Map(), refuseCredentials: false, series: [], billing: new Map(), secrets: new Map(), serviceAccounts: new Map(), policies: new Map(), jobs: new Map() }
}

/** A stable 12-digit project number per project id (Secret Manager names secrets by number). */
export function projectNumber(project: string): string {
  return String(BigInt(`0x${createHash('sha256').update(project).digest('hex').slice(0, 12)}`) % 900_000_000_000n + 100_000_000_000n)
}

const TOKEN_LIFETIME_S = 3599

function oauthError(error: string, description: string): FakeHttpError {
  return new FakeHttpError(400, { error, error_description: description })
}

/** POST /token: the jwt-bearer grant a service-account key makes. */
export function issueToken(state: ApiState, body: Record<string, unknown>): FakeResponse {
  if (body.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') throw oauthError('unsupported_grant_type', 'Invalid grant_type: ' + String(body.grant_type))
  const parts = String(body.assertion ?? '').split('.')
  if (parts.length !== 3) throw oauthError('invalid_request', 'Invalid JWT: the assertion is not a signed JWT.')
  const [header, payload, signature] = parts
  let claims: { iss?: string; exp?: number; iat?: number; scope?: string }
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string }).alg
    if (alg !== 'RS256') throw new Error(alg)
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  } catch {
    throw oauthError('invalid_request', 'Invalid JWT: unreadable header or claims.')
  }
  const key = claims.iss ? state.keys.get(claims.iss) : undefined
  if (!key || state.refuseCredentials || !verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) {
    throw oauthError('invalid_grant', 'Invalid JWT Signature.')
  }
  const now = Math.floor(Date.now() / 1000)
  if (!claims.exp || claims.exp < now || (claims.iat ?? 0) > now + 300) throw oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.')
  const token = `ya29.fake-${randomBytes(24).toString('base64url')}`
  state.tokens.set(token, { email: claims.iss!, expiresAt: Date.now() + TOKEN_LIFETIME_S * 1000 })
  return { body: { access_token: token, expires_in: TOKEN_LIFETIME_S, token_type: 'Bearer' } }
}

export function registerKey(state: ApiState, clientEmail: string, publicKeyPem: string): void {
  state.keys.set(clientEmail, createPublicKey(publicKeyPem))
}

// ---------------------------------------------------------------- Monitoring

function seriesValue(series: SeededSeries, path: string[]): string | undefined {
  const [head, second, third] = path
  if (head === 'metric' && second === 'type') return series.metricType
  if (head === 'resource' && second === 'type') return series.resourceType
  if (head === 'resource' && second === 'labels') return series.resourceLabels?.[third]
  if (head === 'metric' && second === 'labels') return series.metricLabels?.[third]
  if (head === 'metadata' && second === 'user_labels') return series.userLabels?.[third]
  return undefined
}

function secondsOf(duration: string | null, fallback: number): number {
  const match = /^(\d+)s$/.exec(duration ?? '')
  return match ? Number(match[1]) : fallback
}

/** GET /v3/projects/P/timeSeries: seeded series that match the filter, aligned and reduced as asked, newest point first. */
function listTimeSeries(state: ApiState, request: FakeRequest): FakeResponse {
  const terms = parseFilter(request.query.get('filter') ?? undefined)
  if (!terms.some((term) => term.path.join('.') === 'metric.type')) throw apiError(400, 'Field filter had an invalid value: a metric.type restriction is required.')
  const start = Date.parse(request.query.get('interval.startTime') ?? '') || 0
  const end = Date.parse(request.query.get('interval.endTime') ?? '') || Date.now()
  const period = secondsOf(request.query.get('aggregation.alignmentPeriod'), 60) * 1000
  const reducer = request.query.get('aggregation.crossSeriesReducer')
  const aligner = request.query.get('aggregation.perSeriesAligner') ?? 'ALIGN_NONE'
  const matching = state.series.filter((series) => terms.every((term) => termHolds(term, seriesValue(series, term.path))))
  const align = (series: SeededSeries) => {
    const buckets = new Map<number, number[]>()
    for (const point of series.points) {
      const at = Date.parse(point.at)
      if (at < start || at > end) continue
      const bucket = Math.floor(at / period) * period
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), point.value])
    }
    const aligned = new Map<number, number>()
    for (const [bucket, values] of buckets) {
      const sum = values.reduce((total, value) => total + value, 0)
      aligned.set(bucket, aligner === 'ALIGN_SUM' ? sum : aligner === 'ALIGN_RATE' ? sum / (period / 1000) : sum / values.length)
    }
    return aligned
  }
  const toPoints = (aligned: Map<number, number>) => [...aligned.entries()].sort((a, b) => b[0] - a[0]).map(([bucket, value]) => ({
    interval: { startTime: new Date(bucket).toISOString(), endTime: new Date(bucket + period).toISOString() }, value: { doubleValue: value },
  }))
  const metricType = matching[0]?.metricType
  let timeSeries: Record<string, unknown>[]
  if (reducer && reducer !== 'REDUCE_NONE') {
    const combined = new Map<number, number[]>()
    for (const series of matching) for (const [bucket, value] of align(series)) combined.set(bucket, [...(combined.get(bucket) ?? []), value])
    const reduced = new Map([...combined].map(([bucket, values]) => [bucket, reducer === 'REDUCE_SUM' ? values.reduce((a, b) => a + b, 0) : values.reduce((a, b) => a + b, 0) / values.length]))
    timeSeries = reduced.size ? [{ metric: { type: metricType }, resource: { type: matching[0].resourceType ?? 'global', labels: { project_id: request.params.project } }, metricKind: 'GAUGE', valueType: 'DOUBLE', points: toPoints(reduced) }] : []
  } else {
    timeSeries = matching.map((series) => ({
      metric: { type: series.metricType, labels: series.metricLabels ?? {} },
      resource: { type: series.resourceType ?? 'global', labels: { project_id: request.params.project, ...series.resourceLabels } },
      metricKind: 'GAUGE', valueType: 'DOUBLE', points: toPoints(align(series)),
    })).filter((series) => series.points.length > 0)
  }
  return { body: { ...(timeSeries.length ? { timeSeries } : {}), unit: '' } }
}

// ---------------------------------------------------------------- BigQuery

interface QueryParameter { name: string; parameterType: { type: string }; parameterValue: { value: string } }

/**
 * POST /bigquery/v2/projects/P/queries. The fake runs no SQL: it answers the
 * billing-export query strato sends (cost per period and strato-service
 * label, filtered by strato-project) over seeded rows, reading the table from
 * FROM and the bounds from the named parameters @start, @end, @project and
 * @monthly; any other query is refused.
 */
function runQuery(state: ApiState, request: FakeRequest): FakeResponse {
  const query = String(request.body.query ?? '')
  const table = /FROM\s+`([^`]+)`/i.exec(query)?.[1]
  const parameters = new Map(((request.body.queryParameters ?? []) as QueryParameter[]).map((parameter) => [parameter.name, parameter.parameterValue.value]))
  if (!table || !['start', 'end', 'project', 'monthly'].every((name) => parameters.has(name)) || !/strato-service/.test(query)) {
    throw apiError(400, 'The fake answers only the billing export query strato sends (named parameters @start, @end, @project, @monthly).')
  }
  const rows = state.billing.get(table)
  if (!rows) throw apiError(404, `Not found: Table ${table.replace('.', ':')} was not found in location US`)
  const start = Date.parse(parameters.get('start')!)
  const end = Date.parse(parameters.get('end')!)
  const monthly = parameters.get('monthly') === 'true'
  const groups = new Map<string, { period: string; service: string | null; cost: number; currency: string }>()
  for (const row of rows) {
    const at = Date.parse(row.usage_start_time)
    if (at < start || at >= end) continue
    if (!row.labels.some((label) => label.key === 'strato-project' && label.value === parameters.get('project'))) continue
    const period = monthly ? `${row.usage_start_time.slice(0, 7)}-01` : row.usage_start_time.slice(0, 10)
    const service = row.labels.find((label) => label.key === 'strato-service')?.value ?? null
    const key = `${period}|${service}|${row.currency}`
    const group = groups.get(key) ?? { period, service, cost: 0, currency: row.currency }
    group.cost += row.cost + (row.credits ?? []).reduce((sum, credit) => sum + credit.amount, 0)
    groups.set(key, group)
  }
  const sorted = [...groups.values()].sort((a, b) => a.period.localeCompare(b.period) || String(a.service).localeCompare(String(b.service)))
  const jobId = `job_${randomBytes(8).toString('hex')}`
  const answer = {
    body: {
      kind: 'bigquery#queryResponse',
      schema: { fields: [
        { name: 'period', type: 'STRING', mode: 'NULLABLE' }, { name: 'service', type: 'STRING', mode: 'NULLABLE' },
        { name: 'cost', type: 'FLOAT', mode: 'NULLABLE' }, { name: 'currency', type: 'STRING', mode: 'NULLABLE' },
      ] },
      jobReference: { projectId: request.params.project, jobId, location: 'US' },
      totalRows: String(sorted.length),
      ...(sorted.length ? { rows: sorted.map((group) => ({ f: [{ v: group.period }, { v: group.service }, { v: String(Math.round(group.cost * 1e6) / 1e6) }, { v: group.currency }] })) } : {}),
      totalBytesProcessed: '0',
      jobComplete: true,
      cacheHit: false,
    },
  }
  state.jobs.set(jobId, answer.body)
  return answer
}

// ---------------------------------------------------------------- Secret Manager, IAM

function policyOf(state: ApiState, resource: string) {
  return state.policies.get(resource) ?? { bindings: [], etag: 'BwYAAAAAAAA=', version: 1 }
}

function setPolicy(state: ApiState, resource: string, body: Record<string, unknown>): FakeResponse {
  const wanted = (body.policy ?? {}) as { bindings?: { role: string; members: string[] }[]; etag?: string }
  const current = policyOf(state, resource)
  if (wanted.etag && wanted.etag !== current.etag) throw apiError(409, 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.')
  const stored = { bindings: wanted.bindings ?? [], etag: Buffer.from(randomBytes(8)).toString('base64'), version: 1 }
  state.policies.set(resource, stored)
  return { body: stored }
}

type Add = (method: string, pattern: string, permission: string, domain: string, handle: (request: FakeRequest) => FakeResponse) => void

export function addGoogleApiRoutes(router: Router, state: ApiState): void {
  const add: Add = (method, pattern, permission, domain, handle) => router.add({ method, pattern, permission, api: 'other', domain, handle })

  add('GET', '/v3/projects/:project/timeSeries', 'monitoring.timeSeries.list', 'monitoring.googleapis.com', (request) => listTimeSeries(state, request))
  add('POST', '/bigquery/v2/projects/:project/queries', 'bigquery.jobs.create', 'bigquery.googleapis.com', (request) => runQuery(state, request))
  add('GET', '/bigquery/v2/projects/:project/queries/:job', 'bigquery.jobs.get', 'bigquery.googleapis.com', (request) => {
    const job = state.jobs.get(request.params.job)
    if (!job) throw apiError(404, `Not found: Job ${request.params.project}:US.${request.params.job}`)
    return { body: { ...job, kind: 'bigquery#getQueryResultsResponse' } }
  })

  const secretName = (request: FakeRequest) => `projects/${projectNumber(request.params.project)}/secrets/${request.params.secret}`
  const secretOf = (request: FakeRequest) => {
    const found = state.secrets.get(secretName(request))
    if (!found) throw apiError(404, `Secret [${secretName(request)}] not found or has no versions.`)
    return found
  }
  const sm = 'secretmanager.googleapis.com'
  add('POST', '/v1/projects/:project/secrets/:secret:addVersion', 'secretmanager.versions.add', sm, (request) => {
    const secret = secretOf(request)
    const data = String(((request.body.payload ?? {}) as { data?: string }).data ?? '')
    const version = { name: `${secretName(request)}/versions/${secret.versions.length + 1}`, data, createTime: new Date().toISOString() }
    secret.versions.push(version)
    return { body: { name: version.name, createTime: version.createTime, state: 'ENABLED', replicationStatus: { automatic: {} } } }
  })
  add('GET', '/v1/projects/:project/secrets/:secret/versions/:version:access', 'secretmanager.versions.access', sm, (request) => {
    const secret = secretOf(request)
    const version = request.params.version === 'latest' ? secret.versions.at(-1) : secret.versions[Number(request.params.version) - 1]
    if (!version) throw apiError(404, `Secret Version [${secretName(request)}/versions/${request.params.version}] not found.`)
    return { body: { name: version.name, payload: { data: version.data } } }
  })
  add('GET', '/v1/projects/:project/secrets/:secret:getIamPolicy', 'secretmanager.secrets.getIamPolicy', sm, (request) => { secretOf(request); return { body: policyOf(state, secretName(request)) } })
  add('POST', '/v1/projects/:project/secrets/:secret:setIamPolicy', 'secretmanager.secrets.setIamPolicy', sm, (request) => { secretOf(request); return setPolicy(state, secretName(request), request.body) })
  add('POST', '/v1/projects/:project/secrets', 'secretmanager.secrets.create', sm, (request) => {
    const id = request.query.get('secretId') ?? ''
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(id)) throw apiError(400, 'Invalid secret id: it must be 1-255 letters, digits, underscores or hyphens.')
    const name = `projects/${projectNumber(request.params.project)}/secrets/${id}`
    if (state.secrets.has(name)) throw apiError(409, `Secret [${name}] already exists.`)
    const secret = { name, replication: request.body.replication ?? { automatic: {} }, createTime: new Date().toISOString(), labels: request.body.labels ?? {}, etag: `"${randomBytes(6).toString('hex')}"` }
    state.secrets.set(name, { secret, versions: [] })
    return { body: secret }
  })
  add('GET', '/v1/projects/:project/secrets', 'secretmanager.secrets.list', sm, (request) => {
    const terms = parseFilter(request.query.get('filter')?.replace(/labels\.([\w-]+)\s*=\s*/g, 'labels.$1 = ') ?? undefined)
    const prefix = `projects/${projectNumber(request.params.project)}/secrets/`
    const secrets = [...state.secrets.values()].map((entry) => entry.secret)
      .filter((secret) => String(secret.name).startsWith(prefix))
      .filter((secret) => terms.every((term) => termHolds(term, term.path[0] === 'labels' ? (secret.labels as Record<string, string>)[term.path[1]] : (secret as Record<string, unknown>)[term.path[0]])))
    return { body: { ...(secrets.length ? { secrets } : {}), totalSize: secrets.length } }
  })
  add('GET', '/v1/projects/:project/secrets/:secret', 'secretmanager.secrets.get', sm, (request) => ({ body: secretOf(request).secret }))
  add('DELETE', '/v1/projects/:project/secrets/:secret', 'secretmanager.secrets.delete', sm, (request) => {
    secretOf(request)
    state.secrets.delete(secretName(request))
    state.policies.delete(secretName(request))
    return { body: {} }
  })

  const iam = 'iam.googleapis.com'
  const accountOf = (request: FakeRequest) => {
    const account = state.serviceAccounts.get(request.params.account)
    if (!account || account.projectId !== request.params.project) throw apiError(404, `Unknown service account`)
    return account
  }
  add('POST', '/v1/projects/:project/serviceAccounts', 'iam.serviceAccounts.create', iam, (request) => {
    const accountId = String(request.body.accountId ?? '')
    if (!/^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/.test(accountId)) throw apiError(400, `Invalid account id ${accountId}: it must be 6-30 lowercase letters, digits or hyphens, starting with a letter.`)
    const email = `${accountId}@${request.params.project}.iam.gserviceaccount.com`
    if (state.serviceAccounts.has(email)) throw apiError(409, `Service account ${accountId} already exists within project projects/${request.params.project}.`)
    const details = (request.body.serviceAccount ?? {}) as Record<string, unknown>
    const uniqueId = projectNumber(email) + '0000000'
    const account = {
      name: `projects/${request.params.project}/serviceAccounts/${email}`, projectId: request.params.project, uniqueId, email,
      displayName: details.displayName ?? '', description: details.description ?? '', etag: 'MDEwMjE5MjA=', oauth2ClientId: uniqueId,
    }
    state.serviceAccounts.set(email, account)
    return { body: account }
  })
  add('GET', '/v1/projects/:project/serviceAccounts', 'iam.serviceAccounts.list', iam, (request) => {
    const accounts = [...state.serviceAccounts.values()].filter((account) => account.projectId === request.params.project)
    return { body: accounts.length ? { accounts } : {} }
  })
  add('GET', '/v1/projects/:project/serviceAccounts/:account', 'iam.serviceAccounts.get', iam, (request) => ({ body: accountOf(request) }))
  add('DELETE', '/v1/projects/:project/serviceAccounts/:account', 'iam.serviceAccounts.delete', iam, (request) => {
    accountOf(request)
    state.serviceAccounts.delete(request.params.account)
    return { body: {} }
  })

  const ar = 'artifactregistry.googleapis.com'
  const repository = (request: FakeRequest) => `projects/${request.params.project}/locations/${request.params.location}/repositories/${request.params.repository}`
  add('GET', '/v1/projects/:project/locations/:location/repositories/:repository:getIamPolicy', 'artifactregistry.repositories.getIamPolicy', ar, (request) => ({ body: policyOf(state, repository(request)) }))
  add('POST', '/v1/projects/:project/locations/:location/repositories/:repository:setIamPolicy', 'artifactregistry.repositories.setIamPolicy', ar, (request) => setPolicy(state, repository(request), request.body))
}
