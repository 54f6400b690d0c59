/**
 * The contract between the Azure fake, the provider and real Azure, checked
 * against traffic other public projects recorded from the real API
 * (shared/recordings/azure, read from next to the repository at test time).
 *
 * 1. Recorded answers are replayed through the real SDK clients, with the
 *    provider's client options, error policy and parsing: long-running
 *    operations complete, throttling is retried, 404s are recognised, and
 *    the provider reads scale sets, NSG rules, autoscale settings, metrics
 *    and costs out of real bodies.
 * 2. The recorded requests are sent to the fake (ids rewritten to its
 *    subscription), and each answer must match Azure's: the same status,
 *    the same long-running-operation headers (Azure-AsyncOperation,
 *    Location), no field Azure did not send (by shape: paths and types,
 *    values ignored), and the fields the provider reads present in both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAzureFake, type AzureFake } from '../fakes/azure/server.ts'
import { createClients, type AzureClients } from '../../providers/azure/clients.js'
import { costLinesFrom, queryCosts, type QueryResult } from '../../providers/azure/cost-management.js'
import { isNotFound, isAzureError } from '../../providers/azure/errors.js'
import { fromSdkSetting, covers } from '../../providers/azure/autoscale.js'
import { nsgRuleFacts } from '../../providers/azure/facts.js'
import { scaleSetResources } from '../../providers/azure/inventory.js'
import { cpuSamplesFrom } from '../../providers/azure/metrics.js'
import { replayTransport, sendTo, staticCredential, type Exchange } from '../helpers/azure-http.js'
import { invented, missing, shapeOf } from '../helpers/azure-shapes.js'
import { pathShape, readCassette, type Interaction } from '../helpers/recordings.js'

const RECORDED_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000'
const credential = staticCredential(() => ({ token: 'recorded', expiresOnTimestamp: Date.now() + 3_600_000 }))

function replayClients(interactions: Interaction[]): { clients: AzureClients; served: Interaction[] } {
  const transport = replayTransport(interactions)
  const clients = createClients({ credential, subscriptionId: RECORDED_SUBSCRIPTION, targetName: 'recorded', httpClient: transport, maxRetries: 2, retryDelayMs: 1, pollIntervalMs: 1 })
  return { clients, served: transport.served }
}

const slice = (file: string, from: number, to: number) => readCassette(file).filter((interaction) => interaction.index >= from && interaction.index <= to)

describe('recorded Azure answers through the real SDK clients and the provider', () => {
  it('creates a scale set through the Compute long-running operation (201, six InProgress polls, Succeeded) and reads it as resources', async () => {
    const { clients, served } = replayClients(slice('Test_Compute_VMSS_20220301_CRUD.yaml', 19, 27))
    const compute = await clients.compute()
    const created = await compute.virtualMachineScaleSets.createOrUpdate('asotest-rg-isodfv', 'asotest-vmss-idossk', {
      location: 'westeurope', sku: { name: 'STANDARD_D1_v2', capacity: 1 }, upgradePolicy: { mode: 'Automatic' },
    }, clients.lro)
    expect(served.map((interaction) => interaction.index)).toEqual([19, 20, 21, 22, 23, 24, 25, 26, 27])
    expect(created.provisioningState).toBe('Succeeded')
    const resources = scaleSetResources([{ scaleSet: created, vms: [] }], 'azure', 'westeurope')
    expect(resources).toHaveLength(1)
    expect(resources[0]).toMatchObject({ kind: 'group', id: expect.stringContaining('/virtualMachineScaleSets/asotest-vmss-idossk'), details: { capacity: 1, vmSize: 'STANDARD_D1_v2', upgradeMode: 'Automatic', provisioningState: 'Succeeded' } })
  })

  it('deletes a scale set (202 with both headers, polled to Succeeded), then recognises the 404', async () => {
    const { clients, served } = replayClients(slice('Test_Compute_VMSS_20220301_CRUD.yaml', 47, 51))
    const compute = await clients.compute()
    await compute.virtualMachineScaleSets.delete('asotest-rg-isodfv', 'asotest-vmss-idossk', clients.lro)
    const error = await compute.virtualMachineScaleSets.get('asotest-rg-isodfv', 'asotest-vmss-idossk').then(() => undefined, (caught: unknown) => caught)
    expect(isNotFound(error)).toBe(true)
    expect(isAzureError(error, 'ResourceNotFound')).toBe(true)
    expect(served.map((interaction) => interaction.status)).toEqual([202, 200, 200, 200, 404])
  })

  it('deletes a resource group through Location polling (202 until 200)', async () => {
    const { clients, served } = replayClients(slice('Test_Compute_VMSS_20220301_CRUD.yaml', 52, 59))
    const resources = await clients.resources()
    await resources.resourceGroups.delete('asotest-rg-isodfv', clients.lro)
    expect(served.map((interaction) => interaction.status)).toEqual([202, 202, 202, 202, 202, 202, 202, 200])
  })

  it('retries a 429 (RetryableError) on a load balancer PUT and completes on the next answer', async () => {
    const interactions = readCassette('Test_Insights_Autoscalesetting_CRUD.yaml').filter((interaction) => [6, 13].includes(interaction.index) || (interaction.index > 13 && interaction.index < 16 && /operations/.test(interaction.url)))
    const polls = readCassette('Test_Insights_Autoscalesetting_CRUD.yaml').filter((interaction) => interaction.index > 13 && /locations\/[^/]+\/operations/.test(interaction.url))
    const final = readCassette('Test_Insights_Autoscalesetting_CRUD.yaml').filter((interaction) => interaction.index === 15)
    const { clients, served } = replayClients([...interactions, ...polls, ...final])
    const network = await clients.network()
    const balancer = await network.loadBalancers.createOrUpdate('asotest-rg-nnjphs', 'asotest-loadbalancer-uhfrys', { location: 'westus2', sku: { name: 'Standard' } }, clients.lro)
    expect(served[0].status).toBe(429)
    expect(served[1].status).toBe(201)
    expect(balancer.provisioningState).toBe('Succeeded')
  })

  it('reads security rules from a real NSG as live-check facts', async () => {
    const interactions = readCassette('Test_Networking_NetworkSecurityGroup_CRUD.yaml').filter((interaction) => interaction.method === 'GET' && interaction.status === 200 && pathShape(interaction.url).endsWith('networksecuritygroups/*'))
    const last = interactions.at(-1)!
    const { clients } = replayClients([last])
    const network = await clients.network()
    const nsg = await network.networkSecurityGroups.get('asotest-rg-ytfqcd', new URL(last.url).pathname.split('/').pop()!)
    const facts = nsgRuleFacts(nsg, 'azure')
    const recordedRules = (JSON.parse(last.body) as { properties: { securityRules: unknown[] } }).properties.securityRules
    expect(facts).toHaveLength(recordedRules.length)
    for (const fact of facts) {
      expect(fact.kind).toBe('azure.nsgRule')
      expect(fact.data).toMatchObject({ direction: expect.stringMatching(/^(Inbound|Outbound)$/), access: expect.stringMatching(/^(Allow|Deny)$/), priority: expect.any(Number) })
      expect((fact.data.destinationPortRanges as string[]).length).toBeGreaterThan(0)
      expect((fact.data.sourceAddressPrefixes as string[]).length).toBeGreaterThan(0)
    }
  })

  it('reads a real autoscale setting back into the compiled form and finds it matches what was sent', async () => {
    const all = readCassette('Test_Insights_Autoscalesetting_CRUD.yaml')
    const put = all.find((interaction) => interaction.index === 26)!
    const get = all.find((interaction) => interaction.index === 27)!
    const { clients } = replayClients([get])
    const monitor = await clients.monitor()
    const setting = fromSdkSetting(await monitor.autoscaleSettings.get('asotest-rg-nnjphs', new URL(get.url).pathname.split('/').pop()!))
    const sent = JSON.parse(put.requestBody) as { location: string; properties: { profiles: unknown[]; targetResourceUri: string } }
    expect(covers(setting, { location: sent.location, properties: { profiles: sent.properties.profiles, targetResourceUri: sent.properties.targetResourceUri } })).toBe(true)
    expect(setting.properties.profiles[0].rules[0].metricTrigger.metricName).toBe('Percentage CPU')
  })

  it('reads Percentage CPU samples from a real metrics answer', async () => {
    const [, metrics] = readCassette('test_mgmt_monitor.test_metrics.yaml')
    const { clients } = replayClients([metrics])
    const monitor = await clients.monitor()
    const samples = cpuSamplesFrom(await monitor.metrics.list('/subscriptions/0/resourceGroups/amar/providers/Microsoft.Compute/virtualMachines/abuntu2', { timespan: '2019-03-03/2019-03-04', interval: 'PT1H', metricnames: 'Percentage CPU', aggregation: 'Total' }))
    expect(samples).toHaveLength(24)
    expect(samples[0]).toEqual({ at: '2019-03-03T00:00:00.000Z', metric: 'cpu', value: 63.13 })
  })

  it('reads cost rows from real Cost Management answers, with and without a next page', async () => {
    const [single] = readCassette('test_data_aggregation_in_subscription_scope.yaml')
    const replay = replayClients([single])
    const pages: QueryResult[] = await queryCosts(replay.clients, `/subscriptions/${RECORDED_SUBSCRIPTION}`, JSON.parse(single.requestBody))
    const lines = costLinesFrom(pages, 'azure')
    expect(lines).toHaveLength(30)
    expect(lines[0]).toMatchObject({ provider: 'azure', target: 'azure', date: '2020-04-01', currency: 'USD', service: undefined })
    expect(lines[0].amount).toBeCloseTo(416.613981)

    const [grouped] = readCassette('test_data_grouping_in_subscription_scopde.yaml')
    const firstPage = (JSON.parse(grouped.body) as { properties: QueryResult }).properties
    expect(firstPage.nextLink).toContain('$skiptoken=')
    const byGroup = costLinesFrom([firstPage], 'azure', 'ResourceGroup')
    expect(byGroup).toHaveLength(firstPage.rows.length)
    expect(byGroup.filter((line) => line.service !== undefined).length).toBeGreaterThan(900)
  })

  it('reads the latest rolling upgrade of a real scale set', async () => {
    const latest = readCassette('test_mgmt_compute_vmss.test_compute_vmss_rolling_upgrades.yaml').find((interaction) => pathShape(interaction.url).endsWith('rollingupgrades/*') && interaction.method === 'GET')!
    const { clients } = replayClients([latest])
    const compute = await clients.compute()
    const status = await compute.virtualMachineScaleSetRollingUpgrades.getLatest('rgname', 'virtualmachinescalesetb4bb17db')
    expect(status.runningStatus?.code).toBe('RollingForward')
    expect(status.progress?.inProgressInstanceCount).toBe(1)
  })
})

// ---- the same calls against the fake ----

/** What the provider reads from each kind of answer: it must be in Azure's answers and the fake's. */
function requiredPaths(shape: string, method: string, status: number): string[] {
  if (status >= 400) return ['error.code', 'error.message']
  if (status === 202 || status === 204 || (method === 'DELETE')) return []
  if (shape.endsWith('?monitor') || shape.includes('/operationresults/')) return []
  if (/\/locations\/\*\/operations\/\*$/.test(shape)) return shape.includes('microsoft.compute') ? ['status', 'name', 'startTime'] : ['status']
  if (shape.endsWith('virtualmachinescalesets/*')) return ['id', 'name', 'type', 'location', 'sku.name', 'sku.capacity', 'properties.provisioningState', 'properties.upgradePolicy.mode', 'properties.virtualMachineProfile']
  if (shape.endsWith('loadbalancers/*')) return ['id', 'name', 'properties.provisioningState', 'properties.frontendIPConfigurations[].id', 'properties.frontendIPConfigurations[].properties.publicIPAddress.id', 'properties.frontendIPConfigurations[].properties.privateIPAllocationMethod']
  if (shape.endsWith('publicipaddresses/*')) return ['id', 'properties.provisioningState', 'properties.publicIPAllocationMethod']
  if (shape.endsWith('networksecuritygroups/*')) return ['id', 'properties.provisioningState', 'properties.defaultSecurityRules[].properties.priority']
  if (shape.endsWith('securityrules/*')) return ['id', 'properties.priority', 'properties.access', 'properties.direction', 'properties.protocol']
  if (shape.endsWith('virtualnetworks/*')) return ['id', 'properties.addressSpace.addressPrefixes', 'properties.provisioningState']
  if (shape.endsWith('subnets/*')) return ['id', 'properties.provisioningState']
  if (shape.endsWith('resourcegroups/*')) return ['id', 'name', 'location', 'properties.provisioningState']
  if (shape.endsWith('autoscalesettings/*')) return ['id', 'name', 'location', 'properties.profiles[].capacity.minimum', 'properties.profiles[].capacity.maximum', 'properties.profiles[].rules', 'properties.enabled', 'properties.targetResourceUri']
  if (shape.endsWith('rollingupgrades/*')) return ['properties.runningStatus.code', 'properties.progress.successfulInstanceCount']
  if (shape.endsWith('insights/metrics')) return ['value[].name.value', 'value[].timeseries[].data[].timeStamp', 'interval', 'timespan']
  if (shape.endsWith('insights/metricdefinitions')) return ['value[].name.value', 'value[].unit']
  if (shape.endsWith('costmanagement/query')) return ['properties.columns[].name', 'properties.columns[].type', 'properties.rows']
  return []
}

/** Calls strato never makes (standalone NICs, scale set extension resources): left out of the replay. */
const NOT_USED = [/networkinterfaces/, /virtualmachinescalesets\/\*\/extensions\//]
const isPoll = (shape: string) => /\/operations\/\*(\?monitor)?$/.test(shape) || shape.includes('/operationresults/')

interface Comparison { index: number; call: string; problems: string[] }

function compare(recorded: Interaction, fake: Exchange): string[] {
  const shape = pathShape(recorded.url)
  const problems: string[] = []
  if (fake.status !== recorded.status) problems.push(`status ${fake.status}, recorded ${recorded.status}: ${fake.body.slice(0, 300)}`)
  for (const header of ['azure-asyncoperation', 'location']) {
    if (Boolean(fake.headers[header]) !== Boolean(recorded.headers[header])) problems.push(`header ${header} ${fake.headers[header] ? 'sent' : 'missing'}, recorded ${recorded.headers[header] ? 'sent' : 'absent'}`)
  }
  if (fake.headers['retry-after'] && fake.headers['retry-after'] !== '0' && fake.status < 400) problems.push(`Retry-After ${fake.headers['retry-after']} on a ${fake.status}`)
  if (fake.status === recorded.status) {
    const fakeShape = shapeOf(fake.body)
    const recordedShape = shapeOf(recorded.body)
    const extra = invented(fakeShape, recordedShape)
    if (extra.length) problems.push(`fields Azure did not send: ${extra.join(', ')}`)
    const required = requiredPaths(shape, recorded.method, recorded.status)
    const absent = [...missing(recordedShape, required).map((path) => `recorded lacks ${path}`), ...missing(fakeShape, required).map((path) => `fake lacks ${path}`)]
    if (absent.length) problems.push(absent.join(', '))
  }
  return problems
}

interface ReplayOptions {
  /** resource groups the recording assumed to exist */
  groups?: string[]
  /** recorded 429s: the fake is told to throttle that request once */
  throttled?: number[]
  /** set up what the recording's calls read, before they are sent */
  prepare?: (fake: AzureFake) => void | Promise<void>
  /** rewrite a request path (a resource the fake keeps elsewhere) */
  path?: (path: string) => string
}

const TRANSIENT = new Set(['creating', 'updating', 'deleting', 'accepted', 'provisioning'])

/** Polls one of the fake's operation URLs until it ends; the answers, in order. */
async function pollToEnd(fake: AzureFake, token: string, url: string, monitor: boolean): Promise<Exchange[]> {
  const answers: Exchange[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    const answer = await sendTo(fake.ca, token, 'GET', url)
    answers.push(answer)
    const done = monitor ? answer.status !== 202 : ['Succeeded', 'Failed', 'Canceled'].includes((JSON.parse(answer.body || '{}') as { status?: string }).status ?? '')
    if (done) break
  }
  return answers
}

/**
 * Sends a cassette's requests to the fake in order, polls its operations to
 * the end, and compares every answer. The fake's operations move on when
 * polled; where the recording shows an operation already over (a 404 after
 * a delete, a settled state) without polls in between, the replay first
 * polls the fake's operation to its end, as time did for Azure.
 */
async function replayAgainstFake(fake: AzureFake, file: string, options: ReplayOptions = {}): Promise<Comparison[]> {
  await fake.control('POST', '/reset')
  const token = fake.token().token
  const interactions = readCassette(file)
  const rewrite = (text: string) => text.replaceAll(RECORDED_SUBSCRIPTION, fake.subscriptionId).replaceAll('https://management.azure.com', fake.endpoint)
  for (const group of options.groups ?? []) {
    await sendTo(fake.ca, token, 'PUT', `${fake.endpoint}/subscriptions/${fake.subscriptionId}/resourcegroups/${group}?api-version=2021-04-01`, JSON.stringify({ location: 'eastus' }))
  }
  await options.prepare?.(fake)
  const operations = new Map<string, { asyncOperation?: string; location?: string }>()
  /** the fake's unfinished operation per resource path it acts on */
  const pending = new Map<string, { url: string; monitor: boolean }>()
  const skipped = new Set<string>()
  const consumed = new Set<number>()
  const comparisons: Comparison[] = []
  const operationKey = (url: string) => new URL(url).pathname.toLowerCase()
  const resourceKey = (url: string) => operationKey(url).replace(/\/+$/, '')

  for (const recorded of interactions) {
    if (consumed.has(recorded.index)) continue
    const shape = pathShape(recorded.url)
    if (NOT_USED.some((pattern) => pattern.test(shape))) {
      for (const header of [recorded.headers['azure-asyncoperation'], recorded.headers.location]) if (header) skipped.add(operationKey(header))
      continue
    }
    if (isPoll(shape)) {
      // every recorded poll of this operation, answered by polling the fake's own operation to its end
      const key = operationKey(recorded.url)
      if (skipped.has(key)) continue
      const fakeUrls = operations.get(key)
      if (!fakeUrls) throw new Error(`${file}#${recorded.index}: a poll of an operation the replay never started`)
      const monitor = shape.endsWith('?monitor') || shape.includes('/operationresults/')
      const group = interactions.filter((other) => operationKey(other.url) === key && pathShape(other.url).endsWith('?monitor') === shape.endsWith('?monitor'))
      for (const other of group) consumed.add(other.index)
      const url = monitor ? fakeUrls.location : fakeUrls.asyncOperation
      if (!url) throw new Error(`${file}#${recorded.index}: the fake gave no ${monitor ? 'Location' : 'Azure-AsyncOperation'} to poll`)
      const fakePolls = await pollToEnd(fake, token, url, monitor)
      const state = (exchange: { status: number; body: string }) => `${exchange.status}:${(JSON.parse(exchange.body || '{}') as { status?: string }).status ?? ''}`
      for (const poll of fakePolls) {
        const twin = group.find((candidate) => state(candidate) === state(poll)) ?? group.at(-1)!
        comparisons.push({ index: twin.index, call: `poll ${shape}`, problems: compare(twin, poll) })
      }
      expect(state(fakePolls.at(-1)!), `${file}#${recorded.index}: the fake's operation ends as Azure's did`).toBe(state(group.at(-1)!))
      continue
    }
    let path = new URL(recorded.url).pathname + new URL(recorded.url).search
    if (options.path) path = options.path(path)
    const fakeUrl = `${fake.endpoint}${rewrite(path)}`
    const recordedState = String((JSON.parse(recorded.body || '{}') as { properties?: { provisioningState?: string } }).properties?.provisioningState ?? '').toLowerCase()
    if (recorded.method === 'GET' && (recorded.status === 404 || !TRANSIENT.has(recordedState))) {
      // the nearest: the resource's own operation, else its closest parent's (a resource group being deleted)
      const target = resourceKey(fakeUrl)
      const nearest = [...pending.keys()].filter((resource) => target === resource || target.startsWith(`${resource}/`)).sort((a, b) => b.length - a.length)[0]
      if (nearest) {
        const operation = pending.get(nearest)!
        await pollToEnd(fake, token, operation.url, operation.monitor)
        pending.delete(nearest)
      }
    }
    if (options.throttled?.includes(recorded.index)) await fake.control('POST', '/faults', { kind: 'throttle', method: recorded.method, path: rewrite(new URL(recorded.url).pathname), times: 1 })
    const answer = await sendTo(fake.ca, token, recorded.method, fakeUrl, rewrite(recorded.requestBody))
    if (recorded.headers['azure-asyncoperation'] || recorded.headers.location) {
      const entry = { asyncOperation: answer.headers['azure-asyncoperation'], location: answer.headers.location }
      for (const header of [recorded.headers['azure-asyncoperation'], recorded.headers.location]) if (header) operations.set(operationKey(header), entry)
      const poll = entry.asyncOperation ? { url: entry.asyncOperation, monitor: false } : entry.location ? { url: entry.location, monitor: true } : undefined
      if (poll) pending.set(resourceKey(fakeUrl), poll)
    }
    comparisons.push({ index: recorded.index, call: `${recorded.method} ${shape}`, problems: compare(recorded, answer) })
  }
  return comparisons
}

function expectAgreement(comparisons: Comparison[], minimum: number) {
  const failures = comparisons.filter((comparison) => comparison.problems.length).map((comparison) => `#${comparison.index} ${comparison.call}: ${comparison.problems.join('; ')}`)
  expect(failures).toEqual([])
  expect(comparisons.length).toBeGreaterThanOrEqual(minimum)
}

describe('the fake answers the recorded requests as Azure did', () => {
  let fake: AzureFake
  beforeAll(async () => { fake = await startAzureFake({ lroAutoCompleteMs: 60_000 }) })
  afterAll(async () => { await fake?.close() })

  it('scale set create, read, update and delete with its network, and resource group deletion', async () => {
    expectAgreement(await replayAgainstFake(fake, 'Test_Compute_VMSS_20220301_CRUD.yaml'), 40)
  })

  it('public IP and load balancer create, read and delete', async () => {
    expectAgreement(await replayAgainstFake(fake, 'Test_Networking_LoadBalancer_CRUD.yaml'), 18)
  })

  it('network security group and rule create, update and delete', async () => {
    expectAgreement(await replayAgainstFake(fake, 'Test_Networking_NetworkSecurityGroup_CRUD.yaml'), 28)
  })

  it('autoscale settings on a scale set, including a throttled load balancer PUT', async () => {
    expectAgreement(await replayAgainstFake(fake, 'Test_Insights_Autoscalesetting_CRUD.yaml', { throttled: [6] }), 40)
  })

  it('autoscale settings with PATCH', async () => {
    expectAgreement(await replayAgainstFake(fake, 'test_cli_mgmt_monitor.test_autoscale_settings.yaml', { groups: ['rgname'] }), 12)
  })

  it('rolling upgrades: start, read the latest, cancel', async () => {
    expectAgreement(await replayAgainstFake(fake, 'test_mgmt_compute_vmss.test_compute_vmss_rolling_upgrades.yaml', { groups: ['rgname'] }), 20)
  })

  it('metric definitions and Percentage CPU of a VM', async () => {
    expectAgreement(await replayAgainstFake(fake, 'test_mgmt_monitor.test_metrics.yaml', {
      groups: ['amar'],
      prepare: (running) => {
        const id = `/subscriptions/${running.subscriptionId}/resourceGroups/amar/providers/Microsoft.Compute/virtualMachines/abuntu2`
        running.state.put({ id, name: 'abuntu2', type: 'Microsoft.Compute/virtualMachines', location: 'eastus', tags: {}, properties: { provisioningState: 'Succeeded' } })
      },
    }), 2)
  })

  it('cost queries: one page, and a first page with a nextLink', async () => {
    const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1))
    const records = Array.from({ length: 1200 }, (_, i) => ({
      date: new Date(lastMonth.getTime() + (i % 28) * 86_400_000).toISOString().slice(0, 10), cost: 1 + (i % 7), currency: 'USD', tags: {}, resourceGroup: `group-${Math.floor(i / 28)}`,
    }))
    const seed = async (running: AzureFake) => { await running.control('POST', '/costs', { records }) }
    expectAgreement(await replayAgainstFake(fake, 'test_data_aggregation_in_subscription_scope.yaml', { prepare: seed }), 1)
    const grouped = await replayAgainstFake(fake, 'test_data_grouping_in_subscription_scopde.yaml', { prepare: seed })
    expectAgreement(grouped, 1)
  })
})
