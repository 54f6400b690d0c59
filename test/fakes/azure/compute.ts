/**
 * Microsoft.Compute: Uniform virtual machine scale sets with simulated VMs,
 * their instance views and health, manual and rolling upgrades, instance
 * deletion, managed disks and plain VMs (stored as given). A scale set keeps every model it was given;
 * each VM runs one of them. Health comes from the application health
 * extension when the model has one: healthy after bootMs, unless an
 * `unhealthy` fault names text the model's custom data contains.
 */
import { armError, badRequest, clone, isObject, notFound, ok, page, uuid, type FakeResponse } from './http.ts'
import {
  actionLongRunning, deleteLongRunning, envelope, listOfType, putLongRunning, registerViewer, requireGroup, requireLocation, resourceIdOf, validateTags, viewOf, type Ctx,
} from './routing.ts'
import type { ArmResource, ScaleSetModel, ScaleSetState, SimulatedVm } from './state.ts'

const NS = 'Microsoft.Compute'
const VMSS = 'Microsoft.Compute/virtualMachineScaleSets'
const VM = 'Microsoft.Compute/virtualMachines'

function decodeCustomData(profile: Record<string, unknown>): string {
  const encoded = (profile.osProfile as { customData?: string } | undefined)?.customData
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : ''
}

function hasHealthExtension(model: ScaleSetModel | undefined): boolean {
  const extensions = ((model?.profile.extensionProfile as { extensions?: { properties?: { type?: string } }[] } | undefined)?.extensions) ?? []
  return extensions.some((extension) => /^ApplicationHealth(Linux|Windows)$/.test(extension.properties?.type ?? ''))
}

function capacityOf(resource: ArmResource): number {
  return Number((resource.sku as { capacity?: number } | undefined)?.capacity ?? 0)
}

/** A VM's health code (HealthState/...), from its model and age. */
export function healthOf(ctx: Ctx, set: ScaleSetState, vm: SimulatedVm): 'healthy' | 'unhealthy' | 'initializing' | undefined {
  const model = set.models.get(vm.model)
  if (!hasHealthExtension(model)) return undefined
  if (ctx.state.hasFault('unhealthy', (fault) => Boolean(fault.contains) && model!.customData.includes(fault.contains!))) return 'unhealthy'
  return Date.now() - vm.bootedAt >= ctx.state.options.bootMs ? 'healthy' : 'initializing'
}

function addVms(ctx: Ctx, resource: ArmResource, set: ScaleSetState, count: number): void {
  const zones = resource.zones ?? []
  for (let i = 0; i < count; i++) {
    const instanceId = String(set.nextInstance++)
    set.vms.push({
      instanceId, vmId: uuid(), model: set.current, zone: zones.length ? zones[Number(instanceId) % zones.length] : undefined,
      createdAt: Date.now(), bootedAt: Date.now(), privateIp: ctx.state.nextAddress('10.0'), provisioningState: 'Succeeded',
    })
  }
}

/** Scale-in removes the newest VMs first, as the Default policy does once zones are balanced. */
function resize(ctx: Ctx, resource: ArmResource, set: ScaleSetState, capacity: number): void {
  if (capacity > set.vms.length) addVms(ctx, resource, set, capacity - set.vms.length)
  else set.vms = [...set.vms].sort((a, b) => Number(a.instanceId) - Number(b.instanceId)).slice(0, capacity)
}

function modelKey(profile: Record<string, unknown>): string {
  return JSON.stringify(profile)
}

function validateScaleSet(ctx: Ctx, body: Record<string, unknown>, existing: ArmResource | undefined): FakeResponse | undefined {
  const properties = (body.properties ?? {}) as Record<string, unknown>
  const sku = body.sku as { name?: string; capacity?: number } | undefined
  if (!existing && !sku?.name) return badRequest("Required parameter 'sku.name' is missing (null).", 'InvalidParameter')
  if (sku?.capacity !== undefined && (!Number.isInteger(sku.capacity) || sku.capacity < 0 || sku.capacity > 1000)) {
    return badRequest(`The capacity ${sku.capacity} is out of range: it must be between 0 and 1000.`, 'InvalidParameter')
  }
  const profile = properties.virtualMachineProfile as Record<string, unknown> | undefined
  if (!existing && !profile) return badRequest("Required parameter 'virtualMachineProfile' is missing (null).", 'InvalidParameter')
  if (properties.orchestrationMode && properties.orchestrationMode !== 'Uniform') {
    return badRequest('The fake simulates Uniform orchestration only.', 'OperationNotAllowed')
  }
  if (profile) {
    const os = profile.osProfile as Record<string, unknown> | undefined
    if (!os?.computerNamePrefix && !existing) return badRequest("Required parameter 'osProfile.computerNamePrefix' is missing (null).", 'InvalidParameter')
    if (typeof os?.customData === 'string' && Buffer.from(os.customData, 'base64').length > 65_535) {
      return badRequest('The custom data is larger than 64 KB.', 'InvalidParameter')
    }
    const nics = ((profile.networkProfile as { networkInterfaceConfigurations?: { properties?: { ipConfigurations?: { properties?: Record<string, unknown> }[] } }[] } | undefined)?.networkInterfaceConfigurations) ?? []
    for (const nic of nics) {
      for (const config of nic.properties?.ipConfigurations ?? []) {
        const refs = [config.properties?.subnet, ...((config.properties?.loadBalancerBackendAddressPools as unknown[]) ?? [])] as ({ id?: string } | undefined)[]
        for (const ref of refs) {
          if (!ref?.id) continue
          const [parentId, , childName] = splitChild(ref.id)
          const parent = ctx.state.get(parentId)
          const found = parent && (childName === undefined || JSON.stringify(parent.properties).toLowerCase().includes(`"${ref.id.toLowerCase()}"`))
          if (!found) return badRequest(`Resource ${ref.id} referenced by the scale set was not found.`, 'InvalidResourceReference')
        }
      }
    }
    const policy = (properties.upgradePolicy as { mode?: string } | undefined)?.mode
    if (policy === 'Rolling' && !hasHealthExtension({ profile, customData: '' }) && !(profile.networkProfile as { healthProbe?: unknown } | undefined)?.healthProbe) {
      return badRequest('Rolling upgrade mode requires a health probe or the application health extension.', 'BadRequest')
    }
  }
  return undefined
}

/** Splits `.../loadBalancers/lb/backendAddressPools/pool` into the parent id, child type and name. */
function splitChild(id: string): [string, string | undefined, string | undefined] {
  const parts = id.split('/')
  const providers = parts.map((part) => part.toLowerCase()).lastIndexOf('providers')
  const depth = parts.length - providers - 2
  if (depth <= 2) return [id, undefined, undefined]
  return [parts.slice(0, providers + 4).join('/'), parts[providers + 4], parts[providers + 5]]
}

/**
 * What a GET shows: customData and adminPassword are never returned, as Azure
 * never returns them; timeCreated and orchestrationMode only from the API
 * versions that added them.
 */
function view(ctx: Ctx, resource: ArmResource): ArmResource {
  const os = (resource.properties.virtualMachineProfile as { osProfile?: Record<string, unknown> } | undefined)?.osProfile
  if (os) {
    delete os.customData
    delete os.adminPassword
  }
  const profile = resource.properties.virtualMachineProfile as Record<string, unknown> | undefined
  // userData is returned only when asked for with $expand=userData
  if (profile && ctx.request.query.get('$expand') !== 'userData') delete profile.userData
  const version = ctx.request.query.get('api-version') ?? '9999'
  if (version < '2021-11-01') delete resource.properties.timeCreated
  if (version < '2021-03-01') delete resource.properties.orchestrationMode
  return resource
}
registerViewer(VMSS, view)

function putScaleSet(ctx: Ctx, id: string, name: string, existing: ArmResource | undefined): FakeResponse {
  const body = ctx.request.json
  if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
  const invalid = requireLocation(body) ?? validateTags(body) ?? validateScaleSet(ctx, body, existing)
  if (invalid) return invalid
  const resource = envelope(existing?.id ?? id, existing?.name ?? name, VMSS, body, existing)
  const sku = { ...(existing?.sku ?? {}), ...(body.sku as Record<string, unknown>) }
  resource.sku = { name: sku.name, tier: sku.tier ?? 'Standard', capacity: sku.capacity ?? 0 }
  resource.properties.orchestrationMode = 'Uniform'
  resource.properties.upgradePolicy ??= { mode: 'Manual' }
  resource.properties.uniqueId = existing?.properties.uniqueId ?? uuid()
  resource.properties.timeCreated = existing?.properties.timeCreated ?? new Date().toISOString()
  resource.properties.overprovision ??= false
  resource.properties.singlePlacementGroup ??= false
  if (isObject(resource.identity) && String(resource.identity.type).includes('SystemAssigned')) {
    resource.identity = { ...resource.identity, principalId: (existing?.identity as { principalId?: string } | undefined)?.principalId ?? uuid(), tenantId: ctx.caller.tenantId }
  }
  const key = id.toLowerCase()
  const set: ScaleSetState = ctx.state.scaleSets.get(key) ?? { models: new Map(), current: 0, nextInstance: 0, vms: [] }
  const profile = resource.properties.virtualMachineProfile as Record<string, unknown>
  const current = set.models.get(set.current)
  if (!current || modelKey(current.profile) !== modelKey(profile)) {
    const previous = set.current
    // a model identical to an earlier one is that model again: its VMs are up to date once more
    const same = [...set.models].find(([, model]) => modelKey(model.profile) === modelKey(profile))?.[0]
    set.current = same ?? Math.max(0, ...set.models.keys()) + 1
    if (same === undefined) set.models.set(set.current, { profile: clone(profile), customData: decodeCustomData(profile) })
    if (current) upgradeOnModelChange(ctx, resource, set, previous)
  }
  ctx.state.scaleSets.set(key, set)
  resize(ctx, resource, set, capacityOf(resource))
  for (const vm of set.vms) vm.provisioningState = existing ? 'Updating' : 'Creating'
  return putLongRunning(ctx, resource, !existing, existing ? 'Updating' : 'Creating', NS, () => {
    for (const vm of set.vms) vm.provisioningState = 'Succeeded'
  })
}

/** Automatic upgrades every VM at once; Rolling in batches, stopping (Faulted) when upgraded VMs stay unhealthy. */
function upgradeOnModelChange(ctx: Ctx, resource: ArmResource, set: ScaleSetState, previous: number): void {
  const mode = (resource.properties.upgradePolicy as { mode?: string }).mode
  if (mode === 'Automatic') {
    for (const vm of set.vms) { vm.model = set.current; vm.bootedAt = Date.now() }
  }
  if (mode === 'Rolling') {
    const startTime = new Date().toISOString()
    let successful = 0
    for (const vm of set.vms) {
      vm.model = set.current
      vm.bootedAt = Date.now() - ctx.state.options.bootMs
      if (healthOf(ctx, set, vm) === 'unhealthy') {
        const policy = (resource.properties.upgradePolicy as { rollingUpgradePolicy?: { rollbackFailedInstancesOnPolicyBreach?: boolean } }).rollingUpgradePolicy
        if (policy?.rollbackFailedInstancesOnPolicyBreach) vm.model = previous
        set.rolling = { code: 'Faulted', startTime, endTime: new Date().toISOString(), successful, failed: 1, error: { code: 'MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade', message: 'The rolling upgrade stopped: upgraded instances did not turn healthy.' } }
        return
      }
      successful++
    }
    set.rolling = { code: 'Completed', startTime, endTime: new Date().toISOString(), successful, failed: 0 }
  }
}

function vmView(ctx: Ctx, resource: ArmResource, set: ScaleSetState, vm: SimulatedVm, expand: boolean): Record<string, unknown> {
  const model = set.models.get(vm.model)
  const profile = clone(model?.profile ?? {}) as Record<string, unknown>
  const os = (profile.osProfile ?? {}) as Record<string, unknown>
  delete os.customData
  delete os.adminPassword
  const computerName = computerNameOf(resource, set, vm)
  const properties: Record<string, unknown> = {
    latestModelApplied: vm.model === set.current,
    modelDefinitionApplied: 'VirtualMachineScaleSet',
    vmId: vm.vmId,
    hardwareProfile: {},
    storageProfile: profile.storageProfile ?? {},
    osProfile: { ...os, computerName, computerNamePrefix: undefined },
    networkProfile: { networkInterfaces: [{ id: `${resource.id}/virtualMachines/${vm.instanceId}/networkInterfaces/${resource.name}-nic` }] },
    networkProfileConfiguration: profile.networkProfile ?? {},
    provisioningState: vm.provisioningState,
    timeCreated: new Date(vm.createdAt).toISOString(),
  }
  if (expand) properties.instanceView = instanceView(ctx, set, vm, computerName)
  return {
    name: `${resource.name}_${vm.instanceId}`,
    id: `${resource.id}/virtualMachines/${vm.instanceId}`,
    type: `${VMSS}/virtualMachines`,
    location: resource.location,
    tags: clone(resource.tags ?? {}),
    instanceId: vm.instanceId,
    sku: { name: (resource.sku as { name?: string }).name, tier: 'Standard' },
    ...(vm.zone ? { zones: [vm.zone] } : {}),
    properties,
  }
}

/** Uniform scale sets name VMs after the prefix and the instance id in base 36, six digits. */
function computerNameOf(resource: ArmResource, set: ScaleSetState, vm: SimulatedVm): string {
  const os = (set.models.get(vm.model)?.profile.osProfile ?? {}) as { computerNamePrefix?: string }
  return `${os.computerNamePrefix ?? resource.name}${Number(vm.instanceId).toString(36).padStart(6, '0')}`
}

function instanceView(ctx: Ctx, set: ScaleSetState, vm: SimulatedVm, computerName: string): Record<string, unknown> {
  const health = healthOf(ctx, set, vm)
  const time = new Date(vm.bootedAt).toISOString()
  return {
    platformUpdateDomain: Number(vm.instanceId) % 5,
    platformFaultDomain: Number(vm.instanceId) % 3,
    computerName,
    osName: 'ubuntu',
    osVersion: '24.04',
    vmAgent: { vmAgentVersion: '2.11.1.12', statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Ready', message: 'Guest Agent is running', time }] },
    ...(health ? { vmHealth: { status: { code: `HealthState/${health}`, level: 'Info', displayStatus: health === 'healthy' ? 'The VM is reporting healthy' : `The VM health is ${health}` } } } : {}),
    statuses: [
      { code: `ProvisioningState/${vm.provisioningState.toLowerCase()}`, level: 'Info', displayStatus: vm.provisioningState === 'Succeeded' ? 'Provisioning succeeded' : vm.provisioningState, time },
      { code: 'PowerState/running', level: 'Info', displayStatus: 'VM running' },
    ],
  }
}

function scaleSetInstanceView(resource: ArmResource, set: ScaleSetState): Record<string, unknown> {
  const counts = new Map<string, number>()
  for (const vm of set.vms) counts.set(`ProvisioningState/${vm.provisioningState.toLowerCase()}`, (counts.get(`ProvisioningState/${vm.provisioningState.toLowerCase()}`) ?? 0) + 1)
  return {
    virtualMachine: { statusesSummary: [...counts].map(([code, count]) => ({ code, count })) },
    statuses: [{ code: `ProvisioningState/${String(resource.properties.provisioningState).toLowerCase()}`, level: 'Info', displayStatus: 'Provisioning succeeded', time: resource.properties.timeCreated }],
    orchestrationServices: [],
  }
}

function instanceIdsOf(ctx: Ctx, set: ScaleSetState): string[] | FakeResponse {
  const body = ctx.request.json
  const ids = isObject(body) && Array.isArray(body.instanceIds) ? (body.instanceIds as unknown[]).map(String) : undefined
  if (!ids) return badRequest("Required parameter 'instanceIds' is missing (null).", 'InvalidParameter')
  const unknown = ids.filter((id) => id !== '*' && !set.vms.some((vm) => vm.instanceId === id))
  if (unknown.length) return armError(404, 'NotFound', `The instance ids ${unknown.join(', ')} are not part of the scale set.`)
  return ids.includes('*') ? set.vms.map((vm) => vm.instanceId) : ids
}

function scaleSetAction(ctx: Ctx, resource: ArmResource, set: ScaleSetState, action: string): FakeResponse | undefined {
  const location = resource.location ?? 'westeurope'
  switch (action.toLowerCase()) {
    case 'delete': {
      const ids = instanceIdsOf(ctx, set)
      if (!Array.isArray(ids)) return ids
      const gone = new Set(ids)
      for (const vm of set.vms) if (gone.has(vm.instanceId)) vm.provisioningState = 'Deleting'
      return actionLongRunning(ctx, location, NS, (succeeded) => {
        if (!succeeded) return
        set.vms = set.vms.filter((vm) => !gone.has(vm.instanceId))
        ;(resource.sku as { capacity: number }).capacity = set.vms.length
      })
    }
    case 'manualupgrade': {
      const ids = instanceIdsOf(ctx, set)
      if (!Array.isArray(ids)) return ids
      return actionLongRunning(ctx, location, NS, (succeeded) => {
        if (!succeeded) return
        for (const vm of set.vms) if (ids.includes(vm.instanceId)) { vm.model = set.current; vm.bootedAt = Date.now() }
      })
    }
    case 'osrollingupgrade':
    case 'extensionrollingupgrade':
      return actionLongRunning(ctx, location, NS, () => {
        const previous = set.vms[0]?.model ?? set.current
        upgradeOnModelChange(ctx, { ...resource, properties: { ...resource.properties, upgradePolicy: { ...(resource.properties.upgradePolicy as object), mode: 'Rolling' } } }, set, previous)
      })
    case 'restart':
    case 'start':
      return actionLongRunning(ctx, location, NS, () => { for (const vm of set.vms) vm.bootedAt = Date.now() })
    default:
      return undefined
  }
}

function scaleSetRoute(ctx: Ctx, name: string, tail: string[]): FakeResponse | undefined {
  const { request, route, state } = ctx
  const id = resourceIdOf(route, ['virtualMachineScaleSets', name])
  const existing = state.get(id)
  const set = state.scaleSets.get(id.toLowerCase())
  if (tail.length === 0) {
    switch (request.method) {
      case 'GET': return existing ? ok(viewOf(ctx, existing)) : notFound(VMSS, name, route.resourceGroup)
      case 'PUT': return putScaleSet(ctx, id, name, existing)
      case 'PATCH': {
        if (!existing) return notFound(VMSS, name, route.resourceGroup)
        const body = request.json
        if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
        const merged = { location: existing.location, tags: body.tags ?? existing.tags, sku: { ...existing.sku, ...(body.sku as object) }, identity: body.identity ?? existing.identity, zones: existing.zones, properties: mergeProperties(existing.properties, body.properties) }
        const saved = request.json
        request.json = merged
        try { return putScaleSet(ctx, id, name, existing) } finally { request.json = saved }
      }
      case 'DELETE': {
        if (!existing) return { status: 204 }
        for (const vm of set?.vms ?? []) vm.provisioningState = 'Deleting'
        return deleteLongRunning(ctx, existing, NS)
      }
      default: return undefined
    }
  }
  if (!existing || !set) return notFound(VMSS, name, route.resourceGroup)
  const [first, second, third] = tail
  const lower = first.toLowerCase()
  if (request.method === 'POST' && tail.length === 1) return scaleSetAction(ctx, existing, set, first)
  if (request.method === 'POST' && lower === 'rollingupgrades' && second?.toLowerCase() === 'cancel') {
    return actionLongRunning(ctx, existing.location ?? 'westeurope', NS, () => { if (set.rolling?.code === 'RollingForward') set.rolling.code = 'Cancelled' })
  }
  if (request.method !== 'GET' && !(lower === 'virtualmachines' && request.method === 'DELETE')) return undefined
  if (lower === 'instanceview') return ok(scaleSetInstanceView(existing, set))
  if (lower === 'rollingupgrades' && second?.toLowerCase() === 'latest') {
    if (!set.rolling) return armError(404, 'NotFound', `No rolling upgrade was run on ${name}.`)
    return ok({
      type: `${VMSS}/rollingUpgrades`, location: existing.location,
      properties: {
        policy: (existing.properties.upgradePolicy as { rollingUpgradePolicy?: unknown }).rollingUpgradePolicy ?? {},
        runningStatus: { code: set.rolling.code, startTime: set.rolling.startTime, lastAction: 'Start', lastActionTime: set.rolling.startTime },
        progress: { successfulInstanceCount: set.rolling.successful, failedInstanceCount: set.rolling.failed, inProgressInstanceCount: 0, pendingInstanceCount: 0 },
        ...(set.rolling.error ? { error: set.rolling.error } : {}),
      },
    })
  }
  if (lower === 'virtualmachines') {
    const expand = /instanceview/i.test(`${request.query.get('$expand') ?? ''}${request.query.get('$select') ?? ''}`)
    if (second === undefined) return ok(page(request, set.vms.map((vm) => vmView(ctx, existing, set, vm, expand)), state.options.pageSize))
    const vm = set.vms.find((candidate) => candidate.instanceId === second)
    if (!vm) return armError(404, 'NotFound', `The instance ${second} is not part of ${name}.`)
    if (request.method === 'DELETE') {
      return actionLongRunning(ctx, existing.location ?? 'westeurope', NS, (succeeded) => {
        if (!succeeded) return
        set.vms = set.vms.filter((candidate) => candidate !== vm)
        ;(existing.sku as { capacity: number }).capacity = set.vms.length
      })
    }
    if (third?.toLowerCase() === 'instanceview') return ok(instanceView(ctx, set, vm, computerNameOf(existing, set, vm)))
    if (third === undefined) return ok(vmView(ctx, existing, set, vm, expand))
  }
  return undefined
}

function mergeProperties(current: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (!isObject(patch)) return clone(current)
  const out = clone(current)
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isObject(value) && isObject(out[key]) ? mergeProperties(out[key] as Record<string, unknown>, value) : clone(value)
  }
  return out
}

/** Managed disks and standalone VMs: stored as given, for facts and metrics (strato itself creates neither). */
function plainRoute(ctx: Ctx, name: string | undefined, segment: 'disks' | 'virtualMachines'): FakeResponse | undefined {
  const { request, route, state } = ctx
  const type = segment === 'disks' ? 'Microsoft.Compute/disks' : VM
  if (name === undefined) return request.method === 'GET' ? ok(page(request, listOfType(ctx, type).map(clone), state.options.pageSize)) : undefined
  const id = resourceIdOf(route, [segment, name])
  const existing = state.get(id)
  if (request.method === 'GET') return existing ? ok(clone(existing)) : notFound(type, name, route.resourceGroup)
  if (request.method === 'PUT') {
    const body = request.json
    if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
    const invalid = requireLocation(body) ?? validateTags(body)
    if (invalid) return invalid
    const resource = envelope(id, name, type, body, existing)
    if (segment === 'disks') {
      resource.properties.encryption ??= { type: 'EncryptionAtRestWithPlatformKey' }
      resource.properties.diskState ??= 'Unattached'
    }
    return putLongRunning(ctx, resource, !existing, 'Updating', NS)
  }
  if (request.method === 'DELETE') return existing ? deleteLongRunning(ctx, existing, NS) : { status: 204 }
  return undefined
}

export function computeRoute(ctx: Ctx): FakeResponse | undefined {
  const [type, name, ...tail] = ctx.route.rest
  const lower = (type ?? '').toLowerCase()
  if (lower === 'virtualmachinescalesets') {
    if (name === undefined) {
      if (ctx.request.method !== 'GET') return undefined
      return (ctx.route.resourceGroup ? requireGroup(ctx) : undefined) ?? ok(page(ctx.request, listOfType(ctx, VMSS).map((resource) => viewOf(ctx, resource)), ctx.state.options.pageSize))
    }
    if (!ctx.route.resourceGroup) return undefined
    return requireGroup(ctx) ?? scaleSetRoute(ctx, name, tail)
  }
  if ((lower === 'disks' || lower === 'virtualmachines') && tail.length === 0) {
    if (name !== undefined && !ctx.route.resourceGroup) return undefined
    return (name !== undefined ? requireGroup(ctx) : undefined) ?? plainRoute(ctx, name, lower === 'disks' ? 'disks' : 'virtualMachines')
  }
  return undefined
}
