/**
 * The gcp provider and its fake checked against real Compute Engine traffic
 * recorded by another public project (../shared/recordings/gcp, read here,
 * never copied; see its README for what each file covers).
 *
 * 1. Replay: every recorded call the provider makes is made again through
 *    the real compute client against a server that answers with the
 *    recorded response. The client must send the recorded request (method,
 *    path, body), decode every recorded field, and the provider's own
 *    reading (errors by kind, operations, groups) must understand it.
 * 2. Shapes: the same calls, in the recorded order, are sent to the fake;
 *    its answers must have the recorded status and the same JSON shape
 *    (field paths and types, `kind`, an operation's status and type).
 *
 * Calls the provider never makes (networks, images, unmanaged groups,
 * instances by name, TCP proxies, labels, storage) are listed, not checked.
 * Zonal groups and autoscalers are checked as regional ones: the recordings
 * have only zonal autoscalers, and the API gives both the same schema with
 * `region` for `zone`.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OAuth2Client } from 'google-auth-library'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GcpApi, type Operation } from '../../providers/gcp/api.js'
import type { ComputeClients } from '../../providers/gcp/compute-clients.js'
import { isGcpError, type GcpRequestError } from '../../providers/gcp/errors.js'
import { diskFact, firewallFact, instanceFact } from '../../providers/gcp/facts.js'
import { readGroup } from '../../providers/gcp/group-state.js'
import { regionSubnet } from '../../providers/gcp/internal-balancer.js'
import type { CallName } from '../../providers/gcp/permissions.js'
import { startTestFake, type TestFake } from '../helpers/gcp-fake.js'
import { gcpRecordings, type HttpLogInteraction as Interaction } from '../helpers/recordings.js'

const PROJECT = 'rec-project'
const REGION = 'us-central1'

/** Placeholder values: valid Compute Engine names, the default network for networks the fake does not model. */
function substitute(text: string): string {
  // an operation's targetId is the target's numeric id, which the recordings replaced by a placeholder
  return text.replace(/"targetId": "\$\{\w+\}"/g, '"targetId": "1000000000000000001"').replace(/\$\{(\w+)\}/g, (_whole, name: string) => {
    if (name === 'projectId') return PROJECT
    if (name === 'projectNumber') return '123456789012'
    if (name === 'networkID') return 'default'
    if (name === 'uniqueId') return 'u1'
    if (name === 'operationID') return 'operation-recorded'
    return name.replace(/ID$/, '').toLowerCase()
  })
}

/** Zonal groups, autoscalers and their operations as regional ones (same schema, `region` for `zone`). */
function regionalize(interaction: Interaction): Interaction {
  if (!/\/zones\/us-central1-a\/(instanceGroupManagers|autoscalers|operations)/.test(interaction.url.pathname)) return interaction
  const rewrite = (text: string) => text
    .replace(/zones\/us-central1-a\/(instanceGroupManagers|autoscalers|operations)/g, 'regions/us-central1/$1')
    .replace(/"zone":"(https:\/\/[^"]+\/)?projects\/([^/]+)\/(global\/)?zones\/us-central1-a"/g, (_w, base: string | undefined, project: string) => `"region":"${base ?? ''}projects/${project}/regions/us-central1"`)
  const body = (value: unknown) => (value === undefined ? undefined : JSON.parse(rewrite(JSON.stringify(value))))
  return { ...interaction, url: new URL(rewrite(interaction.url.href)), requestBody: body(interaction.requestBody), responseBody: body(interaction.responseBody) }
}

interface Collection { client: keyof ComputeClients; call: string; param: string; resource: string }

const GLOBAL: Record<string, Collection> = {
  instanceTemplates: { client: 'instanceTemplates', call: 'instanceTemplates', param: 'instanceTemplate', resource: 'instanceTemplateResource' },
  healthChecks: { client: 'healthChecks', call: 'healthChecks', param: 'healthCheck', resource: 'healthCheckResource' },
  firewalls: { client: 'firewalls', call: 'firewalls', param: 'firewall', resource: 'firewallResource' },
  backendServices: { client: 'backendServices', call: 'backendServices', param: 'backendService', resource: 'backendServiceResource' },
  urlMaps: { client: 'urlMaps', call: 'urlMaps', param: 'urlMap', resource: 'urlMapResource' },
  targetHttpProxies: { client: 'targetHttpProxies', call: 'targetHttpProxies', param: 'targetHttpProxy', resource: 'targetHttpProxyResource' },
  forwardingRules: { client: 'globalForwardingRules', call: 'globalForwardingRules', param: 'forwardingRule', resource: 'forwardingRuleResource' },
}
const REGIONAL: Record<string, Collection> = {
  instanceGroupManagers: { client: 'groups', call: 'regionInstanceGroupManagers', param: 'instanceGroupManager', resource: 'instanceGroupManagerResource' },
  healthChecks: { client: 'regionHealthChecks', call: 'regionHealthChecks', param: 'healthCheck', resource: 'healthCheckResource' },
  autoscalers: { client: 'autoscalers', call: 'regionAutoscalers', param: 'autoscaler', resource: 'autoscalerResource' },
}
const VERBS: Record<string, string> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }

/** A recorded call the provider makes: which client method, with which request, and what the client must send. */
interface Known {
  call: CallName
  client: keyof ComputeClients
  method: string
  request: Record<string, unknown>
  /** the method and path the client must send (a recorded GET of an operation is replayed as the provider's `wait`) */
  sends: { method: string; path: string }
  operation?: boolean
  /** read by the live checks, through facts.ts */
  readsAs?: 'facts'
}

function recognize(interaction: Interaction): Known | undefined {
  const path = interaction.url.pathname
  // instances and disks by name: strato lists them (aggregatedList) for live checks; the same resource, read one at a time here
  const zonal = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/(instances|disks)\/([^/]+)$/.exec(path)
  if (zonal && interaction.method === 'GET') {
    const [, project, zone, collection, name] = zonal
    return {
      call: `${collection}.aggregatedList` as CallName, client: collection as 'instances' | 'disks', method: 'get',
      request: { project, zone, [collection === 'instances' ? 'instance' : 'disk']: name }, sends: { method: 'GET', path }, readsAs: 'facts',
    }
  }
  const match = /^\/compute\/v1\/projects\/([^/]+)\/(global|regions\/([^/]+))\/([A-Za-z]+)(?:\/([^/]+))?(\/wait)?$/.exec(path)
  if (!match) return undefined
  const [, project, scope, region, collection, name, wait] = match
  const where = scope === 'global' ? {} : { region }
  if (collection === 'operations' && name && (interaction.method === 'GET' || wait)) {
    const call = scope === 'global' ? 'globalOperations.wait' : 'regionOperations.wait'
    return {
      call, client: scope === 'global' ? 'globalOperations' : 'regionOperations', method: 'wait', operation: true,
      request: { project, ...where, operation: name }, sends: { method: 'POST', path: `${path.replace(/\/wait$/, '')}/wait` },
    }
  }
  const spec = (scope === 'global' ? GLOBAL : REGIONAL)[collection]
  if (!spec) return undefined
  let verb: string | undefined = name ? VERBS[interaction.method] : interaction.method === 'POST' ? 'insert' : undefined
  let target: string | undefined = name
  // autoscalers are updated through the collection, by name in the query
  if (collection === 'autoscalers' && !name && interaction.method === 'PUT') {
    verb = 'update'
    target = interaction.url.searchParams.get('autoscaler') ?? undefined
  }
  if (!verb) return undefined
  const request: Record<string, unknown> = { project, ...where }
  if (target) request[spec.param] = target
  if (interaction.requestBody !== undefined) request[spec.resource] = interaction.requestBody
  return { call: `${spec.call}.${verb}` as CallName, client: spec.client, method: verb, request, sends: { method: interaction.method, path } }
}

/** The client's decoded answer as plain JSON: no oneof markers, no empty lists the decoder adds. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain)
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([key, item]) => !(key.startsWith('_') && item === key.slice(1)) && !(Array.isArray(item) && item.length === 0))
      .map(([key, item]) => [key, plain(item)])
    return Object.fromEntries(entries)
  }
  return value
}

/**
 * Where `actual` differs from `recorded`: every recorded value must be there
 * and equal (64-bit ids compare as numbers: the recordings zero them as
 * "000000000000000000000", which the client reads as "0"); `actual` may add
 * only empty maps and lists (the client's defaults).
 */
function differences(actual: unknown, recorded: unknown, path = ''): string[] {
  if (typeof recorded === 'string' && typeof actual === 'string' && /^\d+$/.test(recorded) && /^\d+$/.test(actual)) {
    return BigInt(recorded) === BigInt(actual) ? [] : [`${path}: ${actual} != ${recorded}`]
  }
  const empty = (value: unknown) => value === undefined || (Array.isArray(value) && value.length === 0) || (!!value && typeof value === 'object' && Object.keys(value).length === 0)
  // the client neither sends nor keeps empty lists and maps
  if (empty(recorded) && empty(actual)) return []
  if (recorded && typeof recorded === 'object' && actual && typeof actual === 'object') {
    const found: string[] = []
    const left = actual as Record<string, unknown>
    const right = recorded as Record<string, unknown>
    for (const key of Object.keys(right)) found.push(...differences(left[key], right[key], `${path}.${key}`))
    for (const key of Object.keys(left)) {
      if (!(key in right) && !empty(left[key]) && !Array.isArray(recorded)) found.push(`${path}.${key}: only in strato's (${JSON.stringify(left[key])})`)
    }
    return found
  }
  return actual === recorded ? [] : [`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(recorded)}`]
}

/**
 * Fields the API returns that compute v1's protos do not define, so the
 * client drops them; strato reads none of them: a firewall's deprecated
 * enableLogging (logConfig.enable replaced it), a URL map's quota usage, an
 * instance's shieldedVm* (the old names of shieldedInstance*), a disk's
 * locked and multiWriter.
 */
const NOT_IN_V1_PROTOS = [/^compute#firewall\.enableLogging:/, /^compute#urlMap\.status:/, /^compute#instance\.shieldedVm(Config|IntegrityPolicy):/, /^compute#disk\.(locked|multiWriter):/]

/** Field paths and their JSON types; a list contributes its elements' paths under []. */
export function shapeOf(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    into.set(path, 'array')
    for (const item of value) shapeOf(item, `${path}[]`, into)
  } else if (value && typeof value === 'object') {
    into.set(path, 'object')
    for (const [key, item] of Object.entries(value)) shapeOf(item, path ? `${path}.${key}` : key, into)
  } else {
    into.set(path, value === null ? 'null' : typeof value)
  }
  return into
}

/** What the live checks read from a recorded instance, disk or firewall, derived from the recording by hand. */
function expectFacts(decoded: Record<string, unknown>, recorded: Record<string, unknown>): void {
  const list = (value: unknown) => (Array.isArray(value) ? value : []) as Record<string, unknown>[]
  if (recorded.kind === 'compute#instance') {
    expect(instanceFact(decoded, 'recorded').data).toEqual({
      name: recorded.name, zone: String(recorded.zone).split('/').pop(),
      publicIps: list(recorded.networkInterfaces).flatMap((nic) => list(nic.accessConfigs).map((config) => config.natIP)).filter(Boolean),
      serviceAccounts: list(recorded.serviceAccounts).map((account) => ({ email: account.email, scopes: account.scopes ?? [] })),
      metadataKeys: list((recorded.metadata as Record<string, unknown>).items).map((item) => item.key),
      blockProjectSshKeys: false,
      labels: recorded.labels ?? {},
    })
  } else if (recorded.kind === 'compute#disk') {
    expect(diskFact(decoded, 'recorded').data).toEqual({
      name: recorded.name, zone: String(recorded.zone).split('/').pop(), labels: recorded.labels ?? {},
      encryption: (recorded.diskEncryptionKey as { kmsKeyName?: string } | undefined)?.kmsKeyName ? 'customer-managed' : 'google-managed',
    })
  } else {
    expect(firewallFact(decoded, 'recorded').data).toEqual({
      name: recorded.name, network: String(recorded.network).split('/').pop(), direction: recorded.direction, disabled: recorded.disabled,
      allowed: list(recorded.allowed).map((rule) => ({ protocol: rule.IPProtocol, ports: rule.ports ?? [] })),
      sourceRanges: recorded.sourceRanges ?? [], targetTags: recorded.targetTags ?? [],
    })
  }
}

let replay: { server: Server; endpoint: string; answer?: Interaction; sent: { method: string; path: string; query: string; body?: unknown }[] }
let replayApi: GcpApi

beforeAll(async () => {
  const state = { sent: [] as typeof replay.sent, answer: undefined as Interaction | undefined }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://replay')
      const text = Buffer.concat(chunks).toString()
      state.sent.push({ method: request.method ?? '', path: url.pathname, query: url.search, body: text ? JSON.parse(text) : undefined })
      const answer = replay.answer
      response.writeHead(answer?.status ?? 599, { 'content-type': 'application/json; charset=UTF-8' })
      response.end(answer?.responseBody === undefined ? '' : JSON.stringify(answer.responseBody))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  replay = { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...state }
  Object.defineProperty(replay, 'sent', { get: () => state.sent })
  // a fixed token: the replay is about the API, not credentials
  const auth = new OAuth2Client()
  auth.setCredentials({ access_token: 'replayed', expiry_date: Date.now() + 3_600_000 })
  replayApi = new GcpApi({ project: PROJECT, region: REGION, targetName: 'recorded', endpoint: replay.endpoint, authClient: auth, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })
})

afterAll(async () => {
  await replayApi?.close()
  await new Promise((resolve) => replay?.server.close(resolve))
})

const recordings = [...gcpRecordings(substitute)].map(([file, interactions]) => [file, interactions.map(regionalize)] as const)

describe('recorded Compute Engine traffic through the real client and the provider', () => {
  it('has the recordings and knows most of their calls', () => {
    const all = recordings.flatMap(([, interactions]) => interactions)
    const known = all.filter((interaction) => recognize(interaction))
    const unknown = [...new Set(all.filter((interaction) => !recognize(interaction)).map((interaction) =>
      `${interaction.method} ${interaction.url.pathname.replace(/\/projects\/[^/]+\//, '/projects/P/')}`))].sort()
    console.info(`gcp recordings: ${known.length} of ${all.length} calls are calls strato makes; not checked (strato never makes them):\n  ${unknown.join('\n  ')}`)
    expect(recordings.length).toBeGreaterThanOrEqual(13)
    expect(known.length).toBeGreaterThan(150)
  })

  for (const [file, interactions] of recordings) {
    it(`replays ${file}`, async () => {
      for (const interaction of interactions) {
        const known = recognize(interaction)
        if (!known) continue
        replay.answer = interaction
        replay.sent.length = 0
        // the clients exist inside call(), once the API has its credentials
        const run = () => (replayApi.compute[known.client] as unknown as Record<string, (request: object) => Promise<unknown[]>>)[known.method](known.request)
        let result: unknown
        let failure: unknown
        try {
          result = known.operation
            ? await replayApi.waitFor(known.call, { status: 'RUNNING', name: String(known.request.operation), region: known.request.region ? `regions/${String(known.request.region)}` : undefined })
            : await replayApi.call(known.call, async () => {
              const [answer] = await run()
              // a mutation answers a long-running operation wrapper; the compute operation is its latestResponse
              return known.method === 'get' ? answer : (answer as { latestResponse: unknown }).latestResponse
            })
        } catch (error) {
          failure = error
        }
        const where = `${interaction.where} ${interaction.method} ${interaction.url.pathname}`
        expect(replay.sent.map((sent) => `${sent.method} ${sent.path}`), where).toEqual([`${known.sends.method} ${known.sends.path}`])
        if (interaction.requestBody !== undefined) expect(differences(replay.sent[0].body, interaction.requestBody), `${where}: request body`).toEqual([])
        if (interaction.status >= 400) {
          expect(isGcpError(failure), `${where}: a translated error`).toBe(true)
          expect((failure as GcpRequestError).kind, where).toBe(interaction.status === 404 ? 'notFound' : 'invalid')
          continue
        }
        if (failure) throw failure
        // every recorded field decoded, with its value
        const decoded = plain(result) as Record<string, unknown>
        const lost = differences(decoded, interaction.responseBody)
          .filter((problem) => !problem.includes("only in strato's") && !NOT_IN_V1_PROTOS.some((pattern) => pattern.test(`${(interaction.responseBody as { kind?: string }).kind}${problem}`)))
        expect(lost, `${where}: decoded answer`).toEqual([])
        if (known.operation) expect((result as Operation).status).toBe('DONE')
        if (known.readsAs === 'facts') expectFacts(result as Record<string, unknown>, interaction.responseBody as Record<string, unknown>)
        if (known.call === 'firewalls.get') expectFacts(result as Record<string, unknown>, interaction.responseBody as Record<string, unknown>)
        if (known.call === 'regionInstanceGroupManagers.get') {
          const recorded = interaction.responseBody as { targetSize: number; status: { isStable: boolean; versionTarget?: { isReached: boolean } }; instanceTemplate: string }
          expect(readGroup(result as object)).toMatchObject({
            targetSize: recorded.targetSize, stable: recorded.status.isStable, versionReached: recorded.status.versionTarget?.isReached === true,
            templates: [recorded.instanceTemplate.split('/').pop()],
          })
        }
      }
    })
  }

  it('reads a missing resource as nothing, through find', async () => {
    const missing = recordings.flatMap(([, interactions]) => interactions).find((interaction) => interaction.status === 404 && recognize(interaction)?.call === 'healthChecks.get')!
    replay.answer = missing
    const known = recognize(missing)!
    expect(await replayApi.find(known.call, () => replayApi.compute.healthChecks.get(known.request))).toBeUndefined()
  })

  it('finds the region\'s subnet in a recorded auto-mode network, and the fake\'s default network reads the same', async () => {
    const networks = recordings.flatMap(([, interactions]) => interactions)
      .filter((interaction) => interaction.method === 'GET' && interaction.status === 200 && /\/global\/networks\/[^/]+$/.test(interaction.url.pathname))
    const recorded = networks.find((interaction) => (interaction.responseBody as { autoCreateSubnetworks?: boolean }).autoCreateSubnetworks)!
    replay.answer = recorded
    const [network] = await replayApi.call('networks.get', () => replayApi.compute.networks.get({ project: PROJECT, network: 'default' }))
    expect(replay.sent.at(-1)).toMatchObject({ method: 'GET', path: `/compute/v1/projects/${PROJECT}/global/networks/default` })
    expect(differences(plain(network), recorded.responseBody)).toEqual([])
    expect(regionSubnet(network, REGION)).toBe(`https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${REGION}/subnetworks/default`)
    // the fake lists a subnet for the regions it models, in the recorded form, and no field the recorded networks lack
    const fake = await startTestFake()
    try {
      const token = (await fake.control<{ access_token: string }>('POST', 'token')).access_token
      const answer = await (await fetch(`${fake.endpoint}/compute/v1/projects/${PROJECT}/global/networks/default`, { headers: { authorization: `Bearer ${token}` } })).json() as { name: string; subnetworks: string[] }
      const recordedShape = new Map(networks.flatMap((interaction) => [...shapeOf(interaction.responseBody)]))
      expect([...shapeOf(answer)].filter(([key, type]) => recordedShape.get(key) !== type)).toEqual([])
      expect([...shapeOf(recorded.responseBody)].filter(([key, type]) => shapeOf(answer).get(key) !== type)).toEqual([])
      expect(regionSubnet(answer, REGION)).toBe(`https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${REGION}/subnetworks/default`)
    } finally {
      await fake.close()
    }
  })
})

// ---------------------------------------------------------------- the fake's answers

/**
 * Differences between the fake and the recordings that are known and kept.
 * A field the fake returns that this recording lacks is accepted when a
 * recording of the same kind of resource shows it (the recordings come from
 * different times and callers: one group answer has no fingerprint, another
 * has); currentActions is an output field of every group in the API
 * reference that no recording happens to show, and the fake models it.
 */
const EXTRA_IN_FAKE = [/^currentActions(\.|$)/]

/**
 * Output fields Compute Engine updates some time after the change they
 * reflect: a backend service still lists a deleted URL map in usedBy for a
 * while. The fake updates them at once, so they may be missing from its answer.
 */
const LAGGING = [/^usedBy(\[\])?(\.|$)/]

/** Every field path seen in a recorded answer, by the answer's kind. */
function recordedFieldsByKind(): Map<string, Set<string>> {
  const byKind = new Map<string, Set<string>>()
  for (const [, interactions] of recordings) {
    for (const interaction of interactions) {
      const body = interaction.responseBody as { kind?: string } | undefined
      if (!body?.kind) continue
      const fields = byKind.get(body.kind) ?? new Set()
      for (const key of shapeOf(body).keys()) fields.add(key)
      byKind.set(body.kind, fields)
    }
  }
  return byKind
}

let fake: TestFake
let token: string

beforeAll(async () => {
  fake = await startTestFake()
})

afterAll(async () => {
  await fake?.close()
})

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(`${fake.endpoint}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: answer.status, body: await answer.json() as Record<string, unknown> }
}

describe('the fake answers the recorded calls with the recorded shapes', () => {
  const seenFields = recordedFieldsByKind()
  for (const [file, interactions] of recordings) {
    it(file, async () => {
      await fake.reset()
      token = (await fake.control<{ access_token: string }>('POST', 'token')).access_token
      // the operation the next recorded operation read is about, as the fake named it (none after a call the fake skipped)
      let lastOperation: string | undefined
      const created = new Map<string, string>()
      const justCreated = new Set<string>()
      const problems: string[] = []
      let readAfterCreate = 0
      let merged = 0
      // names the recording's placeholders give to two different resources
      const inserted = interactions.filter((interaction) => recognize(interaction)?.method === 'insert').map((interaction) => `${interaction.url.pathname}/${String((interaction.requestBody as { name?: string }).name)}`)
      const shared = new Set(inserted.filter((name, index) => inserted.indexOf(name) !== index))
      for (const interaction of interactions) {
        const known = recognize(interaction)
        // instances outside a group are not modelled: the fake's own instances are compared below
        if (!known || known.readsAs === 'facts') {
          if (interaction.method !== 'GET') lastOperation = undefined
          continue
        }
        let path = interaction.url.pathname
        let body = interaction.requestBody as Record<string, unknown> | undefined
        if (known.operation) {
          if (!lastOperation) continue
          path = `${lastOperation}${interaction.url.pathname.endsWith('/wait') ? '/wait' : ''}`
          await new Promise((resolve) => setTimeout(resolve, 60))
        } else {
          // the recordings name a resource one way in URLs and another in bodies: follow what was created
          // autoscalers are updated through their collection, named in the query
          const byQuery = interaction.url.searchParams.has('autoscaler')
          const segments = path.split('/')
          const collection = known.method === 'insert' || byQuery ? segments.at(-1)! : segments.at(-2)!
          if (known.method !== 'insert' && !byQuery && created.has(collection) && !created.has(`${collection}/${segments.at(-1)}`)) {
            path = `${segments.slice(0, -1).join('/')}/${created.get(collection)}`
          }
          // fingerprints in the recordings are normalised: send the fake's current one
          if (body && 'fingerprint' in body) {
            const current = await send('GET', byQuery ? `${path}/${String(body.name)}` : path)
            body = { ...body, fingerprint: current.body.fingerprint }
          }
          if (known.method === 'insert') {
            const made = String(body?.name)
            created.set(collection, made)
            created.set(`${collection}/${made}`, made)
            justCreated.add(`${path}/${made}`)
          }
        }
        const answer = await send(interaction.method, `${path}${interaction.url.search}`, body)
        if (answer.body.kind === 'compute#operation') lastOperation = new URL(String(answer.body.selfLink)).pathname
        else if (known.method !== 'get') lastOperation = undefined
        const where = `${interaction.where} ${interaction.method} ${path}`
        if (interaction.status === 404 && answer.status === 200 && justCreated.has(path)) {
          // the recording reads as missing a resource it created: just after the insert (propagation), or after a cleanup it does not show
          readAfterCreate++
          continue
        }
        const sharedName = shared.has(known.method === 'insert' ? `${interaction.url.pathname}/${String(body?.name)}` : path)
        if (sharedName && answer.status !== interaction.status) {
          merged++
          continue
        }
        if (answer.status !== interaction.status) {
          problems.push(`${where}: status ${answer.status}, recorded ${interaction.status}: ${JSON.stringify(answer.body).slice(0, 300)}`)
          continue
        }
        const recorded = shapeOf(interaction.responseBody)
        const actual = shapeOf(answer.body)
        const kind = String((interaction.responseBody as { kind?: string } | undefined)?.kind ?? '')
        // the mock's own golden output is not evidence of the real API: its statuses and kinds are compared, not its fields
        const mockSide = file.startsWith('mockcompute-')
        const missing = [...recorded].filter(([key, type]) => actual.get(key) !== type && !mockSide && !LAGGING.some((pattern) => pattern.test(key))).map(([key, type]) => `${key}:${type}${actual.has(key) ? ` (fake: ${actual.get(key)})` : ''}`)
        const extra = [...actual.keys()].filter((key) => !recorded.has(key) && !seenFields.get(kind)?.has(key) && !EXTRA_IN_FAKE.some((pattern) => pattern.test(key)))
        if (missing.length) problems.push(`${where}: missing in the fake: ${missing.join(', ')}`)
        if (extra.length) problems.push(`${where}: only in the fake: ${extra.join(', ')}`)
        const response = interaction.responseBody as Record<string, unknown> | undefined
        for (const field of ['kind', 'status', 'operationType'] as const) {
          if (response?.[field] === undefined || (field !== 'kind' && response.kind !== 'compute#operation')) continue
          if (answer.body[field] !== response[field]) problems.push(`${where}: ${field} ${String(answer.body[field])}, recorded ${String(response[field])}`)
        }
      }
      if (readAfterCreate) console.info(`${file}: ${readAfterCreate} recorded read(s) found a resource the recording created missing (just after its insert, or after a cleanup not recorded); the fake still has it`)
      if (merged) console.info(`${file}: ${merged} call(s) on a name the recording's placeholders give to two resources were not compared`)
      expect(problems).toEqual([])
    })
  }
})

/**
 * Fields the fake's instances and disks carry that the recorded ones happen
 * not to (no metadata entries, no external address, no service account, a
 * disk without labels), all in the API reference; label keys are data.
 */
const INSTANCE_FIELDS_NOT_RECORDED = [/^metadata\.items(\[\](\.(key|value))?)?$/, /^networkInterfaces\[\]\.accessConfigs/, /^serviceAccounts/, /^labels$/]

describe("the fake's instances and disks look like the recorded ones", () => {
  it('gives a group\'s instances and disks only fields real ones have, with the same types', async () => {
    await fake.reset()
    token = (await fake.control<{ access_token: string }>('POST', 'token')).access_token
    const real = recordedFieldsByKind()
    await fake.control('POST', 'seed', {
      project: PROJECT, region: REGION,
      templates: [{ name: 't1', properties: {
        machineType: 'e2-small', labels: { 'strato-project': 'shop' }, metadata: { items: [{ key: 'startup-script', value: 'echo' }] },
        disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12', labels: { 'strato-project': 'shop' } } }],
        networkInterfaces: [{ network: 'global/networks/default', accessConfigs: [{ name: 'external-nat', type: 'ONE_TO_ONE_NAT' }] }],
        serviceAccounts: [{ email: 'strato-shop@rec-project.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
      } }],
      groups: [{ group: { name: 'g1', instanceTemplate: 'global/instanceTemplates/t1', distributionPolicy: { zones: [{ zone: 'zones/us-central1-a' }] } }, instances: 2 }],
    })
    const problems: string[] = []
    for (const [collection, kind] of [['instances', 'compute#instance'], ['disks', 'compute#disk']] as const) {
      const answer = await send('GET', `/compute/v1/projects/${PROJECT}/zones/us-central1-a/${collection}`)
      const items = answer.body.items as Record<string, unknown>[]
      expect(items).toHaveLength(2)
      const recorded = [...recordings].flatMap(([, interactions]) => interactions).filter((interaction) => (interaction.responseBody as { kind?: string } | undefined)?.kind === kind)
      const types = new Map<string, string>()
      for (const interaction of recorded) for (const [key, type] of shapeOf(interaction.responseBody)) types.set(key, type)
      for (const [key, type] of shapeOf(items[0])) {
        if (INSTANCE_FIELDS_NOT_RECORDED.some((pattern) => pattern.test(key)) || /^labels\./.test(key)) continue
        if (!real.get(kind)?.has(key)) problems.push(`${kind} ${key}: no recorded ${kind} has it`)
        else if (types.get(key) !== type) problems.push(`${kind} ${key}: ${type}, recorded ${types.get(key)}`)
      }
    }
    expect(problems).toEqual([])
  })
})
