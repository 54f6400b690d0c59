/**
 * Applying planned actions to one aws target: first what fronts the services
 * (the internal balancer for the private ones, whose address every launch
 * template's --add-host needs; the shared balancer, target groups and
 * listener rules for the public ones, front.ts); then
 * create and update put each service's launch template and group in place
 * (an update rolls out health-gated, see rollout.ts) and scale sets the
 * group's capacity, each after moving a service that still has a balancer of
 * its own behind the shared one; delete removes a service's resources in
 * dependency order, and the shared balancer goes with the last service.
 */
import type { Timing } from '../waiting.js'
import { notSupported, usageError, UserError } from '../../src/errors.js'
import { exposureOf, privateFirst, privateServicesOn, type Exposure } from '../../src/exposure.js'
import type { AwsTargetConfig, Manifest, Service } from '../../src/manifest/schema.js'
import { durationSeconds } from '../../src/manifest/units.js'
import { type Action, type Progress } from '../../src/model.js'
import { TAG } from './label-codec.js'
import { describeRoute, routeUrl, serviceRoute } from '../../src/lb/routes.js'
import { createGroup, deleteGroup, describeGroup, setGroupSize, setGroupTemplate, terminateInstances } from './auto-scaling-group.js'
import { deleteStepAlarms } from './autoscaling-policies.js'
import type { AwsClients } from './clients.js'
import { imageFor } from '../image-build.js'
import { DEFAULT_INSTANCE_TYPE } from './descriptor.js'
import { checkInstanceType, defaultImageId, type InstanceTypeInfo } from './instance-types.js'
import { readInventory, type AwsInventory } from './inventory.js'
import { deleteInstanceProfile, ensureInstanceProfile } from './instance-role.js'
import { deleteLaunchTemplate, isEcrImage, putLaunchTemplate } from './launch-template.js'
import { deleteSharedBalancer, joinSharedBalancer, leaveInternalBalancer, moveToInternalBalancer, prepareFront, preparePrivateFront, type Front, type PrivateFront } from './front.js'
import { deleteInternalBalancer, deleteListenerTo, internalBalancerOf, portClash, privateEndpoint, PRIVATE_TARGET_GROUP, privateHosts } from './internal-balancer.js'
import { serviceEndpoint, serviceFront } from './layout.js'
import { deleteRule } from './listener.js'
import { deleteLoadBalancer, deleteTargetGroup, targetHealth } from './load-balancer.js'
import { groupName, tagMap } from './naming.js'
import { resolveNetwork, type Network } from './network.js'
import { rollOut } from './rollout.js'
import { deleteCreatedSecrets, ensureSecrets } from './secrets.js'
import { deleteSecurityGroup, ensureSecurityGroup } from './security-group.js'

export type { Timing }

export interface DeploymentContext {
  clients: AwsClients
  manifest: Manifest
  target: AwsTargetConfig
  targetName: string
  projectDir: string
  env: NodeJS.ProcessEnv
  signal?: AbortSignal
  timing: Timing
}

/** Group bounds: the autoscale range, or exactly the replicas when the manifest sets none. */
export function groupBounds(spec: Service, replicas: number): { min: number; max: number } {
  if (spec.autoscale) return { min: spec.autoscale.min, max: spec.autoscale.max }
  return { min: 0, max: Math.max(replicas, 1) }
}

/** The target sets the instance type for all its services; the manifest has no per-service type. */
export function instanceTypeOf(target: AwsTargetConfig): string {
  return target.instanceType ?? DEFAULT_INSTANCE_TYPE
}

/** Everything that can be checked before anything is created: a typo should cost nothing. */
export async function preflight(context: DeploymentContext, actions: Action[]): Promise<Map<string, InstanceTypeInfo>> {
  const types = new Map<string, InstanceTypeInfo>()
  for (const action of actions.filter((a) => a.kind === 'create' || a.kind === 'update' || a.kind === 'scale')) {
    const spec = context.manifest.services[action.service]
    if (!spec) throw usageError(`Service ${action.service} is not in strato.yaml.`, 'Plan again from the current manifest.')
    const to = action.to ?? 0
    const bounds = groupBounds(spec, to)
    if (to < bounds.min || to > bounds.max) {
      throw usageError(`services.${action.service}: ${to} replicas is outside autoscale min..max (${bounds.min}..${bounds.max}).`, `Set replicas within ${bounds.min}..${bounds.max}, or change the autoscale bounds.`)
    }
    const type = instanceTypeOf(context.target)
    if (!types.has(type)) types.set(type, await checkInstanceType(context.clients, type, `targets.${context.targetName}.instanceType`))
  }
  const clash = portClash(context.manifest, context.targetName)
  if (clash) {
    throw notSupported(`Private services ${clash.services.join(' and ')} both on port ${clash.port} of one aws target (the internal load balancer has one listener per port)`,
      `Give services.${clash.services[1]}.port another port (and its callers' URLs), or put it on another target.`)
  }
  return types
}

interface ApplyState {
  inventory: AwsInventory; network?: Network; front?: Front; privateFront?: PrivateFront; types: Map<string, InstanceTypeInfo>; warnings: string[]
  /** the project's private services on this target, which every container reaches by name */
  privateNames: string[]
}

/** The internal balancer's address: from this run when it put the balancer in place, else from its tags. */
function internalAddressOf(state: ApplyState): string | undefined {
  return state.privateFront?.balancer.address ?? internalBalancerOf(state.inventory.loadBalancers)?.address
}

export async function applyService(context: DeploymentContext, action: Action, state: ApplyState, progress: Progress): Promise<string | undefined> {
  const { clients, manifest, target, targetName } = context
  const project = manifest.name
  const service = action.service
  const spec = manifest.services[service]
  const name = groupName(project, service)

  if (action.kind === 'delete') {
    await deleteService(context, service, state.inventory, progress)
    return undefined
  }
  const front = state.front
  const exposure = spec ? exposureOf(spec) : 'none'
  // A service that still has a balancer of its own moves behind the shared one first, whatever else changes.
  if (front && exposure === 'public') {
    await joinSharedBalancer(context, state.inventory, front, service, (tg, count) => waitForHealthy(context, name, count, progress, tg), progress)
    await leaveInternalBalancer(context, state.inventory, service, progress)
  }
  if (state.privateFront && exposure === 'private') {
    await moveToInternalBalancer(context, state.inventory, state.privateFront, service, (tg, count) => waitForHealthy(context, name, count, progress, tg), progress)
  }
  const address = internalAddressOf(state)
  const endpoint = front && exposure === 'public' ? routeUrl(front.balancer.dnsName, serviceRoute(service, spec.route))
    : exposure === 'private' && address ? privateEndpoint(address, spec.port!)
      : exposure === 'none' ? undefined : serviceEndpoint(state.inventory, service)
  if (action.kind === 'noop') return endpoint
  const desired = action.to ?? 0
  const bounds = groupBounds(spec, desired)

  if (action.kind === 'scale') {
    const group = await describeGroup(clients, name)
    if (!group) throw new UserError(`Service ${service} has no Auto Scaling group on target "${targetName}" to scale.`, { code: 'conflict', fix: 'Run strato deploy to create it.' })
    // The planner already kept an autoscaled count inside min..max; here the plan is applied as given.
    await setGroupSize(clients, name, { min: bounds.min, max: bounds.max, desired })
    await waitForHealthy(context, name, desired, progress)
    return endpoint
  }

  // the planner computed the version once, from the build context; deploy exactly that
  const version = action.toVersion
  const type = instanceTypeOf(target)
  const network = state.network!
  const imageId = target.ami ?? await defaultImageId(clients, state.types.get(type)!.architecture, targetName)
  const image = await imageFor({ project, service, spec, version, registry: target.registry, targetName, projectDir: context.projectDir, words: { example: 'an ECR repository host', login: '`aws ecr get-login-password | docker login`' } }, progress, context.signal)
  if (spec.secrets?.length) await ensureSecrets(clients, project, service, spec.secrets, context.env)
  const instanceProfileArn = spec.secrets?.length || isEcrImage(image) ? await ensureInstanceProfile(clients, project, target.region) : undefined
  const targetGroupArn = exposure === 'public' ? front!.targetGroups.get(service)! : exposure === 'private' ? state.privateFront!.targetGroups.get(service)! : undefined
  // a service without a port listens on nothing, so its instances admit nothing
  const appGroup = exposure === 'public' ? front!.appSecurityGroups.get(service)! : exposure === 'private' ? state.privateFront!.appSecurityGroups.get(service)!
    : await ensureSecurityGroup(clients, { project, service, side: 'app', vpcId: network.vpcId, ingress: [], existing: state.inventory.securityGroups })
  const hosts = privateHosts(state.privateNames, address, service)

  // Subnets the target lists are taken as private with a NAT route; the default VPC's are public.
  const publicIp = !target.subnets?.length
  if (publicIp && !state.warnings.some((warning) => warning.includes('public IPs'))) {
    state.warnings.push(`Instances get public IPs in the default VPC so they can install Docker and pull images; only the load balancer may reach them. List private subnets with a NAT route in targets.${targetName}.subnets to avoid it.`)
  }
  const route = serviceRoute(service, spec.route)
  if (exposure === 'public' && route.host !== undefined) {
    state.warnings.push(`${service} answers on ${endpoint} once DNS sends ${route.host} to ${front!.balancer.dnsName} (a CNAME or alias record).`)
  }
  progress.step(`${service}: launch template version ${version} (${type})`)
  const template = await putLaunchTemplate(clients, { project, service, image, spec, hosts, version, instanceType: type, imageId, appSecurityGroupId: appGroup, instanceProfileArn, publicIp }, state.inventory.launchTemplates)
  const existing = state.inventory.groups.find((group) => tagMap(group.Tags)[TAG.service] === service)

  if (!existing) {
    progress.step(`${service}: Auto Scaling group with ${desired} instance(s) over ${network.subnets.length} subnets`)
    await createGroup(clients, { project, service, version, launchTemplate: template, subnets: network.subnets, targetGroupArn, ...bounds, desired, gracePeriod: 300,
      cooldown: spec.autoscale?.cooldown === undefined ? undefined : Math.round(durationSeconds(spec.autoscale.cooldown)) })
    await waitForHealthy(context, name, desired, progress, targetGroupArn)
  } else {
    const from = { id: existing.LaunchTemplate?.LaunchTemplateId ?? '', version: existing.LaunchTemplate?.Version ?? '$Latest' }
    const fromVersion = tagMap(existing.Tags)[TAG.version] ?? ''
    const current = existing.DesiredCapacity ?? 0
    if (from.id !== template.id) {
      await rollOut({
        instances: async () => ((await describeGroup(clients, name))?.Instances ?? []).filter((i) => i.LifecycleState !== 'Terminating' && i.LifecycleState !== 'Terminated')
          .map((instance) => ({ id: instance.InstanceId!, inService: instance.LifecycleState === 'InService' })),
        health: () => targetGroupArn ? targetHealth(clients, targetGroupArn) : inServiceAsHealthy(clients, name),
        setTemplate: (ref) => setGroupTemplate(clients, name, { project, service, version: ref.id === template.id ? version : fromVersion, launchTemplate: ref }),
        setSize: (size) => setGroupSize(clients, name, { max: size.max, desired: size.desired }),
        terminate: (ids) => terminateInstances(clients, ids),
        sleep: context.timing.sleep,
        now: context.timing.now,
      }, { service, fromTemplate: from, toTemplate: template, desired: current, max: Math.max(bounds.max, current), timeoutMs: context.timing.healthTimeoutMs, pollMs: context.timing.pollMs }, progress)
        .catch(async (error: unknown) => {
          await deleteLaunchTemplate(clients, template.id)
          throw error
        })
    }
    await setGroupSize(clients, name, { ...bounds, desired })
    if (desired !== current) await waitForHealthy(context, name, desired, progress, targetGroupArn)
    // the templates of versions no longer running
    for (const old of state.inventory.launchTemplates) {
      if (tagMap(old.Tags)[TAG.service] === service && old.LaunchTemplateId !== template.id) await deleteLaunchTemplate(clients, old.LaunchTemplateId!)
    }
  }
  const where = exposure === 'public' ? `at ${endpoint} (${describeRoute(route)} on the shared load balancer)`
    : exposure === 'private' ? `at ${endpoint} on the internal load balancer` : 'with no port and no load balancer'
  progress.done(`${service}: version ${version} on ${desired} instance(s) ${where}`)
  return endpoint
}

/** Without a balancer, an instance the group counts InService is as healthy as the group can tell. */
async function inServiceAsHealthy(clients: AwsClients, name: string): Promise<Map<string, string>> {
  const group = await describeGroup(clients, name)
  return new Map((group?.Instances ?? []).filter((instance) => instance.LifecycleState === 'InService').map((instance) => [instance.InstanceId!, 'healthy']))
}

/** Waits until the group has `count` instances InService (and healthy behind the balancer, when given). */
export async function waitForHealthy(context: DeploymentContext, name: string, count: number, progress: Progress, targetGroupArn?: string): Promise<void> {
  const deadline = context.timing.now() + context.timing.healthTimeoutMs
  for (;;) {
    const group = await describeGroup(context.clients, name)
    const inService = (group?.Instances ?? []).filter((instance) => instance.LifecycleState === 'InService').map((instance) => instance.InstanceId!)
    let healthy = inService.length
    if (targetGroupArn && inService.length > 0) {
      const health = await targetHealth(context.clients, targetGroupArn)
      healthy = inService.filter((id) => health.get(id) === 'healthy').length
    }
    if (inService.length >= count && healthy >= count) return
    if (context.timing.now() >= deadline) {
      throw new UserError(`${name} has ${healthy} of ${count} instance(s) healthy after ${Math.round(context.timing.healthTimeoutMs / 1000)}s.`, {
        code: 'failure',
        fix: 'Check the instances\' boot log (user data installs Docker and pulls the image) and the target group\'s health reasons, then deploy again.',
      })
    }
    progress.step(`${name}: ${healthy}/${count} healthy`)
    await context.timing.sleep(context.timing.pollMs)
  }
}

/**
 * A service's resources, newest dependants first: alarms, group, templates,
 * its rule and target group behind the shared balancer (and a balancer of its
 * own, if it still has one), security groups. The shared balancer stays.
 */
export async function deleteService(context: DeploymentContext, service: string, inventory: AwsInventory, progress: Progress): Promise<void> {
  const { clients } = context
  const mine = <T>(items: T[], tags: (item: T) => Record<string, string>) => items.filter((item) => tags(item)[TAG.service] === service)
  progress.step(`${service}: deleting alarms and Auto Scaling group`)
  for (const group of mine(inventory.groups, (g) => tagMap(g.Tags))) {
    await deleteStepAlarms(clients, group.AutoScalingGroupName!)
    await deleteGroup(clients, group.AutoScalingGroupName!, context.timing.sleep, Math.max(context.timing.healthTimeoutMs, 600_000))
  }
  for (const template of mine(inventory.launchTemplates, (t) => tagMap(t.Tags))) await deleteLaunchTemplate(clients, template.LaunchTemplateId!)
  progress.step(`${service}: deleting its listener rule, target group and security groups`)
  const front = serviceFront(inventory, service)
  if (front.rule) await deleteRule(clients, front.rule.RuleArn!)
  const internal = internalBalancerOf(inventory.loadBalancers)
  if (internal && front.privateTargetGroup) await deleteListenerTo(clients, internal.item.LoadBalancerArn!, front.privateTargetGroup.item.TargetGroupArn!)
  for (const lb of mine(inventory.loadBalancers, (l) => l.tags)) await deleteLoadBalancer(clients, lb.item.LoadBalancerArn!, context.timing.sleep)
  for (const group of mine(inventory.targetGroups, (g) => g.tags)) await deleteTargetGroup(clients, group.item.TargetGroupArn!, context.timing.sleep)
  // the instances' group refers to the balancer's group, so it goes first
  const securityGroups = mine(inventory.securityGroups, (g) => tagMap(g.Tags))
    .sort((a, b) => Number(tagMap(a.Tags)[TAG.role] === 'lb-security-group') - Number(tagMap(b.Tags)[TAG.role] === 'lb-security-group'))
  for (const group of securityGroups) await deleteSecurityGroup(clients, group.GroupId!, context.timing.sleep)
  progress.done(`${service}: deleted`)
}

export async function applyActions(context: DeploymentContext, actions: Action[], progress: Progress): Promise<{ applied: Action[]; endpoints: Record<string, string>; warnings: string[] }> {
  const types = await preflight(context, actions)
  const warnings: string[] = []
  const inventory = await readInventory(context.clients, context.manifest.name)
  const deleting = actions.filter((action) => action.kind === 'delete').map((action) => action.service)
  const kept = actions.filter((action) => action.kind !== 'delete').map((action) => action.service)
  const exposed = (exposure: Exposure) => kept.filter((service) => context.manifest.services[service] && exposureOf(context.manifest.services[service]) === exposure)
  // the private services on this target, as plan's drift reckons them (index.ts)
  const privateNames = privateServicesOn(context.manifest, context.targetName)
  const state: ApplyState = { inventory, types, warnings, privateNames }
  if (kept.length > 0) state.network = await resolveNetwork(context.clients, context.target, context.targetName)
  // the internal balancer first: its address goes into every launch template rendered below
  if (exposed('private').length > 0) state.privateFront = await preparePrivateFront(context, inventory, state.network!, { services: exposed('private'), deleting, stillPrivate: privateNames }, progress)
  if (exposed('public').length > 0) state.front = await prepareFront(context, inventory, state.network!, { services: exposed('public'), deleting }, progress)
  const applied: Action[] = []
  const endpoints: Record<string, string> = {}
  for (const action of privateFirst(context.manifest, actions)) {
    const endpoint = await applyService(context, action, state, progress)
    if (endpoint) endpoints[action.service] = endpoint
    if (action.kind !== 'noop') applied.push(action)
  }
  // the last private service turned public (or went elsewhere): its balancer goes too
  if (privateNames.length === 0) await deleteInternalBalancer(context.clients, inventory.loadBalancers, context.timing.sleep)
  if (deleting.length > 0) {
    await proveDeleted(context, deleting)
    const remaining = await readInventory(context.clients, context.manifest.name)
    if (remaining.groups.length === 0) {
      await deleteSharedBalancer(context.clients, remaining, context.timing.sleep)
      await deleteInternalBalancer(context.clients, remaining.loadBalancers, context.timing.sleep)
      await deleteProjectWide(context)
    } else if (!remaining.targetGroups.some((group) => group.tags[TAG.role] === PRIVATE_TARGET_GROUP)) {
      await deleteInternalBalancer(context.clients, remaining.loadBalancers, context.timing.sleep)
    }
  }
  return { applied, endpoints, warnings }
}

/** What the project's services share, removed with the last of them: created secrets and the instance profile. */
export async function deleteProjectWide(context: DeploymentContext): Promise<void> {
  await deleteCreatedSecrets(context.clients, context.manifest.name)
  await deleteInstanceProfile(context.clients, context.manifest.name)
}

/** After deleting, reads the tags again: anything of those services still listed fails the run. */
export async function proveDeleted(context: DeploymentContext, services: string[]): Promise<void> {
  const after = await readInventory(context.clients, context.manifest.name, { ec2Instances: true })
  const left: string[] = []
  const check = (kind: string, id: string | undefined, tags: Record<string, string>) => {
    if (services.includes(tags[TAG.service] ?? '')) left.push(`${kind} ${id}`)
  }
  for (const group of after.groups) check('Auto Scaling group', group.AutoScalingGroupName, tagMap(group.Tags))
  for (const instance of (after.instances ?? []).filter((i) => i.State?.Name !== 'shutting-down')) check('instance', instance.InstanceId, tagMap(instance.Tags))
  for (const lb of after.loadBalancers) check('load balancer', lb.item.LoadBalancerName, lb.tags)
  for (const group of after.targetGroups) check('target group', group.item.TargetGroupName, group.tags)
  for (const group of after.securityGroups) check('security group', group.GroupId, tagMap(group.Tags))
  for (const template of after.launchTemplates) check('launch template', template.LaunchTemplateId, tagMap(template.Tags))
  if (left.length > 0) {
    throw new UserError(`Some resources of ${services.join(', ')} still exist on target "${context.targetName}" after the delete.`, {
      code: 'failure', details: left, fix: 'Run strato destroy again; if a resource stays, delete it in the AWS console and check its dependencies.',
    })
  }
}
