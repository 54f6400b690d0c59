/**
 * Regional managed instance groups with simulated instances. Each instance
 * is created, boots (timing.bootMs), is verified by the group's autohealing
 * health check (timing.healthyMs) and is deleted (timing.deleteMs); a
 * template marked unhealthy (a fault) yields instances that never pass.
 * The group reconciles on every read: it creates instances for versions
 * below their target, never more than targetSize + maxSurge at once, and
 * deletes outdated ones only while targetSize - maxUnavailable instances
 * stay ready, as a PROACTIVE update does. status.isStable,
 * versionTarget.isReached and currentActions are computed from that.
 */
import { randomBytes } from 'node:crypto'
import { type ComputeStore, fingerprintOf, withoutEmptyLists, lastSegment, link, relativeOf, type Resource } from './compute-store.ts'
import { fingerprintMismatch, inUse, invalid } from './http-errors.ts'

export interface ManagedInstance {
  id: string
  name: string
  zone: string
  /** relative link of its template */
  template: string
  versionName?: string
  createdAt: number
  runningAt: number
  /** undefined: never passes its health check */
  healthyAt: number | undefined
  deletingAt?: number
  natIp?: string
}

export interface GroupState {
  instances: ManagedInstance[]
}

interface Version { name?: string; instanceTemplate: string; targetSize?: { fixed?: number; percent?: number } }

const groupStates = new WeakMap<Resource, GroupState>()

export function stateOf(group: Resource): GroupState {
  let state = groupStates.get(group)
  if (!state) {
    state = { instances: [] }
    groupStates.set(group, state)
  }
  return state
}

export interface GroupContext {
  store: ComputeStore
  project: string
  /** relative template links whose instances never turn healthy */
  unhealthyTemplates: (template: string) => boolean
}

function zonesOf(group: Resource, region: string): string[] {
  const policy = group.distributionPolicy as { zones?: { zone: string }[] } | undefined
  const zones = (policy?.zones ?? []).map((entry) => lastSegment(entry.zone))
  return zones.length ? zones : ['b', 'c', 'd'].map((letter) => `${region}-${letter}`)
}

function versionsOf(group: Resource, project: string): Version[] {
  const versions = (group.versions as Version[] | undefined) ?? []
  if (versions.length) return versions.map((version) => ({ ...version, instanceTemplate: relativeOf(version.instanceTemplate, project) }))
  return [{ instanceTemplate: relativeOf(String(group.instanceTemplate), project) }]
}

/** Instances each template should have: fixed or percent targets first, the version without one takes the rest. */
export function versionTargets(group: Resource, project: string): Map<string, number> {
  const size = Number(group.targetSize ?? 0)
  const targets = new Map<string, number>()
  let assigned = 0
  const versions = versionsOf(group, project)
  for (const version of versions) {
    if (!version.targetSize) continue
    const count = Math.min(size - assigned, version.targetSize.fixed ?? Math.ceil(((version.targetSize.percent ?? 0) * size) / 100))
    targets.set(version.instanceTemplate, (targets.get(version.instanceTemplate) ?? 0) + count)
    assigned += count
  }
  const rest = versions.find((version) => !version.targetSize)
  if (rest) targets.set(rest.instanceTemplate, (targets.get(rest.instanceTemplate) ?? 0) + Math.max(0, size - assigned))
  return targets
}

const fixedOf = (value: unknown, fallback: number): number => {
  const fixed = (value as { fixed?: number } | undefined)?.fixed
  return typeof fixed === 'number' ? fixed : fallback
}

function hasAutohealing(group: Resource): boolean {
  return ((group.autoHealingPolicies as unknown[] | undefined) ?? []).length > 0
}

function isReady(group: Resource, instance: ManagedInstance, now: number): boolean {
  if (instance.deletingAt !== undefined || now < instance.runningAt) return false
  return !hasAutohealing(group) || (instance.healthyAt !== undefined && now >= instance.healthyAt)
}

function newInstance(context: GroupContext, group: Resource, template: string, zone: string, now: number): ManagedInstance {
  const { timing } = context.store
  const base = String(group.baseInstanceName ?? group.name)
  const runningAt = now + timing.bootMs
  const templateResource = context.store.resolve(template, context.project)
  const accessConfigs = ((templateResource?.properties as { networkInterfaces?: { accessConfigs?: unknown[] }[] } | undefined)?.networkInterfaces ?? [])
    .some((nic) => (nic.accessConfigs ?? []).length > 0)
  return {
    id: context.store.newId(),
    name: `${base}-${randomBytes(3).toString('hex').slice(0, 4)}`,
    zone,
    template,
    createdAt: now,
    runningAt,
    healthyAt: context.unhealthyTemplates(template) ? undefined : runningAt + timing.healthyMs,
    natIp: accessConfigs ? `34.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 255)}.${1 + Math.floor(Math.random() * 250)}` : undefined,
  }
}

/** One reconciliation step at time `now`: purge deleted instances, create missing ones, delete excess ones. */
export function reconcile(context: GroupContext, group: Resource, region: string, now = Date.now()): void {
  const state = stateOf(group)
  const { timing } = context.store
  state.instances = state.instances.filter((instance) => instance.deletingAt === undefined || now < instance.deletingAt + timing.deleteMs)
  const live = () => state.instances.filter((instance) => instance.deletingAt === undefined)
  const targets = versionTargets(group, context.project)
  const size = Number(group.targetSize ?? 0)
  const zones = zonesOf(group, region)
  const policy = (group.updatePolicy ?? {}) as { type?: string; maxSurge?: unknown; maxUnavailable?: unknown }
  const proactive = (policy.type ?? 'PROACTIVE') === 'PROACTIVE'
  const surge = fixedOf(policy.maxSurge, zones.length)
  const unavailable = fixedOf(policy.maxUnavailable, zones.length)

  // creations: the missing instances of each template, within targetSize + maxSurge
  const counts = (list: ManagedInstance[]) => {
    const byTemplate = new Map<string, number>()
    for (const instance of list) byTemplate.set(instance.template, (byTemplate.get(instance.template) ?? 0) + 1)
    return byTemplate
  }
  const have = counts(live())
  let room = Math.max(0, size + (proactive ? surge : 0) - live().length)
  for (const [template, want] of targets) {
    let missing = want - (have.get(template) ?? 0)
    // an opportunistic group replaces nothing on its own: it only fills up to targetSize
    if (!proactive) missing = Math.min(missing, Math.max(0, size - live().length))
    while (missing > 0 && room > 0) {
      const perZone = new Map(zones.map((zone) => [zone, 0]))
      for (const instance of live()) perZone.set(instance.zone, (perZone.get(instance.zone) ?? 0) + 1)
      const zone = [...perZone.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0][0]
      state.instances.push(newInstance(context, group, template, zone, now))
      missing--
      room--
    }
  }

  // deletions: excess instances of each template; unready ones go first and freely,
  // ready ones only while enough stay ready
  const after = counts(live())
  const minimumReady = Math.max(0, size - unavailable)
  for (const [template, count] of after) {
    let excess = count - (targets.get(template) ?? 0)
    if (excess <= 0 || (!proactive && targets.has(template) && live().length <= size)) continue
    const candidates = live().filter((instance) => instance.template === template)
      .sort((a, b) => Number(isReady(group, a, now)) - Number(isReady(group, b, now)) || a.createdAt - b.createdAt)
    for (const instance of candidates) {
      if (excess <= 0) break
      const ready = live().filter((other) => isReady(group, other, now)).length
      const replacementsReady = size === 0 || ready - (isReady(group, instance, now) ? 1 : 0) >= minimumReady
      if (isReady(group, instance, now) && !replacementsReady) break
      instance.deletingAt = now
      excess--
    }
  }
}

export type InstanceAction = 'CREATING' | 'VERIFYING' | 'DELETING' | 'NONE'

export function actionOf(group: Resource, instance: ManagedInstance, now: number): InstanceAction {
  if (instance.deletingAt !== undefined) return 'DELETING'
  if (now < instance.runningAt) return 'CREATING'
  if (hasAutohealing(group) && (instance.healthyAt === undefined || now < instance.healthyAt)) return 'VERIFYING'
  return 'NONE'
}

function healthOf(instance: ManagedInstance, now: number, healthyMs: number): string {
  if (instance.healthyAt !== undefined) return now >= instance.healthyAt ? 'HEALTHY' : 'UNKNOWN'
  return now >= instance.runningAt + healthyMs ? 'UNHEALTHY' : 'UNKNOWN'
}

function statusOf(instance: ManagedInstance, now: number): string {
  if (instance.deletingAt !== undefined) return 'STOPPING'
  return now < instance.runningAt ? 'PROVISIONING' : 'RUNNING'
}

const ACTION_KEYS = ['abandoning', 'creating', 'creatingWithoutRetries', 'deleting', 'none', 'recreating', 'refreshing', 'restarting', 'resuming', 'starting', 'stopping', 'suspending', 'verifying'] as const

function autoscalerOf(context: GroupContext, group: Resource, region: string): string | undefined {
  const target = relativeOf(group.selfLink, context.project)
  for (const autoscaler of context.store.collection(`projects/${context.project}/regions/${region}/autoscalers`).values()) {
    if (relativeOf(String(autoscaler.target), context.project) === target) return autoscaler.selfLink
  }
  return undefined
}

/** The group as the API shows it: stored fields plus status and currentActions of this moment. */
export function groupView(context: GroupContext, group: Resource, region: string): Record<string, unknown> {
  const now = Date.now()
  reconcile(context, group, region, now)
  const { instances } = stateOf(group)
  const actions = Object.fromEntries(ACTION_KEYS.map((key) => [key, 0])) as Record<(typeof ACTION_KEYS)[number], number>
  for (const instance of instances) actions[actionOf(group, instance, now).toLowerCase() as 'none'] += 1
  const targets = versionTargets(group, context.project)
  const live = instances.filter((instance) => instance.deletingAt === undefined)
  const perTemplate = new Map<string, number>()
  for (const instance of live) perTemplate.set(instance.template, (perTemplate.get(instance.template) ?? 0) + 1)
  const isReached = instances.length === live.length && [...new Set([...targets.keys(), ...perTemplate.keys()])]
    .every((template) => (targets.get(template) ?? 0) === (perTemplate.get(template) ?? 0))
  const isStable = instances.every((instance) => actionOf(group, instance, now) === 'NONE') && live.length === Number(group.targetSize ?? 0)
  const autoscaler = autoscalerOf(context, group, region)
  return {
    ...group,
    currentActions: actions,
    status: {
      isStable,
      versionTarget: { isReached },
      ...(autoscaler ? { autoscaler } : {}),
    },
  }
}

export function managedInstances(context: GroupContext, group: Resource, region: string): Record<string, unknown>[] {
  const now = Date.now()
  reconcile(context, group, region, now)
  const healthCheck = ((group.autoHealingPolicies as { healthCheck?: string }[] | undefined) ?? [])[0]?.healthCheck
  return stateOf(group).instances.map((instance) => ({
    id: instance.id,
    instance: link(`projects/${context.project}/zones/${instance.zone}/instances/${instance.name}`),
    instanceStatus: statusOf(instance, now),
    currentAction: actionOf(group, instance, now),
    version: { instanceTemplate: link(instance.template), ...(instance.versionName ? { name: instance.versionName } : {}) },
    ...(healthCheck ? { instanceHealth: [{ healthCheck: link(relativeOf(healthCheck, context.project)), detailedHealthState: healthOf(instance, now, context.store.timing.healthyMs) }] } : {}),
  }))
}

/** The compute#instance the API would list for one managed instance. */
export function instanceResource(context: GroupContext, group: Resource, instance: ManagedInstance, now = Date.now()): Record<string, unknown> {
  const template = context.store.resolve(instance.template, context.project)
  const properties = (template?.properties ?? {}) as Record<string, unknown>
  const metadataItems = [...(((properties.metadata as { items?: { key: string; value: string }[] } | undefined)?.items) ?? [])]
  metadataItems.push({ key: 'instance-template', value: instance.template }, { key: 'created-by', value: relativeOf(group.selfLink, context.project) })
  const zonePath = `projects/${context.project}/zones/${instance.zone}`
  const disks = ((properties.disks as Record<string, unknown>[] | undefined) ?? []).map((disk, index) => ({
    autoDelete: disk.autoDelete ?? true, boot: disk.boot ?? index === 0, deviceName: `persistent-disk-${index}`, index,
    interface: 'SCSI', kind: 'compute#attachedDisk', mode: 'READ_WRITE', type: 'PERSISTENT',
    source: link(`${zonePath}/disks/${index === 0 ? instance.name : `${instance.name}-${index}`}`),
    ...(disk.diskEncryptionKey ? { diskEncryptionKey: disk.diskEncryptionKey } : {}),
  }))
  const networkInterfaces = ((properties.networkInterfaces as Record<string, unknown>[] | undefined) ?? [{}]).map((nic, index) => ({
    kind: 'compute#networkInterface', name: `nic${index}`,
    network: link(relativeOf(String(nic.network ?? 'global/networks/default'), context.project)),
    networkIP: `10.132.0.${(Number(BigInt(instance.id) % 250n)) + 2}`,
    ...(((nic.accessConfigs as unknown[] | undefined) ?? []).length && instance.natIp
      ? { accessConfigs: [{ kind: 'compute#accessConfig', name: 'external-nat', type: 'ONE_TO_ONE_NAT', natIP: instance.natIp, networkTier: 'PREMIUM' }] }
      : {}),
  }))
  return {
    kind: 'compute#instance',
    id: instance.id,
    name: instance.name,
    creationTimestamp: new Date(instance.createdAt).toISOString(),
    zone: link(zonePath),
    machineType: link(`${zonePath}/machineTypes/${String(properties.machineType ?? 'e2-small')}`),
    status: statusOf(instance, now),
    labels: properties.labels ?? {},
    labelFingerprint: '42WmSpB8rSM=',
    metadata: { kind: 'compute#metadata', fingerprint: 'QGr1mSaA-tk=', items: metadataItems },
    serviceAccounts: properties.serviceAccounts ?? [],
    networkInterfaces,
    disks,
    scheduling: properties.scheduling ?? { automaticRestart: true, onHostMaintenance: 'MIGRATE', preemptible: false },
    ...(properties.shieldedInstanceConfig ? { shieldedInstanceConfig: properties.shieldedInstanceConfig } : {}),
    tags: properties.tags ?? { fingerprint: '42WmSpB8rSM=' },
    selfLink: link(`${zonePath}/instances/${instance.name}`),
  }
}

/** The boot disk (and further disks) of a managed instance, as compute#disk. */
export function diskResources(context: GroupContext, instance: ManagedInstance): Record<string, unknown>[] {
  const template = context.store.resolve(instance.template, context.project)
  const properties = (template?.properties ?? {}) as Record<string, unknown>
  const zonePath = `projects/${context.project}/zones/${instance.zone}`
  return ((properties.disks as Record<string, unknown>[] | undefined) ?? []).map((disk, index) => {
    const params = (disk.initializeParams ?? {}) as Record<string, unknown>
    const name = index === 0 ? instance.name : `${instance.name}-${index}`
    return {
      kind: 'compute#disk', id: `${instance.id}${index}`, name, creationTimestamp: new Date(instance.createdAt).toISOString(),
      zone: link(zonePath), sizeGb: String(params.diskSizeGb ?? 10), status: 'READY',
      type: link(`${zonePath}/diskTypes/${String(params.diskType ?? 'pd-standard')}`),
      sourceImage: params.sourceImage, labels: params.labels ?? {}, labelFingerprint: '42WmSpB8rSM=',
      users: [link(`${zonePath}/instances/${instance.name}`)],
      ...(disk.diskEncryptionKey ? { diskEncryptionKey: disk.diskEncryptionKey } : {}),
      selfLink: link(`${zonePath}/disks/${name}`),
    }
  })
}

/** Validates a group's references (templates, health checks) before it is created or changed. */
export function checkGroupReferences(context: GroupContext, body: Record<string, unknown>): void {
  const templates = [
    ...(typeof body.instanceTemplate === 'string' ? [body.instanceTemplate] : []),
    ...(((body.versions as Version[] | undefined) ?? []).map((version) => version.instanceTemplate)),
  ]
  for (const template of templates) {
    if (!context.store.resolve(template, context.project)) {
      throw invalid(`Invalid value for field 'resource.instanceTemplate': '${template}'. The referenced instanceTemplate resource cannot be found.`)
    }
  }
  for (const policy of (body.autoHealingPolicies as { healthCheck?: string }[] | undefined) ?? []) {
    if (policy.healthCheck && !context.store.resolve(policy.healthCheck, context.project)) {
      throw invalid(`Invalid value for field 'resource.autoHealingPolicies[0].healthCheck': '${policy.healthCheck}'. The resource was not found.`)
    }
  }
}

/** A PATCH: fields given replace the stored ones (lists whole), after the fingerprint check. */
export function patchGroup(context: GroupContext, group: Resource, body: Record<string, unknown>): void {
  if (body.fingerprint !== undefined && body.fingerprint !== group.fingerprint) throw fingerprintMismatch()
  checkGroupReferences(context, body)
  const { fingerprint: _fingerprint, name: _name, ...changes } = body
  Object.assign(group, changes)
  if (changes.versions && !changes.instanceTemplate) delete group.instanceTemplate
  if (changes.instanceTemplate && !changes.versions) delete group.versions
  withoutEmptyLists(group)
  group.fingerprint = fingerprintOf(group)
}

/** The groups, autoscalers and backend services that use `group`: a delete is refused while one does. */
export function groupUsers(context: GroupContext, group: Resource): string[] {
  const users: string[] = []
  const instanceGroup = relativeOf(String(group.instanceGroup), context.project)
  const target = relativeOf(group.selfLink, context.project)
  for (const [path, items] of context.store.collections) {
    for (const item of items.values()) {
      if (path.endsWith('/autoscalers') && relativeOf(String(item.target), context.project) === target) users.push(relativeOf(item.selfLink, context.project))
      if (path.endsWith('/backendServices')) {
        for (const backend of (item.backends as { group: string }[] | undefined) ?? []) {
          if (relativeOf(backend.group, context.project) === instanceGroup) users.push(relativeOf(item.selfLink, context.project))
        }
      }
    }
  }
  return users
}

export function assertGroupUnused(context: GroupContext, group: Resource): void {
  const users = groupUsers(context, group)
  if (users.length) throw inUse('instance_group_manager', relativeOf(group.selfLink, context.project), users[0])
}
