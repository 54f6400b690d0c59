/**
 * Applying planned actions to one azure target. What the project's services
 * share (resource group, network, NSGs, public IP, load balancers:
 * project-network.ts; Key Vault) is brought to what the remaining services
 * need; then each action, private services first: create
 * puts a scale set and waits for its VMs to turn healthy, update rolls the
 * new model out health-gated (rollout.ts), scale sets the capacity, delete
 * removes a service's scale set, autoscale setting and role grants. A
 * release record is written to every scale set's tags once all succeeded.
 */
import type { VirtualMachineScaleSet } from '@azure/arm-compute'
import { usageError, UserError } from '../../src/errors.js'
import { privateFirst } from '../../src/exposure.js'
import type { AzureTargetConfig, Manifest, Service } from '../../src/manifest/schema.js'
import type { Timing } from '../waiting.js'
import { LABEL, type Action, type ApplyResult, type Progress } from '../../src/model.js'
import { applyAutoscaleSetting } from './autoscale.js'
import type { AzureClients } from './clients.js'
import { customDataBase64, hostNames, isAcrImage } from './custom-data.js'
import { imageFor } from './image.js'
import { readScaleSets, TAG, vmHealth, vmState } from './inventory.js'
import { autoscaleSettingName, computerNamePrefix, scaleSetName, vaultName } from './naming.js'
import { endpointOf, endpointUrl, poolIdsOf, privateHostsOf, projectNetwork, type ProjectNetwork } from './project-network.js'
import { readReleases, withRelease, type ServiceRelease } from './releases.js'
import { isReady, rollOut, type RolloutOps, type RolloutVm } from './rollout.js'
import { deleteInstances, deleteScaleSet, listVms, putScaleSet, readScaleSet, scaleSetModel, setCapacity, setTags, sshKeyOf, upgradeInstances } from './scale-set.js'
import { ensureSecrets, ensureVault, grantRole, revokeRoles, ROLES, type Vault } from './secrets.js'
import { throwawaySshPublicKey } from './ssh-key.js'
import { DEFAULT_VM_SIZE } from './descriptor.js'
import { azureTagCodec } from './label-codec.js'


export type { Timing }

export interface DeploymentContext {
  clients: AzureClients
  manifest: Manifest
  target: AzureTargetConfig
  targetName: string
  resourceGroup: string
  projectDir: string
  env: NodeJS.ProcessEnv
  signal?: AbortSignal
  timing: Timing
  /** new VMs started together in a rollout (default: as many as run) */
  surge?: number
  /** --image-map: public images mapped to local ones (image: references, Dockerfile base images) */
  imageMap?: string
  /** tenant of the subscription, for the Key Vault */
  tenantId(): Promise<string>
}

function projectTags(context: DeploymentContext, role: string): Record<string, string> {
  return azureTagCodec.encode({ project: context.manifest.name, role }).labels
}

export { endpointUrl }

/** Everything that can be checked before anything is created: a typo should cost nothing. */
export function preflight(manifest: Manifest, targetName: string, actions: Action[]): void {
  for (const action of actions.filter((candidate) => candidate.kind === 'create' || candidate.kind === 'update')) {
    const spec = manifest.services[action.service]
    if (!spec) throw usageError(`Service ${action.service} is not in strato.yaml.`, 'Plan again from the current manifest.')
    if (!action.toVersion) throw new Error(`azure provider: action for ${action.service} on ${targetName} carries no version`)
  }
}

interface ApplyState extends ProjectNetwork {
  vault?: Vault
  /** services being deleted: still on the balancers for now, but no container should reach them by name */
  going: string[]
}

function hostsFor(state: ApplyState): Record<string, string> {
  return Object.fromEntries(Object.entries(privateHostsOf(state)).filter(([service]) => !state.going.includes(service)))
}

function healthOfVms(vms: Awaited<ReturnType<typeof listVms>>): RolloutVm[] {
  return vms.map((vm) => ({ instanceId: vm.instanceId ?? '', latest: vm.latestModelApplied !== false, state: vmState(vm), health: vmHealth(vm) }))
}

/** Waits until `count` VMs of the scale set run its latest model and are healthy. */
export async function waitForHealthy(context: DeploymentContext, name: string, count: number, progress: Progress): Promise<void> {
  const deadline = context.timing.now() + context.timing.healthTimeoutMs
  for (;;) {
    const vms = healthOfVms(await listVms(context.clients, context.resourceGroup, name))
    const ready = vms.filter(isReady).length
    if (ready >= count && vms.length === count) return
    if (context.timing.now() >= deadline) {
      throw new UserError(`${name} has ${ready} of ${count} VM(s) healthy after ${Math.round(context.timing.healthTimeoutMs / 1000)}s.`, {
        code: 'failure',
        fix: 'Check the VMs\' boot diagnostics (the custom data installs Docker and pulls the image) and that the service answers its health path, then deploy again.',
      })
    }
    progress.step(`${name}: ${ready}/${count} healthy`)
    await context.timing.sleep(context.timing.pollMs)
  }
}

function serviceTags(context: DeploymentContext, state: ApplyState, service: string, version: string, image: string, previous?: Record<string, string>): Record<string, string> {
  const tags: Record<string, string> = {
    ...azureTagCodec.encode({ project: context.manifest.name, service, version, role: 'scale-set', deployedBy: state.by, deployedAt: state.at }).labels,
  }
  const endpoint = endpointOf(state, service)
  if (endpoint) tags[TAG.endpoint] = endpoint
  tags[TAG.hosts] = hostNames(hostsFor(state), service)
  if (image.length <= 256) tags[TAG.image] = image
  for (const [key, value] of Object.entries(previous ?? {})) if (key.startsWith('strato.release.')) tags[key] = value
  if (previous?.[LABEL.version] && previous[LABEL.version] !== version) tags[TAG.previousVersion] = previous[LABEL.version]
  return tags
}

async function buildModel(context: DeploymentContext, state: ApplyState, service: string, spec: Service, image: string, capacity: number, sshKey: string, tags: Record<string, string>): Promise<VirtualMachineScaleSet> {
  const script = customDataBase64({
    project: context.manifest.name, service, image, spec,
    vaultUri: spec.secrets?.length ? state.vault?.uri : undefined,
    acrHost: isAcrImage(image) ? image.split('/')[0] : undefined,
    privateHosts: hostsFor(state),
  })
  return scaleSetModel({
    location: context.target.location, vmSize: context.target.vmSize ?? DEFAULT_VM_SIZE, zones: context.target.zones, capacity,
    computerNamePrefix: computerNamePrefix(context.manifest.name, service), script, sshPublicKey: sshKey,
    subnetId: state.subnetId, securityGroupId: state.exposures[service] === 'private' ? state.privateSecurityGroupId! : state.securityGroupId,
    backendPoolIds: poolIdsOf(state, service), port: spec.port, health: spec.health, tags, nicName: `${service}-nic`,
  })
}

/** The identity's grants: its vault's secrets, and pulls from an Azure Container Registry in the subscription. */
async function grantIdentity(context: DeploymentContext, state: ApplyState, spec: Service, image: string, principalId: string | undefined, warnings: string[]): Promise<void> {
  if (!principalId) return
  if (spec.secrets?.length && state.vault) await grantRole(context.clients, state.vault.id, ROLES.keyVaultSecretsUser, principalId, context.timing.sleep)
  if (isAcrImage(image)) {
    const registry = await findRegistry(context.clients, image.split('.')[0])
    if (registry) await grantRole(context.clients, registry, ROLES.acrPull, principalId, context.timing.sleep)
    else warnings.push(`The registry ${image.split('/')[0]} is not in subscription ${context.clients.subscriptionId}: grant the scale sets' identities AcrPull on it yourself, or the VMs cannot pull ${image}.`)
  }
}

async function findRegistry(clients: AzureClients, name: string): Promise<string | undefined> {
  const rest = await clients.rest()
  const answer = await rest.path(`/subscriptions/${clients.subscriptionId}/resources`).get({
    queryParameters: { 'api-version': '2021-04-01', $filter: `resourceType eq 'Microsoft.ContainerRegistry/registries' and name eq '${name}'` },
  })
  return (answer.body as { value?: { id: string }[] }).value?.[0]?.id
}

async function createService(context: DeploymentContext, state: ApplyState, action: Action, progress: Progress, warnings: string[]): Promise<void> {
  const { manifest } = context
  const service = action.service
  const spec = manifest.services[service]
  const name = scaleSetName(manifest.name, service)
  const image = await imageFor({ project: manifest.name, service, spec, version: action.toVersion!, registry: context.target.registry, targetName: context.targetName, projectDir: context.projectDir, imageMap: context.imageMap }, progress, context.signal)
  if (spec.secrets?.length) await ensureSecrets(context.clients, context.resourceGroup, state.vault!, manifest.name, service, spec.secrets, context.env)
  const desired = action.to ?? 0
  progress.step(`${service}: scale set ${name} with ${desired} VM(s) (${context.target.vmSize ?? DEFAULT_VM_SIZE})`)
  const model = await buildModel(context, state, service, spec, image, desired, throwawaySshPublicKey(), serviceTags(context, state, service, action.toVersion!, image))
  const created = await putScaleSet(context.clients, context.resourceGroup, name, model)
  await grantIdentity(context, state, spec, image, created.identity?.principalId, warnings)
  await waitForHealthy(context, name, desired, progress)
}

/** A version and image to deploy instead of the manifest's (a rollback to an earlier release). */
export interface Pinned { version: string; image: string }

async function updateService(context: DeploymentContext, state: ApplyState, action: Action, progress: Progress, warnings: string[], pinned?: Pinned): Promise<void> {
  const { manifest, clients, resourceGroup } = context
  const service = action.service
  const spec = manifest.services[service]
  const name = scaleSetName(manifest.name, service)
  const current = await readScaleSet(clients, resourceGroup, name, true)
  if (!current) throw new UserError(`Service ${service} has no scale set on target "${context.targetName}" to update.`, { code: 'conflict', fix: 'Run strato deploy again: the plan will create it.' })
  const version = pinned?.version ?? action.toVersion!
  const image = pinned?.image ?? await imageFor({ project: manifest.name, service, spec, version, registry: context.target.registry, targetName: context.targetName, projectDir: context.projectDir, imageMap: context.imageMap }, progress, context.signal)
  if (spec.secrets?.length) await ensureSecrets(clients, resourceGroup, state.vault!, manifest.name, service, spec.secrets, context.env)
  const vms = () => listVms(clients, resourceGroup, name)
  const newModel = async (capacity: number) => buildModel(context, state, service, spec, image, capacity, sshKeyOf(current) ?? throwawaySshPublicKey(), serviceTags(context, state, service, version, image, current.tags))
  // the model that ran before, as Azure holds it, with its boot script from userData
  const oldModel = (capacity: number): VirtualMachineScaleSet => {
    const profile = current.virtualMachineProfile ?? {}
    return {
      location: current.location, tags: current.tags, zones: current.zones, identity: { type: 'SystemAssigned' },
      sku: { ...current.sku, capacity }, upgradePolicy: current.upgradePolicy, orchestrationMode: 'Uniform', overprovision: false, singlePlacementGroup: current.singlePlacementGroup,
      virtualMachineProfile: { ...profile, osProfile: { ...profile.osProfile, customData: profile.userData } },
    }
  }
  const ops: RolloutOps = {
    vms: async () => healthOfVms(await vms()),
    applyNewModel: async () => { await putScaleSet(clients, resourceGroup, name, await newModel((await vms()).length)) },
    restoreOldModel: async () => { await putScaleSet(clients, resourceGroup, name, oldModel((await vms()).length)) },
    setCapacity: (capacity) => setCapacity(clients, resourceGroup, name, capacity),
    deleteInstances: (ids) => deleteInstances(clients, resourceGroup, name, ids),
    upgradeInstances: (ids) => upgradeInstances(clients, resourceGroup, name, ids),
    sleep: context.timing.sleep,
    now: context.timing.now,
  }
  progress.step(`${service}: version ${action.fromVersion ?? current.tags?.[LABEL.version] ?? '?'} -> ${version}`)
  await rollOut(ops, { service, desired: action.to ?? 0, batch: context.surge, timeoutMs: context.timing.healthTimeoutMs, pollMs: context.timing.pollMs }, progress)
  await grantIdentity(context, state, spec, image, current.identity?.principalId, warnings)
  const running = (await vms()).length
  if (running !== action.to) {
    await setCapacity(clients, resourceGroup, name, action.to ?? 0)
    await waitForHealthy(context, name, action.to ?? 0, progress)
  }
}

async function deleteService(context: DeploymentContext, service: string, progress: Progress): Promise<void> {
  const { clients, resourceGroup, manifest } = context
  const name = scaleSetName(manifest.name, service)
  progress.step(`${service}: deleting autoscale setting, role grants and scale set ${name}`)
  await applyAutoscaleSetting(clients, resourceGroup, autoscaleSettingName(manifest.name, service), undefined)
  const current = await readScaleSet(clients, resourceGroup, name)
  if (current?.identity?.principalId) await revokeRoles(clients, current.identity.principalId)
  await deleteScaleSet(clients, resourceGroup, name)
}

export async function applyActions(context: DeploymentContext, actions: Action[], progress: Progress, kind = 'deploy', pinned: Record<string, Pinned> = {}): Promise<ApplyResult & { release?: number }> {
  const { manifest, clients, resourceGroup } = context
  preflight(manifest, context.targetName, actions)
  const changing = actions.filter((action) => action.kind !== 'noop')
  const existing = await readScaleSets(clients, resourceGroup, manifest.name)
  const deployed = existing.map((entry) => entry.scaleSet.tags?.[LABEL.service]).filter((service): service is string => Boolean(service))
  const endpointsNow = Object.fromEntries(existing.flatMap((entry) => (entry.scaleSet.tags?.[TAG.endpoint] ? [[entry.scaleSet.tags[LABEL.service], entry.scaleSet.tags[TAG.endpoint]]] : [])))
  if (changing.length === 0) return { applied: [], endpoints: endpointsNow, warnings: [] }

  const warnings: string[] = []
  const algorithm = manifest.loadBalancer?.algorithm
  if (algorithm === 'least-conn' || algorithm === 'weighted') {
    warnings.push(`loadBalancer.algorithm ${algorithm}: the Azure Standard Load Balancer spreads connections by a hash of source and destination; ${algorithm} is not available at layer 4.`)
  }
  const deleting = changing.filter((action) => action.kind === 'delete').map((action) => action.service)
  const adding = changing.filter((action) => action.kind === 'create' || action.kind === 'update').map((action) => action.service)
  const keeping = [...new Set([...deployed, ...adding])].filter((service) => !deleting.includes(service)).sort()
  // pools of services being deleted stay until their scale sets are gone: Azure refuses to drop a pool in use
  const state: ApplyState = { ...await projectNetwork(context, [...new Set([...keeping, ...deleting.filter((service) => deployed.includes(service))])].sort(), progress), going: deleting }
  if (changing.some((action) => (action.kind === 'create' || action.kind === 'update') && manifest.services[action.service]?.secrets?.length)) {
    state.vault = await ensureVault(clients, resourceGroup, vaultName(clients.subscriptionId, resourceGroup, manifest.name), context.target.location, projectTags(context, 'vault'), await context.tenantId())
  }
  const applied: Action[] = []
  for (const action of privateFirst(manifest, changing)) {
    switch (action.kind) {
      case 'create': await createService(context, state, action, progress, warnings); break
      case 'update': await updateService(context, state, action, progress, warnings, pinned[action.service]); break
      case 'scale': {
        const name = scaleSetName(manifest.name, action.service)
        await setCapacity(clients, resourceGroup, name, action.to ?? 0)
        await waitForHealthy(context, name, action.to ?? 0, progress)
        break
      }
      case 'delete': await deleteService(context, action.service, progress); break
      default: break
    }
    applied.push(action)
    if (action.kind !== 'delete') progress.done(`${action.service}: ${action.kind === 'scale' ? `${action.to} VM(s)` : `version ${pinned[action.service]?.version ?? action.toVersion} on ${action.to} VM(s)`}${endpointOf(state, action.service) ? ` at ${endpointOf(state, action.service)}` : ''}`)
  }
  // what deleted services, and services no longer private, held on the balancers goes once their old models are gone
  if (deleting.length > 0 || state.leaving.length > 0) await projectNetwork(context, keeping, progress, true)
  const release = keeping.length > 0 ? await recordRelease(context, keeping, kind, state) : undefined
  const endpoints = Object.fromEntries(keeping.flatMap((service) => (endpointOf(state, service) ? [[service, endpointOf(state, service)!]] : [])))
  return { applied, endpoints, warnings, release }
}

/** One more release, written to every remaining scale set's tags: what each service runs now. */
export async function recordRelease(context: DeploymentContext, services: string[], kind: string, state: { at: string; by: string }): Promise<number> {
  const { clients, resourceGroup, manifest } = context
  const entries = await readScaleSets(clients, resourceGroup, manifest.name)
  const number = Math.max(0, ...entries.flatMap((entry) => readReleases(entry.scaleSet.tags).map((release) => release.number))) + 1
  for (const entry of entries) {
    const tags = entry.scaleSet.tags ?? {}
    const service = tags[LABEL.service]
    if (!service || !services.includes(service)) continue
    const record: ServiceRelease = {
      number, at: state.at, by: state.by, kind, version: tags[LABEL.version] ?? '', image: tags[TAG.image] ?? '', replicas: entry.scaleSet.sku?.capacity ?? entry.vms.length,
    }
    await setTags(clients, resourceGroup, entry.scaleSet.name!, withRelease(tags, record))
  }
  return number
}

/** The tenant of the subscription (Key Vaults need it), read once. */
export function tenantOf(clients: AzureClients): () => Promise<string> {
  let tenant: Promise<string> | undefined
  return () => (tenant ??= clients.subscriptions().then(async (subscriptions) => {
    const subscription = await subscriptions.subscriptions.get(clients.subscriptionId)
    if (!subscription.tenantId) throw new Error(`subscription ${clients.subscriptionId} has no tenant id`)
    return subscription.tenantId
  }))
}
