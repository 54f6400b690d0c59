/**
 * Removing what strato created, in the order references allow: a service's
 * autoscaler, its forwarding rule (network or internal balancer) or its
 * route on the shared balancer, backend service, group, health check,
 * firewall rule and templates; for destroy, every service the target has,
 * the shared balancer, the private services' reserved address, and the
 * secrets and service account strato made (unless another gcp target of the
 * manifest uses the same Google Cloud project). Destroy then lists again:
 * what it reports as remaining must be nothing. A service that turned
 * private (or public) leaves the balancer it was behind the same way.
 */
import { LABEL, type Progress, type Resource } from '../../src/model.js'
import { PAGED } from './api.js'
import { remove } from './compute-resources.js'
import type { DeploymentContext } from './deployment.js'
import { deleteCreatedSecrets, deleteServiceAccount } from './instance-identity.js'
import { releaseInternalAddress } from './internal-balancer.js'
import { ownedBy, readInventory, templateVersions, toResources } from './inventory.js'
import { readStateDescription } from './resource-state.js'
import { projectNameFilter, serviceResourceName } from './naming.js'
import { putSharedBalancer, removeSharedBalancer } from './shared-balancer.js'
import type { GcpTargetFields } from './target-settings.js'

type RemovalContext = Pick<DeploymentContext, 'api' | 'manifest' | 'targetName' | 'settings'>

/** The services behind the target's shared HTTP balancer: those with a global backend service, whatever the manifest says now. */
export async function publicServicesOnTarget(context: RemovalContext): Promise<string[]> {
  const { api, manifest, targetName } = context
  const backends = await api.all('backendServices.list', () => api.compute.backendServices.listAsync({ project: api.project, filter: projectNameFilter(manifest.name) }, PAGED))
  return backends.filter((backend) => ownedBy(backend, manifest.name, targetName))
    .map((backend) => readStateDescription(backend.description)?.[LABEL.service]).filter((service): service is string => Boolean(service))
}

/**
 * Takes a service that has become private off the public balancer (deployed
 * before it was private): its route and global backend service and health
 * check, or its own external network balancer. Nothing to do otherwise.
 */
export async function leavePublicBalancer(context: RemovalContext, service: string, progress: Progress): Promise<void> {
  const { api, manifest } = context
  const name = serviceResourceName(manifest.name, service)
  const routed = await publicServicesOnTarget(context)
  if (routed.includes(service)) {
    progress.step(`${service}: leaving the public balancer`)
    await putSharedBalancer(context, routed.filter((other) => other !== service), progress)
    await remove.backendService(api, name, 'global')
    await remove.healthCheck(api, name, 'global')
  }
  const own = await api.find('forwardingRules.get', () => api.compute.forwardingRules.get({ project: api.project, region: api.region, forwardingRule: name }))
  if (own && own[0].loadBalancingScheme !== 'INTERNAL') {
    progress.step(`${service}: removing its external network balancer`)
    await remove.forwardingRule(api, name, 'regional')
    await remove.backendService(api, name, 'regional')
  }
}

/** Takes a service that has become public off the internal balancer: its INTERNAL rule and backend service (and, behind the HTTP balancer, its regional check). */
export async function leaveInternalBalancer(context: RemovalContext, service: string, progress: Progress): Promise<void> {
  const { api, manifest, settings } = context
  const name = serviceResourceName(manifest.name, service)
  const own = await api.find('forwardingRules.get', () => api.compute.forwardingRules.get({ project: api.project, region: api.region, forwardingRule: name }))
  if (own?.[0].loadBalancingScheme !== 'INTERNAL') return
  progress.step(`${service}: leaving the internal balancer`)
  await remove.forwardingRule(api, name, 'regional')
  await remove.backendService(api, name, 'regional')
  if (settings.loadBalancer !== 'network') await remove.healthCheck(api, name, 'regional')
}

export async function removeService(context: RemovalContext, service: string, progress: Progress): Promise<void> {
  const { api, manifest, settings } = context
  const name = serviceResourceName(manifest.name, service)
  progress.step(`${service}: removing its autoscaler, balancer, group, health check, firewall rule and templates`)
  await remove.autoscaler(api, name)
  // its own forwarding rule (network balancer, or the internal one of a private service), if it has one
  await remove.forwardingRule(api, name, 'regional')
  if (settings.loadBalancer !== 'network') {
    // the shared balancer stops routing to the service before its backend service can go
    const others = (await publicServicesOnTarget(context)).filter((other) => other !== service)
    await putSharedBalancer(context, others, progress)
  }
  // the manifest may no longer say where it was: both scopes (a missing one is no call's failure)
  for (const scope of ['regional', 'global'] as const) await remove.backendService(api, name, scope)
  await remove.group(api, name)
  for (const scope of ['regional', 'global'] as const) await remove.healthCheck(api, name, scope)
  await remove.firewall(api, name)
  const inventory = await readInventory(api, manifest.name, context.targetName)
  for (const [template, state] of templateVersions(inventory.templates)) {
    if (state[LABEL.service] === service) await remove.template(api, template)
  }
}

/** Whether another gcp target of the manifest deploys into the same Google Cloud project (and so shares its secrets). */
function projectShared(context: RemovalContext): boolean {
  return Object.entries(context.manifest.targets ?? {}).some(([name, target]) =>
    name !== context.targetName && target.provider === 'gcp' && (target as GcpTargetFields).project === context.settings.gcpProject)
}

export async function destroyTarget(context: RemovalContext, progress: Progress): Promise<{ removed: Record<string, number>; remaining: Resource[] }> {
  const { api, manifest, targetName, settings } = context
  const before = await readInventory(api, manifest.name, targetName, { all: true })
  const removed: Record<string, number> = {}
  for (const resource of toResources(before, targetName, settings.region)) removed[resource.kind] = (removed[resource.kind] ?? 0) + 1
  const services = new Set<string>()
  for (const { group } of before.groups) services.add(readStateDescription(group.description)?.[LABEL.service] ?? '')
  for (const { item } of before.others ?? []) services.add(readStateDescription(item.description)?.[LABEL.service] ?? '')
  for (const template of templateVersions(before.templates).values()) services.add(template[LABEL.service] ?? '')
  services.delete('')
  for (const service of [...services].sort()) await removeService(context, service, progress)
  await removeSharedBalancer(context)
  if (await releaseInternalAddress(api, manifest.name, targetName)) progress.step(`${targetName}: released the private services' internal address`)
  if (!projectShared(context)) {
    progress.step(`${targetName}: secrets strato created and the instances' service account`)
    removed.secret = await deleteCreatedSecrets(api, manifest.name)
    if (await deleteServiceAccount(api, manifest.name)) removed['service-account'] = 1
  }
  return { removed, remaining: await remaining(context) }
}

/** Everything still there: strato's resources by name and label, and any instance still labelled with the project. */
export async function remaining(context: RemovalContext): Promise<Resource[]> {
  const { api, manifest, targetName, settings } = context
  const [after, instances] = await Promise.all([
    readInventory(api, manifest.name, targetName, { all: true }),
    api.all('instances.aggregatedList', () => api.compute.instances.aggregatedListAsync({ project: api.project, filter: `labels.strato-project = ${manifest.name}` }, PAGED)),
  ])
  const leftover: Resource[] = instances.flatMap(([, scoped]) => scoped.instances ?? []).map((instance) => ({
    id: String(instance.selfLink ?? instance.name), kind: 'instance', target: targetName, location: String(instance.zone ?? '').split('/').pop(),
    state: instance.status === 'RUNNING' ? 'running' : 'stopped', labels: { ...(instance.labels ?? {}) }, details: { name: instance.name },
  }))
  return [...toResources(after, targetName, settings.region).filter((resource) => resource.kind !== 'instance'), ...leftover]
}
