/**
 * The fake's control endpoint, under /_fake (no authentication): reset,
 * inject and clear faults, seed cost records and CPU values, change timing
 * options, seed many scale sets at once (benchmarks), read the state and the
 * request log, and issue a token for in-process tests.
 *
 * Faults (POST /_fake/faults, one object or a list; `times` limits how many
 * requests a fault applies to):
 * - { kind: 'failLro', method?, path?, code? }: the matching request's operation ends Failed.
 * - { kind: 'unhealthy', contains }: VMs whose model's custom data contains the text stay unhealthy.
 * - { kind: 'throttle', method?, path?, retryAfter? }: 429 with Retry-After.
 * - { kind: 'serverError', method?, path?, status? }: 503 (or status).
 * - { kind: 'deny', action }: 403 AuthorizationFailed for that ARM action.
 * - { kind: 'refuseCredentials' }: the token endpoint refuses the client secret.
 * - { kind: 'unregistered', namespace }: the resource provider reads NotRegistered until registered.
 */
import { badRequest, isObject, ok, uuid, type FakeRequest, type FakeResponse } from './http.ts'
import { healthOf } from './compute.ts'
import { issueToken } from './identity.ts'
import type { Ctx } from './routing.ts'
import type { ArmResource, CostRecord, Fault, FakeOptions, FakeState } from './state.ts'

const FAULT_KINDS = new Set(['failLro', 'unhealthy', 'throttle', 'serverError', 'deny', 'refuseCredentials', 'unregistered'])

function describe(state: FakeState, request: FakeRequest) {
  const ctx = { state, request, caller: { clientId: 'control', objectId: 'control', tenantId: 'control', expiresAt: 0 }, route: { scope: '', subscription: '', namespace: '', rest: [] } } as Ctx
  return {
    resources: [...state.resources.values()].map((resource) => ({ id: resource.id, type: resource.type, tags: resource.tags ?? {}, provisioningState: resource.properties.provisioningState, sku: resource.sku })),
    scaleSets: Object.fromEntries([...state.scaleSets].map(([id, set]) => [id, {
      current: set.current,
      vms: set.vms.map((vm) => ({ instanceId: vm.instanceId, model: vm.model, health: healthOf(ctx, set, vm) ?? 'none', provisioningState: vm.provisioningState })),
      rolling: set.rolling,
    }])),
    deletedVaults: [...state.deletedVaults.keys()],
    secrets: [...state.secretValues.keys()],
    faults: state.faults,
  }
}

interface SeedRequest { subscription: string; resourceGroup: string; location?: string; project: string; count: number; perSet: number; vmSize?: string }

/** Many tagged scale sets with running, healthy VMs, without going through hundreds of operations. */
function seedScaleSets(state: FakeState, seed: SeedRequest): number {
  const location = seed.location ?? 'westeurope'
  const groupId = `/subscriptions/${seed.subscription}/resourceGroups/${seed.resourceGroup}`
  if (!state.get(groupId)) {
    state.put({ id: groupId, name: seed.resourceGroup, type: 'Microsoft.Resources/resourceGroups', location, tags: { 'strato.project': seed.project }, properties: { provisioningState: 'Succeeded' } })
  }
  for (let i = 0; i < seed.count; i++) {
    const service = `svc-${String(i).padStart(3, '0')}`
    const name = `strato-${seed.project}-${service}`
    const id = `${groupId}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`
    const profile = {
      osProfile: { computerNamePrefix: `s${i}`, adminUsername: 'strato', customData: Buffer.from(`#cloud-config\n# ${service}\n`).toString('base64') },
      storageProfile: { imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' }, osDisk: { createOption: 'FromImage', managedDisk: { storageAccountType: 'StandardSSD_LRS' } } },
      extensionProfile: { extensions: [{ name: 'health', properties: { publisher: 'Microsoft.ManagedServices', type: 'ApplicationHealthLinux', typeHandlerVersion: '2.0', settings: { protocol: 'http', port: 8080, requestPath: '/' } } }] },
    }
    const resource: ArmResource = {
      id, name, type: 'Microsoft.Compute/virtualMachineScaleSets', location,
      tags: { 'strato.project': seed.project, 'strato.service': service, 'strato.version': 'v1', 'strato.role': 'scale-set' },
      sku: { name: seed.vmSize ?? 'Standard_B2s', tier: 'Standard', capacity: seed.perSet },
      properties: { orchestrationMode: 'Uniform', upgradePolicy: { mode: 'Manual' }, virtualMachineProfile: profile, provisioningState: 'Succeeded', uniqueId: uuid(), timeCreated: new Date().toISOString() },
    }
    state.put(resource)
    const now = Date.now() - state.options.bootMs
    state.scaleSets.set(id.toLowerCase(), {
      models: new Map([[1, { profile, customData: '' }]]), current: 1, nextInstance: seed.perSet,
      vms: Array.from({ length: seed.perSet }, (_, n) => ({ instanceId: String(n), vmId: uuid(), model: 1, createdAt: now, bootedAt: now, privateIp: state.nextAddress('10.1'), provisioningState: 'Succeeded' })),
    })
  }
  return seed.count
}

export function controlRoute(state: FakeState, request: FakeRequest): FakeResponse | undefined {
  const path = request.path.replace(/^\/_fake/, '').replace(/\/+$/, '') || '/'
  const body = request.json
  switch (`${request.method} ${path}`) {
    case 'GET /health': return ok({ ok: true })
    case 'POST /reset': state.reset(); return ok({ reset: true })
    case 'GET /faults': return ok({ faults: state.faults })
    case 'DELETE /faults': state.faults = []; return ok({ faults: [] })
    case 'POST /faults': {
      const list = (Array.isArray(body) ? body : [body]) as Fault[]
      for (const fault of list) {
        if (!isObject(fault) || !FAULT_KINDS.has(String(fault.kind))) return badRequest(`Unknown fault ${JSON.stringify(fault)}; kinds: ${[...FAULT_KINDS].join(', ')}.`)
      }
      state.faults.push(...list)
      return ok({ faults: state.faults })
    }
    case 'POST /costs': {
      const records = (isObject(body) ? body.records : undefined) as CostRecord[] | undefined
      if (!Array.isArray(records)) return badRequest('POST /_fake/costs takes { records: [{ date, cost, currency, tags, resourceGroup }] }.')
      state.costRecords.push(...records)
      return ok({ records: state.costRecords.length })
    }
    case 'DELETE /costs': state.costRecords = []; return ok({ records: 0 })
    case 'POST /cpu': {
      if (!isObject(body) || typeof body.resourceId !== 'string' || typeof body.value !== 'number') return badRequest('POST /_fake/cpu takes { resourceId, value }.')
      state.cpu.set(body.resourceId.toLowerCase(), body.value)
      return ok({ cpu: body.value })
    }
    case 'POST /options': {
      if (!isObject(body)) return badRequest('POST /_fake/options takes an object of options.')
      Object.assign(state.options, body as Partial<FakeOptions>)
      return ok(state.options)
    }
    case 'POST /seed/scale-sets': {
      const seed = body as SeedRequest
      if (!isObject(body) || !seed.subscription || !seed.resourceGroup || !seed.project || !Number.isInteger(seed.count) || !Number.isInteger(seed.perSet)) {
        return badRequest('POST /_fake/seed/scale-sets takes { subscription, resourceGroup, project, count, perSet, location?, vmSize? }.')
      }
      return ok({ seeded: seedScaleSets(state, seed) })
    }
    case 'POST /token': {
      const clientId = isObject(body) && typeof body.clientId === 'string' ? body.clientId : 'strato-tests'
      const tenantId = isObject(body) && typeof body.tenantId === 'string' ? body.tenantId : 'strato-fake-tenant'
      const issued = issueToken(state, request, clientId, tenantId, 'https://management.azure.com/.default')
      return ok({ token: issued.token, expiresOnTimestamp: Date.now() + issued.expiresIn * 1000 })
    }
    case 'GET /state': return ok(describe(state, request))
    case 'GET /log': return ok({ calls: state.log })
    case 'DELETE /log': state.log = []; return ok({ calls: [] })
    default: return undefined
  }
}
