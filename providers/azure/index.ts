/**
 * The azure provider: a service is a VM Scale Set (Uniform) behind the
 * project's Standard load balancer; state is read back from strato's tags,
 * never from a file. Loaded lazily by providers/registry.ts, and each Azure
 * SDK only when a call needs it (clients.ts).
 */
import type { TokenCredential } from '@azure/core-auth'
import { verbNotSupported } from '../../src/capabilities.js'
import { usageError, UserError } from '../../src/errors.js'
import type { Autoscale, AzureTargetConfig } from '../../src/manifest/schema.js'
import { checkService } from '../../src/planning/scale.js'
import { LABEL, type Action, type ApplyResult, type CostLine, type Fact, type Period, type Progress, type Resource, type Sample } from '../../src/model.js'
import type { Provider, ProviderContext, ProviderFactory, ProviderSettings, ReleaseRecord } from '../provider.js'
import type { AutoscalingChanges } from '../../src/autoscaling/compile.js'
import { applyAutoscaleSetting, autoscaleBounds } from './autoscale.js'
import { autoscaleSetting } from './autoscaling-compile.js'
import { createClients, type AzureClients } from './clients.js'
import { actualCosts } from './cost-management.js'
import { defaultCredential } from './credentials.js'
import { applyActions, tenantOf, waitForHealthy, type DeploymentContext, type Timing } from './deployment.js'
import { azureDescriptor } from './descriptor.js'
import { destroyProject } from './destroy.js'
import { collectFacts } from './facts.js'
import { chooseRelease, releaseHistory } from './history.js'
import { privateDrift } from './internal-balancer.js'
import { readScaleSets, scaleSetResources } from './inventory.js'
import { cpuSamples } from './metrics.js'
import { autoscaleSettingName, resourceGroupName, scaleSetName } from './naming.js'
import { readScaleSet, setCapacity } from './scale-set.js'
import { listTaggedResources, taggedResource } from './tagged-resources.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A new VM installs Docker and pulls the image before it answers: the descriptor's 10 minutes unless --health-timeout says otherwise. */
export function timingFrom(settings: ProviderSettings = {}): Timing {
  return { healthTimeoutMs: (settings.healthTimeoutSeconds ?? azureDescriptor.rollout.healthTimeoutSeconds) * 1000, pollMs: settings.pollIntervalMs ?? 10_000, sleep, now: () => Date.now() }
}

export function subscriptionOf(target: AzureTargetConfig, targetName: string, env: NodeJS.ProcessEnv): string {
  const subscription = target.subscription ?? env.AZURE_SUBSCRIPTION_ID
  if (!subscription) {
    throw usageError(`Target "${targetName}" names no Azure subscription.`, `Set targets.${targetName}.subscription in strato.yaml, or export AZURE_SUBSCRIPTION_ID.`)
  }
  return subscription
}

/** A credential made on first use: @azure/identity loads only when a token is needed. */
function lazyCredential(env: NodeJS.ProcessEnv): TokenCredential {
  let credential: Promise<TokenCredential> | undefined
  return { getToken: async (scopes, options) => (await (credential ??= defaultCredential(env))).getToken(scopes, options) }
}

export class AzureProvider implements Provider {
  readonly kind = 'azure' as const
  readonly target: AzureTargetConfig
  readonly clients: AzureClients
  readonly resourceGroup: string
  private readonly deployment: DeploymentContext

  constructor(readonly context: ProviderContext, options: { credential?: TokenCredential; tlsCa?: string; timing?: Timing } = {}) {
    if (context.target.provider !== 'azure') throw new Error(`azure provider given a ${context.target.provider} target`)
    this.target = context.target
    const settings = context.settings ?? {}
    const timing = options.timing ?? timingFrom(settings)
    this.resourceGroup = resourceGroupName(context.manifest.name, context.targetName, this.target)
    this.clients = createClients({
      credential: options.credential ?? lazyCredential(context.env), subscriptionId: subscriptionOf(this.target, context.targetName, context.env),
      targetName: context.targetName, endpoint: this.target.endpoint, authorityHost: context.env.AZURE_AUTHORITY_HOST, pollIntervalMs: timing.pollMs, tlsCa: options.tlsCa,
      ...(settings.maxAttempts !== undefined ? { maxRetries: Math.max(0, settings.maxAttempts - 1) } : {}),
    })
    this.deployment = {
      clients: this.clients, manifest: context.manifest, target: this.target, targetName: context.targetName, resourceGroup: this.resourceGroup,
      projectDir: context.projectDir, env: context.env, signal: context.signal, timing, surge: settings.surge, imageMap: settings.imageMap, tenantId: tenantOf(this.clients),
    }
  }

  async inventory(project: string): Promise<Resource[]> {
    const [sets, tagged] = await Promise.all([readScaleSets(this.clients, this.resourceGroup, project), listTaggedResources(this.clients, project)])
    const detailed = scaleSetResources(sets, this.context.targetName, this.target.location)
    const seen = new Set(detailed.map((resource) => resource.id.toLowerCase()))
    const others = tagged.filter((resource) => !seen.has(resource.id.toLowerCase())).map((resource) => taggedResource(resource, this.context.targetName, this.target.location))
    return privateDrift([...detailed, ...others], this.context.manifest, this.context.targetName)
  }

  async apply(actions: Action[], progress: Progress): Promise<ApplyResult> {
    const { release: _release, ...result } = await applyActions(this.deployment, actions.filter((action) => action.target === this.context.targetName), progress)
    return result
  }

  async scale(service: string, replicas: number): Promise<void> {
    const spec = this.serviceSpec(service)
    const name = scaleSetName(this.context.manifest.name, service)
    const scaleSet = await readScaleSet(this.clients, this.resourceGroup, name)
    if (!scaleSet) throw new UserError(`Service ${service} is not deployed on target "${this.context.targetName}".`, { code: 'conflict', fix: 'Run strato deploy first.' })
    const bounds = spec.autoscale ? await autoscaleBounds(this.clients, this.resourceGroup, autoscaleSettingName(this.context.manifest.name, service)) ?? { min: spec.autoscale.min, max: spec.autoscale.max } : undefined
    if (bounds && (replicas < bounds.min || replicas > bounds.max)) {
      throw usageError(`${replicas} replicas is outside the autoscale bounds of ${service} (${bounds.min}..${bounds.max}) on target "${this.context.targetName}".`,
        `Choose a number within ${bounds.min}..${bounds.max}, or change services.${service}.autoscale.min/max in strato.yaml and run strato autoscale apply.`)
    }
    this.context.progress.step(`${service}: capacity ${scaleSet.sku?.capacity ?? 0} -> ${replicas}`)
    await setCapacity(this.clients, this.resourceGroup, name, replicas)
    await waitForHealthy(this.deployment, name, replicas, this.context.progress)
  }

  async applyAutoscaling(service: string, policy: Autoscale): Promise<AutoscalingChanges> {
    this.serviceSpec(service)
    const project = this.context.manifest.name
    const scaleSet = await readScaleSet(this.clients, this.resourceGroup, scaleSetName(project, service))
    if (!scaleSet?.id) throw new UserError(`Service ${service} is not deployed on target "${this.context.targetName}", so it has no scale set to scale.`, { code: 'conflict', fix: 'Run strato deploy first, then strato autoscale apply.' })
    const name = autoscaleSettingName(project, service)
    const resourceGroupId = `/subscriptions/${this.clients.subscriptionId}/resourceGroups/${this.resourceGroup}`
    const body = autoscaleSetting({ project, service, policy, resolved: { location: this.target.location, resourceGroupId } })
    const changes = await applyAutoscaleSetting(this.clients, this.resourceGroup, name, body)
    for (const list of ['created', 'updated', 'deleted'] as const) {
      for (const item of changes[list]) this.context.progress.step(`${service}: ${list} ${item}`)
    }
    return changes
  }

  async metrics(service: string, windowSeconds: number): Promise<Sample[]> {
    this.serviceSpec(service)
    const scaleSet = await readScaleSet(this.clients, this.resourceGroup, scaleSetName(this.context.manifest.name, service))
    if (!scaleSet?.id) return []
    return cpuSamples(this.clients, scaleSet.id, windowSeconds, new Date())
  }

  async costs(period: Period): Promise<CostLine[]> {
    return actualCosts(this.clients, this.context.manifest.name, period, this.context.targetName)
  }

  async facts(): Promise<Fact[]> {
    return collectFacts(this.clients, this.resourceGroup, this.context.manifest.name, this.context.targetName)
  }

  async releases(): Promise<ReleaseRecord[]> {
    return releaseHistory(await readScaleSets(this.clients, this.resourceGroup, this.context.manifest.name))
  }

  async rollback(to: string | undefined): Promise<ApplyResult & { release?: number }> {
    const project = this.context.manifest.name
    const entries = await readScaleSets(this.clients, this.resourceGroup, project)
    const chosen = chooseRelease(releaseHistory(entries), to, this.context.targetName)
    const actions: Action[] = []
    const pinned: Record<string, { version: string; image: string }> = {}
    for (const { scaleSet } of entries) {
      const service = scaleSet.tags?.[LABEL.service]
      const wanted = service ? chosen.services[service] : undefined
      if (!service || !wanted || scaleSet.tags?.[LABEL.version] === wanted.version) continue
      if (!wanted.image) {
        throw new UserError(`Release ${chosen.number} of ${service} kept no image reference (it was longer than an Azure tag holds), so it cannot be restored.`, {
          code: 'conflict', fix: 'Deploy the version you want from strato.yaml instead.',
        })
      }
      if (!this.context.manifest.services[service]) continue
      const capacity = scaleSet.sku?.capacity ?? wanted.replicas
      actions.push({ kind: 'update', target: this.context.targetName, service, from: capacity, to: capacity, fromVersion: scaleSet.tags?.[LABEL.version], toVersion: wanted.version, reasons: [`rollback to release ${chosen.number}`] })
      pinned[service] = { version: wanted.version, image: wanted.image }
    }
    return applyActions(this.deployment, actions, this.context.progress, `rollback to ${chosen.number}`, pinned)
  }

  async logs(): Promise<void> {
    throw verbNotSupported(azureDescriptor, 'logs', this.context.targetName)
  }

  async destroy(): Promise<{ removed: Record<string, number>; remaining: Resource[] }> {
    const { removed, remaining } = await destroyProject(this.clients, this.resourceGroup, this.context.manifest.name, this.target.location, this.context.progress)
    return { removed, remaining: remaining.map((resource) => taggedResource(resource, this.context.targetName, this.target.location)) }
  }

  async close(): Promise<void> {
    // the SDK clients hold no connections of their own to release
  }

  private serviceSpec(service: string) {
    checkService(this.context.manifest, service)
    return this.context.manifest.services[service]
  }
}

export const createProvider: ProviderFactory = (context) => new AzureProvider(context)
