/**
 * The kubernetes provider: a service is a Deployment with its Service,
 * ConfigMap, Secret and PodDisruptionBudget, behind one Ingress per target;
 * autoscaling is an autoscaling/v2 HorizontalPodAutoscaler. State is the
 * objects' labels and annotations, read back from the namespace, never a file.
 * Loaded lazily by providers/registry.ts, so @kubernetes/client-node loads
 * only for kubernetes targets.
 */
import { SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { UserError, usageError } from '../../src/errors.js'
import type { Autoscale, KubernetesTargetConfig } from '../../src/manifest/schema.js'
import type { Action, ApplyResult, CostLine, Fact, Period, Progress, Resource, Sample } from '../../src/model.js'
import { deployer } from '../deployer.js'
import { imageFor } from '../image-build.js'
import { imageMapFrom } from '../image-map.js'
import type { Provider, ProviderContext, ProviderFactory, ReleaseRecord } from '../provider.js'
import { compileHpa } from './autoscaling-compile.js'
import { connect, objectPath, type KubeApi } from './client.js'
import { allocate, nodePrice, type NodeInfo, type NodePrice, type PodInfo } from './cost-allocation.js'
import { applyActions, deleteIfPresent, rollbackService, scaleService, type DeployContext } from './deployment.js'
import { destroyProject } from './destroy.js'
import { isNotFound } from './errors.js'
import { collectFacts } from './facts.js'
import { readInventory, toResources, type PodLike } from './inventory.js'
import { LABEL, selectorString } from './labels.js'
import { serviceLogs } from './logs.js'
import { serviceMetrics } from './metrics.js'
import type { KubeObject } from './objects.js'
import { cpuCores, memoryBytes } from './quantities.js'
import { pickRelease, releasesFrom, serviceRevisions } from './releases.js'
import { namespaceOf } from './render.js'
import { serviceHost } from './render-ingress.js'
import { replicaSets } from './rollout.js'

export const DEFAULT_POLL_MS = 1000

export class KubernetesProvider implements Provider {
  readonly kind = 'kubernetes' as const
  private readonly deploy: DeployContext

  private constructor(readonly context: ProviderContext, readonly target: KubernetesTargetConfig, readonly api: KubeApi) {
    const settings = context.settings ?? {}
    this.deploy = {
      api, manifest: context.manifest, targetName: context.targetName, target, env: context.env,
      healthTimeoutSeconds: settings.healthTimeoutSeconds ?? 60,
      surge: settings.surge ?? 1,
      pollMs: (settings as { pollIntervalMs?: number }).pollIntervalMs ?? DEFAULT_POLL_MS,
      deployedBy: deployer(context.env),
      now: () => new Date(),
      image: async (service, version) => this.image(service, version),
      signal: context.signal,
    }
  }

  static async open(context: ProviderContext): Promise<KubernetesProvider> {
    if (context.target.provider !== 'kubernetes') throw new Error(`kubernetes provider given a ${context.target.provider} target`)
    const target = context.target
    const settings = context.settings as { maxAttempts?: number } | undefined
    const api = await connect({
      target, targetName: context.targetName, namespace: namespaceOf(context.manifest.name, target),
      projectDir: context.projectDir, env: context.env, settings: { maxAttempts: settings?.maxAttempts, signal: context.signal },
    })
    return new KubernetesProvider(context, target, api)
  }

  private get project(): string {
    return this.context.manifest.name
  }

  /** The image a service runs: image: as given (through the image map), build: built and pushed to the target's registry. */
  private async image(service: string, version: string): Promise<string> {
    return imageFor({
      project: this.project, service, spec: this.context.manifest.services[service], version, registry: this.target.registry,
      targetName: this.context.targetName, projectDir: this.context.projectDir, imageMap: imageMapFrom(this.context.settings?.imageMap),
    }, this.context.progress, this.context.signal)
  }

  private async endpoints(): Promise<Record<string, string>> {
    try {
      const ingress = await this.api.get<{ spec?: { rules?: { host?: string; http?: { paths?: { backend?: { service?: { name?: string } } }[] } }[] } }>(objectPath('Ingress', this.api.namespace, this.project))
      const out: Record<string, string> = {}
      for (const rule of ingress.spec?.rules ?? []) {
        const service = rule.http?.paths?.[0]?.backend?.service?.name
        if (service && rule.host) out[service] = `http://${rule.host}`
      }
      return out
    } catch (error) {
      if (isNotFound(error)) return {}
      throw error
    }
  }

  async inventory(project: string): Promise<Resource[]> {
    const [inventory, endpoints] = await Promise.all([readInventory(this.api, project), this.endpoints()])
    return toResources(inventory, this.context.targetName, endpoints)
  }

  async apply(actions: Action[], progress: Progress): Promise<ApplyResult> {
    return applyActions(this.deploy, actions.filter((action) => action.target === this.context.targetName), progress)
  }

  async scale(service: string, replicas: number): Promise<void> {
    this.requireService(service)
    await scaleService(this.deploy, service, replicas, this.context.progress)
  }

  private requireService(service: string): void {
    if (!this.context.manifest.services[service]) throw usageError(`Unknown service "${service}".`, `Use one of: ${Object.keys(this.context.manifest.services).join(', ')}.`)
  }

  /** Writes the service's HorizontalPodAutoscaler; an autoscale block removed from strato.yaml removes it. */
  async applyAutoscaling(service: string, policy: Autoscale | undefined): Promise<{ created: string[]; updated: string[]; deleted: string[]; unchanged: string[] }> {
    this.requireService(service)
    const name = `HorizontalPodAutoscaler/${service}`
    const path = objectPath('HorizontalPodAutoscaler', this.api.namespace, service)
    let existing: KubeObject | undefined
    try {
      existing = await this.api.get<KubeObject>(path)
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    if (!policy) {
      if (existing) await deleteIfPresent(this.api, 'HorizontalPodAutoscaler', service)
      return { created: [], updated: [], deleted: existing ? [name] : [], unchanged: [] }
    }
    const { object } = compileHpa({ project: this.project, namespace: this.api.namespace, service, policy, requestsMetric: this.target.requestsMetric })
    const applied = await this.api.apply(object)
    if (!existing) return { created: [name], updated: [], deleted: [], unchanged: [] }
    const changed = applied.metadata && (applied as { metadata: { resourceVersion?: string } }).metadata.resourceVersion !== (existing as { metadata: { resourceVersion?: string } }).metadata.resourceVersion
    return { created: [], updated: changed ? [name] : [], deleted: [], unchanged: changed ? [] : [name] }
  }

  async metrics(service: string): Promise<Sample[]> {
    this.requireService(service)
    return serviceMetrics(this.api, this.project, service, new Date())
  }

  /** Node prices allocated to the project's pods by their requests over the period (the OpenCost method). */
  async costs(period: Period): Promise<CostLine[]> {
    interface Node { metadata: { name: string; labels?: Record<string, string> }; spec?: { providerID?: string }; status?: { capacity?: Record<string, string> } }
    const [nodes, pods] = await Promise.all([
      this.api.list<Node>(objectPath('Node', undefined)),
      this.api.list<PodLike & { status?: { startTime?: string } }>(objectPath('Pod', this.api.namespace), { labelSelector: selectorString({ [LABEL.project]: this.project }) }),
    ])
    const infos: NodeInfo[] = nodes.map((node) => ({
      name: node.metadata.name,
      cpuCores: cpuCores(node.status?.capacity?.cpu ?? '0'),
      memoryBytes: memoryBytes(node.status?.capacity?.memory ?? '0'),
      providerID: node.spec?.providerID,
      labels: node.metadata.labels ?? {},
    }))
    const prices = new Map<string, NodePrice>()
    for (const node of infos) {
      const price = nodePrice(node, this.target, SHIPPED_CATALOG)
      if ('unknown' in price) this.context.progress.warn(`${this.context.targetName}: node ${node.name} is not priced: ${price.unknown}; set targets.${this.context.targetName}.cost for on-prem nodes`)
      else prices.set(node.name, price)
    }
    const now = new Date().toISOString()
    const running: PodInfo[] = pods.filter((pod) => pod.spec?.nodeName && pod.metadata.labels?.[LABEL.service]).map((pod) => ({
      service: pod.metadata.labels![LABEL.service],
      node: pod.spec!.nodeName!,
      cpuCores: (pod.spec?.containers ?? []).reduce((sum, container) => sum + cpuCores(container.resources?.requests?.cpu ?? '0'), 0),
      memoryBytes: (pod.spec?.containers ?? []).reduce((sum, container) => sum + memoryBytes(container.resources?.requests?.memory ?? '0'), 0),
      start: pod.status?.startTime ?? pod.metadata.creationTimestamp ?? now,
      end: pod.metadata.deletionTimestamp ?? now,
    }))
    return allocate({ target: this.context.targetName, nodes: infos, prices, pods: running, period, currency: SHIPPED_CATALOG.currency })
  }

  async facts(): Promise<Fact[]> {
    return collectFacts(this.api, this.context.targetName, (message) => this.context.progress.warn(message))
  }

  private async history() {
    const deployments = (await readInventory(this.api, this.project)).deployments
    const revisions = []
    for (const deployment of deployments) {
      const service = deployment.metadata.name
      revisions.push(...serviceRevisions(service, await replicaSets(this.api, this.project, service), deployment.spec?.replicas ?? 0))
    }
    return { revisions, releases: releasesFrom(revisions) }
  }

  async releases(): Promise<ReleaseRecord[]> {
    return (await this.history()).releases.map(({ revisions: _revisions, ...release }) => release)
  }

  async rollback(to: string | undefined): Promise<ApplyResult & { release?: number }> {
    const { revisions, releases } = await this.history()
    const release = pickRelease(releases, to)
    if (!release) {
      throw new UserError(to === undefined ? 'There is no earlier release to roll back to.' : `No release ${to} on target "${this.context.targetName}".`, {
        code: 'usage', fix: 'List the releases with `strato releases` and pass one of their numbers or versions to --to.',
      })
    }
    const current = releases.at(-1)!
    const applied: Action[] = []
    const at = new Date().toISOString()
    for (const [service, wanted] of Object.entries(release.services)) {
      if (current.services[service]?.version === wanted.version) continue
      const revision = revisions.find((entry) => entry.service === service && entry.revision === release.revisions[service])!
      await rollbackService(this.deploy, service, revision.set, at, this.context.progress)
      applied.push({ kind: 'update', target: this.context.targetName, service, from: wanted.replicas, to: wanted.replicas, fromVersion: current.services[service]?.version, toVersion: wanted.version, reasons: [`rollback to release ${release.number}`] })
    }
    const endpoints = await this.endpoints()
    return { applied, endpoints, warnings: [], release: (await this.history()).releases.at(-1)?.number }
  }

  async logs(service: string, options: { tail: number; follow: boolean }, write: (line: string) => void): Promise<void> {
    this.requireService(service)
    await serviceLogs(this.api, this.project, service, { ...options, signal: this.context.signal }, write)
  }

  async destroy(options: { volumes: boolean }): Promise<{ removed: Record<string, number>; remaining: Resource[] }> {
    return destroyProject(this.api, this.project, this.context.targetName, { volumes: options.volumes, timeoutMs: 120_000, pollMs: this.deploy.pollMs }, this.context.progress)
  }

  async close(): Promise<void> {}
}

/** The endpoint a service gets on a target, as the Ingress serves it. */
export function endpointOf(project: string, service: string, target: KubernetesTargetConfig): string {
  return `http://${serviceHost(project, service, target.domain)}`
}

export const createProvider: ProviderFactory = (context) => KubernetesProvider.open(context)
