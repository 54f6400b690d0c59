/**
 * Applying planned actions to one gcp target. Create and update put the
 * service's pieces in place (its account and secrets when it needs them,
 * health check, firewall rule, the version's template, the group, rolled
 * out health-gated, and its backend); scale resizes the group within the
 * autoscale bounds; delete removes a service in dependency order (see
 * service-removal.ts). The HTTP balancer the target's public services share
 * is put in line after every change (shared-balancer.ts). Private services
 * (src/exposure.ts) sit behind the internal balancer instead, whose address
 * is reserved before any template is rendered (internal-balancer.ts); a
 * service without a port runs behind no balancer at all.
 */
import type { protos } from '@google-cloud/compute'
import { UserError, usageError } from '../../src/errors.js'
import { exposureOf, isPrivate, privateFirst, type Exposure } from '../../src/exposure.js'
import type { Manifest, Service } from '../../src/manifest/schema.js'
import type { Action, ApplyResult, Progress } from '../../src/model.js'
import { serviceVersion } from '../../src/planning/version.js'
import { imageFor } from '../image-build.js'
import { PAGED, type GcpApi } from './api.js'
import { compileAutoscaler, DEFAULT_BACKEND } from './autoscaling-compile.js'
import { backendServiceBody, regionalBackendServiceBody, regionalForwardingRuleBody } from './balancer-bodies.js'
import { differs, ensureBackendService, ensureFirewall, ensureForwardingRule, ensureHealthCheck, ensureTemplate, remove, type Scope } from './compute-resources.js'
import { firewallBody, groupBody, healthCheckBody } from './group-bodies.js'
import { readGroup, readMembers } from './group-state.js'
import { internalBackendServiceBody, internalForwardingRuleBody } from './internal-balancer-bodies.js'
import { checkPrivateServices, putInternalAddress, releaseInternalAddress, type InternalBalancer } from './internal-balancer.js'
import { ensureSecrets, ensureServiceAccount, grantRegistryRead, registryRepository } from './instance-identity.js'
import { templateBody } from './instance-template.js'
import { readInventory, serviceEndpoints } from './inventory.js'
import { serviceResourceName } from './naming.js'
import { rollOut, unsettledReason, waitSettled, type RolloutOps } from './rollout.js'
import { leaveInternalBalancer, leavePublicBalancer, publicServicesOnTarget, removeService } from './service-removal.js'
import { putSharedBalancer } from './shared-balancer.js'
import { links, type GcpTargetSettings } from './target-settings.js'

type Group = protos.google.cloud.compute.v1.IInstanceGroupManager

export interface Timing {
  /** how long new instances may take to turn healthy before a rollout is rolled back */
  healthTimeoutMs: number
  pollMs: number
}

export interface DeploymentContext {
  api: GcpApi
  manifest: Manifest
  targetName: string
  settings: GcpTargetSettings
  projectDir: string
  env: NodeJS.ProcessEnv
  signal?: AbortSignal
  timing: Timing
  /** who deploys and when: kept in the templates, the release history */
  deployedBy: string
  deployedAt: string
  /** the private services' balancer, once its address is reserved (applyActions) */
  internal?: InternalBalancer
}

export const REGISTRY_EXAMPLE = 'europe-west1-docker.pkg.dev/PROJECT/REPOSITORY, an Artifact Registry repository'

/** The replica bounds of a service: its autoscale range, or none. */
export function boundsOf(spec: Service): { min: number; max: number } | undefined {
  return spec.autoscale ? { min: spec.autoscale.min, max: spec.autoscale.max } : undefined
}

export function scopeOf(settings: GcpTargetSettings): Scope {
  return settings.loadBalancer === 'network' ? 'regional' : 'global'
}

/** Where a service's health check and backend service live: a private service's internal balancer is regional. */
export function serviceScope(settings: GcpTargetSettings, exposure: Exposure): Scope {
  return exposure === 'private' ? 'regional' : scopeOf(settings)
}

/** Everything checkable before anything is created: a wrong manifest costs nothing. */
export function preflight(context: DeploymentContext, actions: Action[]): void {
  for (const action of actions.filter((candidate) => candidate.kind === 'create' || candidate.kind === 'update' || candidate.kind === 'scale')) {
    const spec = context.manifest.services[action.service]
    if (!spec) throw usageError(`Service ${action.service} is not in strato.yaml.`, 'Plan again from the current manifest.')
    if (action.kind !== 'scale' && !spec.image && !context.settings.registry) {
      throw usageError(`Service ${action.service} is built from source, and target "${context.targetName}" has no registry to push it to.`,
        `Set targets.${context.targetName}.registry (e.g. ${REGISTRY_EXAMPLE}), or give services.${action.service}.image.`)
    }
    const bounds = boundsOf(spec)
    const to = action.to ?? 0
    if (bounds && (to < bounds.min || to > bounds.max)) {
      throw usageError(`services.${action.service}: ${to} replicas is outside autoscale min..max (${bounds.min}..${bounds.max}).`, `Set replicas within ${bounds.min}..${bounds.max}, or change the autoscale bounds.`)
    }
  }
  checkPrivateServices(context.manifest, context.targetName)
}

/** Reads and changes one service's group, for the rollout. */
export function groupOps(context: DeploymentContext, service: string, spec: Service): RolloutOps {
  const { api } = context
  const { project, region } = api
  const instanceGroupManager = serviceResourceName(context.manifest.name, service)
  const link = links(context.settings)
  return {
    async read() {
      const [group] = await api.call('regionInstanceGroupManagers.get', () => api.compute.groups.get({ project, region, instanceGroupManager }))
      const members = await api.all('regionInstanceGroupManagers.listManagedInstances', () => api.compute.groups.listManagedInstancesAsync({ project, region, instanceGroupManager }, PAGED))
      return { group: readGroup(group), members: readMembers(members) }
    },
    async setTemplate(template, targetSize) {
      const [group] = await api.call('regionInstanceGroupManagers.get', () => api.compute.groups.get({ project, region, instanceGroupManager }))
      const wanted = desiredGroup(context, service, spec, link.template(template), targetSize ?? Number(group.targetSize ?? 0))
      await api.mutate('regionInstanceGroupManagers.patch', (requestId) => api.compute.groups.patch({
        project, region, instanceGroupManager, requestId,
        instanceGroupManagerResource: {
          fingerprint: group.fingerprint, versions: wanted.versions, targetSize: wanted.targetSize,
          namedPorts: wanted.namedPorts, autoHealingPolicies: wanted.autoHealingPolicies, updatePolicy: wanted.updatePolicy,
        },
      }))
    },
    sleep: (ms) => api.clock.sleep(ms),
    now: () => api.clock.now(),
  }
}

function desiredGroup(context: DeploymentContext, service: string, spec: Service, templateLink: string, targetSize: number): Group {
  const { settings } = context
  const name = serviceResourceName(context.manifest.name, service)
  const exposure = exposureOf(spec)
  return groupBody({
    project: context.manifest.name, service, target: context.targetName, region: settings.region, zones: settings.zones, templateLink, targetSize,
    ...(exposure === 'none' ? {} : { healthCheckLink: links(settings).healthCheck(name, serviceScope(settings, exposure) === 'regional'), port: spec.port }),
  })
}

async function deployService(context: DeploymentContext, action: Action, progress: Progress): Promise<void> {
  const { api, manifest, settings, targetName } = context
  const project = manifest.name
  const service = action.service
  const spec = manifest.services[service]
  const version = action.toVersion ?? serviceVersion(context.projectDir, service, spec)
  const desired = action.to ?? 0
  const exposure = exposureOf(spec)
  const scope = serviceScope(settings, exposure)
  const name = serviceResourceName(project, service)
  const link = links(settings)
  const identity = { project, service, target: targetName }

  const image = await imageFor({ project, service, spec, version, registry: settings.registry, targetName, projectDir: context.projectDir, words: { example: REGISTRY_EXAMPLE, login: '`gcloud auth configure-docker`' } }, progress, context.signal)
  let account: string | undefined
  if (spec.secrets?.length || registryRepository(image)) {
    progress.step(`${service}: service account ${project} instances run as`)
    account = await ensureServiceAccount(api, project)
    if (spec.secrets?.length) await ensureSecrets(api, project, service, spec.secrets, context.env, account)
    await grantRegistryRead(api, image, account)
  }
  const internal = context.internal
  if (exposure === 'private' && !internal) throw new Error(`private service ${service} deployed before the internal address was reserved`)
  if (exposure !== 'none') {
    progress.step(`${service}: ${exposure === 'private' ? 'TCP health check, firewall rule for the subnet only' : 'health check, firewall rule'}`)
    // a private service has no health path: its check is TCP on the port
    await ensureHealthCheck(api, healthCheckBody({ ...identity, port: spec.port!, path: exposure === 'private' ? '' : spec.health ?? '', ...(scope === 'regional' ? { region: settings.region } : {}) }), scope)
    await ensureFirewall(api, firewallBody({
      ...identity, network: settings.network, port: spec.port!, passthrough: scope === 'regional', ...(exposure === 'private' ? { subnetRange: internal!.subnet.range } : {}),
    }))
  }
  progress.step(`${service}: template for version ${version}`)
  const template = templateBody({
    ...identity, gcpProject: settings.gcpProject, spec, version, image, machineType: settings.machineType, network: settings.network,
    publicIp: settings.publicIp, serviceAccountEmail: account, deployedBy: context.deployedBy, deployedAt: context.deployedAt, replicas: desired,
    hosts: internal?.hosts,
  })
  await ensureTemplate(api, template)
  const templateName = String(template.name)

  const ops = groupOps(context, service, spec)
  const existing = await api.find('regionInstanceGroupManagers.get', () => api.compute.groups.get({ project: api.project, region: api.region, instanceGroupManager: name }))
  if (!existing) {
    progress.step(`${service}: group ${name} with ${desired} instance(s) over ${settings.zones.join(', ')}`)
    await api.mutate('regionInstanceGroupManagers.insert', (requestId) => api.compute.groups.insert({
      project: api.project, region: api.region, requestId, instanceGroupManagerResource: desiredGroup(context, service, spec, link.template(templateName), desired),
    }))
    await settle(context, ops, service, templateName)
  } else {
    const current = readGroup(existing[0])
    const from = current.templates.at(-1)
    if (from !== templateName) {
      try {
        await rollOut(ops, { service, fromTemplate: from, toTemplate: templateName, targetSize: desired, timeoutMs: context.timing.healthTimeoutMs, pollMs: context.timing.pollMs }, progress)
      } catch (error) {
        // a version that never served leaves no release behind (the template may still be in use if the group has not settled)
        if (error instanceof UserError) await remove.template(api, templateName).catch(() => false)
        throw error
      }
    } else {
      if (current.targetSize !== desired) await resize(context, service, desired, progress)
      // a service that moved behind another balancer autoheals on its new health check, whatever its version
      const healing = desiredGroup(context, service, spec, link.template(templateName), desired).autoHealingPolicies ?? []
      if (differs(healing, existing[0].autoHealingPolicies ?? [])) await ops.setTemplate(templateName)
    }
  }

  if (exposure === 'none') return
  if (exposure === 'private') {
    await leavePublicBalancer(context, service, progress)
    progress.step(`${service}: internal balancer on ${internal!.address}:${spec.port}`)
    await ensureBackendService(api, internalBackendServiceBody({ ...identity, instanceGroup: link.instanceGroup(name), healthCheckLink: link.healthCheck(name, true), network: settings.network }), 'regional')
    await ensureForwardingRule(api, internalForwardingRuleBody({
      ...identity, port: spec.port!, backendServiceLink: link.backendService(name, true), addressLink: internal!.addressLink, network: settings.network, subnetwork: internal!.subnet.link,
    }), 'regional')
    return
  }
  await leaveInternalBalancer(context, service, progress)
  progress.step(`${service}: ${scope === 'regional' ? 'network balancer' : 'backend service'}`)
  const capacity = spec.autoscale ? compileAutoscaler(spec.autoscale, `services.${service}.autoscale`).backend : DEFAULT_BACKEND
  if (scope === 'regional') {
    await ensureBackendService(api, regionalBackendServiceBody({ ...identity, instanceGroup: link.instanceGroup(name), healthCheckLink: link.healthCheck(name, true) }), 'regional')
    await ensureForwardingRule(api, regionalForwardingRuleBody({ ...identity, port: spec.port!, backendServiceLink: link.backendService(name, true) }), 'regional')
  } else {
    await ensureBackendService(api, backendServiceBody({
      ...identity, instanceGroup: link.instanceGroup(name), healthCheckLink: link.healthCheck(name, false), capacity, balancing: context.manifest.loadBalancer,
    }), 'global')
  }
}

/** Waits for a new group's first version, failing (nothing to roll back to) when it never turns healthy. */
async function settle(context: DeploymentContext, ops: RolloutOps, service: string, template: string): Promise<void> {
  const result = await waitSettled(ops, template, context.api.clock.now() + context.timing.healthTimeoutMs, context.timing.pollMs)
  if (result.done) return
  throw new UserError(`The instances of ${service} did not become healthy within ${Math.round(context.timing.healthTimeoutMs / 1000)}s (${unsettledReason(result.group, result.members, template)}).`, {
    code: 'failure',
    fix: 'Check that the image starts and answers the health path on the service port (the instances\' serial console shows the startup script), then deploy again.',
  })
}

/** Resizes a group and waits until the new size is settled and healthy. */
export async function resize(context: DeploymentContext, service: string, size: number, progress: Progress): Promise<void> {
  const { api } = context
  const spec = context.manifest.services[service]
  const name = serviceResourceName(context.manifest.name, service)
  const [group] = await api.call('regionInstanceGroupManagers.get', () => api.compute.groups.get({ project: api.project, region: api.region, instanceGroupManager: name }))
  const state = readGroup(group)
  progress.step(`${service}: ${state.targetSize} -> ${size} instance(s)`)
  await api.mutate('regionInstanceGroupManagers.resize', (requestId) => api.compute.groups.resize({ project: api.project, region: api.region, instanceGroupManager: name, size, requestId }))
  const template = state.templates.at(-1)
  if (template) await settle(context, groupOps(context, service, spec), service, template)
}

export async function applyActions(context: DeploymentContext, actions: Action[], progress: Progress): Promise<ApplyResult> {
  preflight(context, actions)
  const { api, manifest, targetName } = context
  // the address exists before any template names it; private services go first, so their balancer answers when the others start
  const internal = await putInternalAddress(api, manifest, targetName, context.settings)
  const withInternal: DeploymentContext = { ...context, internal }
  const applied: Action[] = []
  for (const action of privateFirst(manifest, actions)) {
    if (action.kind === 'noop') continue
    if (action.kind === 'delete') await removeService(withInternal, action.service, progress)
    else if (action.kind === 'scale') await resize(withInternal, action.service, action.to ?? 0, progress)
    else await deployService(withInternal, action, progress)
    applied.push(action)
  }
  // the shared balancer routes to every public service the target now runs
  const inventory = await readInventory(api, manifest.name, targetName)
  let rules = inventory.forwardingRules
  if (scopeOf(context.settings) === 'global') {
    const shared = await putSharedBalancer(context, await publicServicesOnTarget(context), progress)
    if (shared) rules = [...rules.filter((rule) => rule.name !== shared.name), shared]
  }
  if (!internal && !rules.some((rule) => rule.loadBalancingScheme === 'INTERNAL')) await releaseInternalAddress(api, manifest.name, targetName)
  const endpoints = Object.fromEntries(serviceEndpoints(rules, inventory.groups.map(({ group }) => group)))
  return { applied, endpoints, warnings: context.settings.publicIp ? [] : privateWarning(context, applied) }
}

/** Instances without an external address need Cloud NAT to install Docker and pull their image. */
function privateWarning(context: DeploymentContext, applied: Action[]): string[] {
  if (!applied.some((action) => action.kind === 'create')) return []
  return [`target ${context.targetName}: instances have no external address; they need Cloud NAT on ${context.settings.network.split('/').pop()} in ${context.settings.region} to install Docker and pull images (or set targets.${context.targetName}.publicIp: true).`]
}
