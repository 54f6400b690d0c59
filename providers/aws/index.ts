/**
 * The aws provider: a service is a launch template plus an Auto Scaling group
 * behind a rule of the target's one Application Load Balancer (public
 * services) or a listener of its one internal Network Load Balancer (private
 * ones, src/exposure.ts); state is read
 * back from the strato.project / strato.service / strato.version tags, never from a file.
 * Loaded lazily by providers/registry.ts, so the SDK loads only for aws targets.
 */
import type { AutoscalingChanges } from '../../src/autoscaling/compile.js'
import { unknownLocation, verbNotSupported } from '../../src/capabilities.js'
import { notSupported, UserError, usageError } from '../../src/errors.js'
import { isPublic, privateServicesOn } from '../../src/exposure.js'
import type { Autoscale, AwsTargetConfig } from '../../src/manifest/schema.js'
import type { Action, ApplyResult, CostLine, Fact, Period, Progress, Resource, Sample } from '../../src/model.js'
import type { DestroyResult, Provider, ProviderContext, ProviderFactory, ProviderSettings, ReleaseRecord } from '../provider.js'
import { describeGroup, setGroupSize } from './auto-scaling-group.js'
import { compileAwsAutoscaling, needsRequestLabel, REQUEST_LABEL } from './autoscaling-compile.js'
import { applyPolicies, requestLabelOf } from './autoscaling-policies.js'
import { createClients, type AwsClients } from './clients.js'
import { actualCosts } from './cost-explorer.js'
import { applyActions, deleteProjectWide, deleteService, waitForHealthy, type DeploymentContext, type Timing } from './deployment.js'
import { awsDescriptor } from './descriptor.js'
import { collectFacts } from './facts.js'
import { readInventory, toResources } from './inventory.js'
import { deleteSharedBalancer, manifestRoutes } from './front.js'
import { joinedSharedBalancer, serviceFront, sharedBalancer } from './layout.js'
import { deleteInternalBalancer } from './internal-balancer.js'
import { cpuSamples } from './metrics.js'
import { groupName } from './naming.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Wait settings from the command line. A new EC2 instance installs Docker and
 * pulls the image before it can pass a health check, so without
 * --health-timeout it gets the descriptor's 10 minutes.
 */
export function timingFrom(settings: ProviderSettings = {}): Timing {
  const seconds = settings.healthTimeoutSeconds ?? awsDescriptor.rollout.healthTimeoutSeconds
  return { healthTimeoutMs: seconds * 1000, pollMs: settings.pollIntervalMs ?? 10_000, sleep, now: () => Date.now() }
}

export class AwsProvider implements Provider {
  readonly kind = 'aws' as const
  readonly target: AwsTargetConfig
  readonly clients: AwsClients
  private readonly deployment: DeploymentContext

  constructor(readonly context: ProviderContext, timing = timingFrom(context.settings)) {
    if (context.target.provider !== 'aws') throw new Error(`aws provider given a ${context.target.provider} target`)
    this.target = context.target
    // validate refuses it first; a provider built without validation still never calls a region that does not exist
    const unknown = unknownLocation(awsDescriptor, this.target)
    if (unknown) throw usageError(`targets.${context.targetName}.region: ${unknown}`, `Set targets.${context.targetName}.region to one of: ${awsDescriptor.locations!.known.join(', ')}.`)
    this.clients = createClients({ target: this.target, targetName: context.targetName, maxAttempts: context.settings?.maxAttempts })
    this.deployment = {
      clients: this.clients, manifest: context.manifest, target: this.target, targetName: context.targetName,
      projectDir: context.projectDir, env: context.env, signal: context.signal, timing,
    }
  }

  async inventory(project: string): Promise<Resource[]> {
    return toResources(await readInventory(this.clients, project), this.context.targetName, this.target.region, manifestRoutes(this.context.manifest), privateServicesOn(this.context.manifest, this.context.targetName))
  }

  async apply(actions: Action[], progress: Progress): Promise<ApplyResult> {
    return applyActions(this.deployment, actions.filter((action) => action.target === this.context.targetName), progress)
  }

  /** Deletes every service the project has on this target, then reads the tags back: nothing may remain. */
  async destroy(): Promise<DestroyResult> {
    const project = this.context.manifest.name
    const before = await this.inventory(project)
    const services = [...new Set(before.map((resource) => resource.service).filter((service): service is string => Boolean(service)))].sort()
    const removed: Record<string, number> = {}
    for (const resource of before) if (resource.state !== 'stopped' || resource.kind !== 'instance') removed[resource.kind] = (removed[resource.kind] ?? 0) + 1
    const inventory = await readInventory(this.clients, project)
    for (const service of services) await deleteService(this.deployment, service, inventory, this.context.progress)
    await deleteSharedBalancer(this.clients, inventory, this.deployment.timing.sleep)
    await deleteInternalBalancer(this.clients, inventory.loadBalancers, this.deployment.timing.sleep)
    await deleteProjectWide(this.deployment)
    const after = await readInventory(this.clients, project, { ec2Instances: true })
    return { removed, remaining: toResources(after, this.context.targetName, this.target.region) }
  }

  async scale(service: string, replicas: number): Promise<void> {
    const spec = this.serviceSpec(service)
    const name = groupName(this.context.manifest.name, service)
    const group = await describeGroup(this.clients, name)
    if (!group) throw new UserError(`Service ${service} is not deployed on target "${this.context.targetName}".`, { code: 'conflict', fix: 'Run strato deploy first.' })
    const min = group.MinSize ?? 0
    const max = group.MaxSize ?? 0
    if (spec.autoscale && (replicas < min || replicas > max)) {
      throw usageError(`${replicas} replicas is outside the Auto Scaling bounds of ${service} (${min}..${max}) on target "${this.context.targetName}".`,
        `Choose a number within ${min}..${max}, or change services.${service}.autoscale.min/max in strato.yaml and run strato autoscale apply.`)
    }
    // Without an autoscale block the manifest sets no bounds, so the group's widen to fit.
    await setGroupSize(this.clients, name, spec.autoscale ? { desired: replicas } : { min: Math.min(min, replicas), max: Math.max(max, replicas), desired: replicas })
    this.context.progress.step(`${service}: desired capacity ${group.DesiredCapacity} -> ${replicas}`)
    await waitForHealthy(this.deployment, name, replicas, this.context.progress)
  }

  /** Compiles the policy (autoscaling-compile.ts) with the live balancer's label, applies it, and says what changed. */
  async applyAutoscaling(service: string, policy: Autoscale): Promise<AutoscalingChanges> {
    this.serviceSpec(service)
    const project = this.context.manifest.name
    const name = groupName(project, service)
    const group = await describeGroup(this.clients, name)
    if (!group) throw new UserError(`Service ${service} is not deployed on target "${this.context.targetName}", so it has no group to scale.`, { code: 'conflict', fix: 'Run strato deploy first, then strato autoscale apply.' })
    const resolved: Record<string, string> = {}
    if (needsRequestLabel({ policy }) && !isPublic(this.serviceSpec(service))) {
      throw notSupported(`Request-based scaling of ${service} on aws, a service the internal Network Load Balancer fronts (it counts connections, not requests),`,
        `Scale ${service} on cpu (services.${service}.autoscale.target.cpu), or make it public with a health path.`)
    }
    if (needsRequestLabel({ policy })) {
      // request counts per target: the shared balancer and the service's target group behind it
      const inventory = await readInventory(this.clients, project)
      const lb = sharedBalancer(inventory)
      const front = serviceFront(inventory, service)
      if (!lb || !front.targetGroup || !joinedSharedBalancer(front)) {
        throw new UserError(`Request-based scaling for ${service} needs it behind the shared load balancer of target "${this.context.targetName}", where it is not yet.`, {
          code: 'conflict', fix: 'Run strato deploy (it moves the service behind the shared load balancer), then apply its autoscaling.',
        })
      }
      resolved[REQUEST_LABEL] = requestLabelOf(lb.item.LoadBalancerArn!, front.targetGroup.item.TargetGroupArn!)
    }
    const changes = await applyPolicies(this.clients, compileAwsAutoscaling({ project, service, policy, resolved }), {
      min: group.MinSize ?? 0, max: group.MaxSize ?? 0, desired: group.DesiredCapacity ?? 0, cooldown: group.DefaultCooldown,
    })
    for (const list of ['created', 'updated', 'deleted'] as const) {
      for (const item of changes[list]) this.context.progress.step(`${service}: ${list} ${item}`)
    }
    return changes
  }

  async metrics(service: string, windowSeconds: number): Promise<Sample[]> {
    this.serviceSpec(service)
    return cpuSamples(this.clients, groupName(this.context.manifest.name, service), windowSeconds, new Date())
  }

  async costs(period: Period): Promise<CostLine[]> {
    return actualCosts(this.clients, this.context.manifest.name, period, this.context.targetName)
  }

  async facts(): Promise<Fact[]> {
    return collectFacts(this.clients, this.context.manifest.name, this.context.targetName)
  }

  async releases(): Promise<ReleaseRecord[]> {
    throw verbNotSupported(awsDescriptor, 'releases', this.context.targetName)
  }

  async rollback(): Promise<ApplyResult & { release?: number }> {
    throw verbNotSupported(awsDescriptor, 'rollback', this.context.targetName)
  }

  async logs(): Promise<void> {
    throw verbNotSupported(awsDescriptor, 'logs', this.context.targetName)
  }

  async close(): Promise<void> {
    this.clients.destroy()
  }

  private serviceSpec(service: string) {
    const spec = this.context.manifest.services[service]
    if (!spec) {
      const names = Object.keys(this.context.manifest.services)
      throw usageError(`Unknown service "${service}".`, `Use one of: ${names.join(', ')}.`)
    }
    return spec
  }
}

export const createProvider: ProviderFactory = (context) => new AwsProvider(context)
