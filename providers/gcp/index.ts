/**
 * The gcp provider: a service is an instance template per version and a
 * regional managed instance group, behind the target's shared HTTP load
 * balancer (or its own regional network balancer); state is read back from
 * Google (names, descriptions and labels), never from a file. Loaded lazily
 * by providers/registry.ts, so the client libraries load only for gcp targets.
 */
import type { AutoscalingChanges } from '../../src/autoscaling/compile.js'
import { unknownLocation, verbNotSupported } from '../../src/capabilities.js'
import { UserError, notSupported, usageError } from '../../src/errors.js'
import type { Autoscale, GcpTargetConfig } from '../../src/manifest/schema.js'
import { checkService } from '../../src/planning/scale.js'
import type { Action, ApplyResult, CostLine, Fact, Period, Progress, Resource, Sample } from '../../src/model.js'
import { deployer } from '../deployer.js'
import type { DestroyResult, Provider, ProviderContext, ProviderFactory, ProviderSettings, ReleaseRecord } from '../provider.js'
import { DEFAULT_RETRY, GcpApi } from './api.js'
import { applicationDefaultCredentials, type Credentials } from './auth.js'
import { applyAutoscaler } from './autoscaler.js'
import { actualCosts } from './billing-export.js'
import { applyActions, boundsOf, resize, type DeploymentContext, type Timing } from './deployment.js'
import { gcpDescriptor } from './descriptor.js'
import { collectFacts } from './facts.js'
import { readGroup } from './group-state.js'
import { privateDrift, privateServicesOn } from './internal-balancer.js'
import { readInventory, toResources } from './inventory.js'
import { serviceSamples } from './metrics.js'
import { serviceResourceName } from './naming.js'
import { releasesFrom, rollbackTo } from './releases.js'
import { destroyTarget } from './service-removal.js'
import { settingsOf, type GcpTargetSettings } from './target-settings.js'

/** Wait settings from the command line; a new VM installs Docker and pulls the image first, so the default timeout is the descriptor's 10 minutes. */
export function timingFrom(settings: ProviderSettings = {}): Timing {
  return {
    healthTimeoutMs: (settings.healthTimeoutSeconds ?? gcpDescriptor.rollout.healthTimeoutSeconds) * 1000,
    pollMs: settings.pollIntervalMs ?? 10_000,
  }
}

/** Who deploys, for the release history: the credentials' account, else the local user at this host. */
function deployedBy(identity: string | undefined, env: NodeJS.ProcessEnv): string {
  return identity ?? deployer(env)
}

export class GcpProvider implements Provider {
  readonly kind = 'gcp' as const
  readonly settings: GcpTargetSettings
  private readonly deployment: DeploymentContext

  constructor(readonly context: ProviderContext, readonly api: GcpApi, private readonly identity: () => Promise<string | undefined> = async () => undefined) {
    const target = context.target as GcpTargetConfig
    this.settings = settingsOf(target)
    this.deployment = {
      api, manifest: context.manifest, targetName: context.targetName, settings: this.settings, projectDir: context.projectDir, env: context.env,
      signal: context.signal, timing: timingFrom(context.settings), deployedBy: deployedBy(undefined, context.env), deployedAt: new Date().toISOString(),
    }
  }

  async inventory(project: string): Promise<Resource[]> {
    const resources = toResources(await readInventory(this.api, project, this.context.targetName), this.context.targetName, this.settings.region)
    return privateDrift(resources, privateServicesOn(this.context.manifest, this.context.targetName).map(([name]) => name))
  }

  async apply(actions: Action[], progress: Progress): Promise<ApplyResult> {
    // every template this apply creates shares the apply's time: one deploy, one release
    const by = deployedBy(await this.identity(), this.context.env)
    return applyActions({ ...this.deployment, deployedBy: by, deployedAt: new Date().toISOString() }, actions.filter((action) => action.target === this.context.targetName), progress)
  }

  async scale(service: string, replicas: number): Promise<void> {
    const spec = this.serviceSpec(service)
    const name = serviceResourceName(this.context.manifest.name, service)
    const group = await this.api.find('regionInstanceGroupManagers.get', () => this.api.compute.groups.get({ project: this.api.project, region: this.api.region, instanceGroupManager: name }))
    if (!group) throw new UserError(`Service ${service} is not deployed on target "${this.context.targetName}".`, { code: 'conflict', fix: 'Run strato deploy first.' })
    // the autoscaler's bounds when it has one, else the manifest's
    const autoscaler = readGroup(group[0]).autoscaler
      ? (await this.api.find('regionAutoscalers.get', () => this.api.compute.autoscalers.get({ project: this.api.project, region: this.api.region, autoscaler: name })))?.[0].autoscalingPolicy
      : undefined
    const bounds = autoscaler ? { min: Number(autoscaler.minNumReplicas ?? 0), max: Number(autoscaler.maxNumReplicas ?? 0) } : boundsOf(spec)
    if (bounds && (replicas < bounds.min || replicas > bounds.max)) {
      throw usageError(`${replicas} replicas is outside the autoscale bounds of ${service} (${bounds.min}..${bounds.max}) on target "${this.context.targetName}".`,
        `Choose a number within ${bounds.min}..${bounds.max}, or change services.${service}.autoscale.min/max in strato.yaml and run strato autoscale apply.`)
    }
    await resize(this.deployment, service, replicas, this.context.progress)
  }

  async applyAutoscaling(service: string, policy: Autoscale): Promise<AutoscalingChanges> {
    this.serviceSpec(service)
    const changes = await applyAutoscaler(this.deployment, service, policy)
    for (const list of ['created', 'updated', 'deleted'] as const) {
      for (const item of changes[list]) this.context.progress.step(`${service}: ${list} ${item}`)
    }
    return changes
  }

  async metrics(service: string, windowSeconds: number): Promise<Sample[]> {
    this.serviceSpec(service)
    return serviceSamples(this.api, this.context.manifest.name, service, windowSeconds, new Date())
  }

  async costs(period: Period): Promise<CostLine[]> {
    if (!this.settings.billing) {
      throw notSupported(`Actual spend of GCP target "${this.context.targetName}" without a billing export`,
        `Name the Cloud Billing export table in targets.${this.context.targetName}.billing ({ dataset, table }), or read a FOCUS export with strato cost actual --focus FILE.`)
    }
    return actualCosts(this.api, this.settings.billing, this.context.manifest.name, period, this.context.targetName)
  }

  async facts(): Promise<Fact[]> {
    return collectFacts(this.api, `labels.strato-project = ${this.context.manifest.name}`, this.context.targetName)
  }

  async releases(): Promise<ReleaseRecord[]> {
    const inventory = await readInventory(this.api, this.context.manifest.name, this.context.targetName)
    return releasesFrom(inventory.templates).map(({ templates: _templates, ...release }) => release)
  }

  async rollback(to: string | undefined): Promise<ApplyResult & { release?: number }> {
    return rollbackTo(this.deployment, to, this.context.progress)
  }

  async logs(): Promise<void> {
    throw verbNotSupported(gcpDescriptor, 'logs', this.context.targetName)
  }

  async destroy(): Promise<DestroyResult> {
    return destroyTarget(this.deployment, this.context.progress)
  }

  async close(): Promise<void> {
    await this.api.close()
  }

  private serviceSpec(service: string) {
    checkService(this.context.manifest, service)
    return this.context.manifest.services[service]
  }
}

export const createProvider: ProviderFactory = async (context) => {
  if (context.target.provider !== 'gcp') throw new Error(`gcp provider given a ${context.target.provider} target`)
  // validate refuses it first; a provider built without validation still never calls a region that does not exist
  const unknown = unknownLocation(gcpDescriptor, context.target)
  if (unknown) throw usageError(`targets.${context.targetName}.zone: ${unknown}`, 'Set a zone of a Google Cloud region, e.g. europe-west1-b.')
  const settings = settingsOf(context.target)
  // found on the first call, so a verb that calls nothing (spend without a billing export) needs none
  let credentials: Promise<Credentials> | undefined
  const found = () => (credentials ??= applicationDefaultCredentials(context.targetName, context.env))
  const api = new GcpApi({
    project: settings.gcpProject, region: settings.region, targetName: context.targetName, endpoint: settings.endpoint, authClient: async () => (await found()).client,
    retry: { ...DEFAULT_RETRY, attempts: context.settings?.maxAttempts ?? DEFAULT_RETRY.attempts },
  })
  return new GcpProvider(context, api, async () => (await found()).identity)
}
