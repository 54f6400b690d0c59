/**
 * The docker provider: strato's embedded default. Standalone Docker hosts
 * (local socket, ssh://, tcp:// with TLS) with one nginx balancer per host;
 * everything it creates carries strato's labels and is read back from them.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { AutoscalingChanges } from '../../src/autoscaling/compile.js'
import { notSupportedError, refuse } from '../../src/capabilities.js'
import { usageError, UserError } from '../../src/errors.js'
import { DEFAULT_DOCKER_HOST } from '../../src/manifest/defaults.js'
import { runningReplicas, type Action, type CostLine, type Fact, type Progress, type Resource, type Sample } from '../../src/model.js'
import type { DestroyResult, Provider, ProviderContext, ReleaseRecord } from '../provider.js'
import { dockerDescriptor } from './descriptor.js'
import { destroyOnHost } from './destroy.js'
import { withEndpoints } from './endpoints.js'
import type { DockerHost } from './engine.js'
import { containerFact, daemonFact } from './facts.js'
import { hostInventory, inspectContainers } from './inventory.js'
import { serviceStats } from './metrics.js'
import { labelState, ROLE } from './naming.js'
import { listReleases } from './releases.js'
import { openSession, reachableHosts, rollOut, type RolloutResult, type ServiceRollout, type TargetSession } from './rollout.js'
import { dockerArgv } from './argv.js'

export class DockerProvider implements Provider {
  readonly kind = 'docker' as const
  private readonly session: TargetSession

  constructor(private readonly context: ProviderContext) {
    this.session = openSession(context, DEFAULT_DOCKER_HOST)
  }

  private get progress(): Progress {
    return this.context.progress
  }

  private get options() {
    return { forceUnlock: this.context.settings?.forceUnlock === true, command: 'deploy' }
  }

  async inventory(project: string): Promise<Resource[]> {
    const hosts = await reachableHosts(this.session, this.progress)
    const resources = (await Promise.all(hosts.map((host) => hostInventory(host, project, this.context.targetName, true)))).flat()
    for (const host of this.session.hosts.filter((candidate) => !hosts.includes(candidate))) {
      resources.push({ id: host.address, kind: 'host', target: this.context.targetName, location: host.address, state: 'failed', labels: {} })
    }
    return withEndpoints(this.context.manifest, resources)
  }

  async apply(actions: Action[], progress: Progress): Promise<RolloutResult> {
    const mine = actions.filter((action) => action.target === this.context.targetName)
    const changes = mine.filter((action) => action.kind !== 'noop')
    if (changes.length === 0) return { applied: [], endpoints: {}, warnings: [], skippedHosts: [] }
    // each action carries the version the planner computed from the build context: deploy exactly that
    const plans: ServiceRollout[] = mine.flatMap((action) => (action.kind !== 'delete' && this.context.manifest.services[action.service]
      ? [{ service: action.service, version: action.toVersion, replicas: action.to }]
      : []))
    const deletes = mine.filter((action) => action.kind === 'delete').map((action) => action.service)
    const result = await rollOut({ ...this.session, context: { ...this.context, progress } }, plans, deletes, { ...this.options, kind: 'deploy', record: true })
    return { ...result, applied: changes }
  }

  /** The version and image a service runs now, from its replicas' labels. */
  private async running(service: string): Promise<{ version: string; image: string }> {
    const [replica] = runningReplicas(await this.inventory(this.session.project), service)
    const state = replica && labelState(replica.labels)
    if (!state?.version) {
      throw new UserError(`Service "${service}" has no running replica on target "${this.context.targetName}".`, { code: 'conflict', fix: 'Deploy it first: strato deploy.' })
    }
    return { version: state.version, image: state.extra?.image ?? '' }
  }

  async scale(service: string, replicas: number): Promise<void> {
    if (!this.context.manifest.services[service]) throw usageError(`Unknown service "${service}".`, `Use one of: ${Object.keys(this.context.manifest.services).join(', ')}.`)
    const { version, image } = await this.running(service)
    await rollOut(this.session, [{ service, version, image, replicas }], [], { ...this.options, command: 'scale', kind: 'scale', record: false })
  }

  async applyAutoscaling(): Promise<AutoscalingChanges> {
    throw notSupportedError(dockerDescriptor, 'Native autoscaling', this.context.targetName, NO_NATIVE_AUTOSCALING)
  }

  async metrics(service: string, _windowSeconds: number): Promise<Sample[]> {
    const hosts = await reachableHosts(this.session, this.progress)
    const ids = new Map<DockerHost, string[]>()
    for (const host of hosts) {
      const containers = await inspectContainers(host, this.session.project)
      ids.set(host, containers.filter((container) => container.State.Running && isReplicaOf(container.Config.Labels, service)).map((container) => container.Id))
    }
    return serviceStats(hosts, ids, this.context.manifest.services[service], new Date().toISOString())
  }

  async costs(): Promise<CostLine[]> {
    // The engine reports no spend: the descriptor says it comes from the on-prem model (targets.*.cost).
    throw notSupportedError(dockerDescriptor, 'Spend reported by the provider', this.context.targetName, NO_REPORTED_SPEND)
  }

  async facts(): Promise<Fact[]> {
    const hosts = await reachableHosts(this.session, this.progress)
    const facts: Fact[] = []
    for (const host of hosts) {
      facts.push(await daemonFact(host, this.context.targetName, this.session.target.tls !== undefined))
      for (const container of await inspectContainers(host, this.session.project)) {
        const role = labelState(container.Config.Labels)?.role
        if (role === ROLE.replica || role === ROLE.balancer) facts.push(containerFact(container, this.context.targetName))
      }
    }
    return facts
  }

  async releases(): Promise<ReleaseRecord[]> {
    const hosts = await reachableHosts(this.session, this.progress)
    const byNumber = new Map<number, ReleaseRecord>()
    for (const host of hosts) for (const release of await listReleases(host, this.session.project)) byNumber.set(release.number, release)
    return [...byNumber.values()].sort((a, b) => a.number - b.number)
  }

  async rollback(to: string | undefined): Promise<RolloutResult> {
    const history = await this.releases()
    const release = pickRelease(history, to)
    const plans: ServiceRollout[] = Object.entries(release.services)
      .filter(([service]) => this.context.manifest.services[service])
      .map(([service, entry]) => ({ service, version: entry.version, image: entry.image || undefined, replicas: entry.replicas }))
    return rollOut(this.session, plans, [], { ...this.options, command: 'rollback', kind: `rollback to ${release.number}`, record: true })
  }

  async logs(service: string, options: { tail: number; follow: boolean }, write: (line: string) => void): Promise<void> {
    if (!this.context.manifest.services[service]) throw usageError(`Unknown service "${service}".`, `Use one of: ${Object.keys(this.context.manifest.services).join(', ')}.`)
    const hosts = await reachableHosts(this.session, this.progress)
    const followers: Promise<unknown>[] = []
    for (const host of hosts) {
      for (const container of await inspectContainers(host, this.session.project)) {
        if (!isReplicaOf(container.Config.Labels, service)) continue
        const name = container.Name.replace(/^\//, '')
        if (!options.follow) {
          for (const line of (await host.combinedOutput(dockerArgv.containerLogs(container.Id, options.tail))).split('\n').filter(Boolean)) write(`${name} | ${line}`)
          continue
        }
        const child = host.spawn(dockerArgv.containerLogs(container.Id, options.tail, true))
        for (const stream of [child.stdout, child.stderr]) {
          let rest = ''
          stream?.on('data', (chunk: Buffer) => {
            const lines = (rest + chunk.toString()).split('\n')
            rest = lines.pop() ?? ''
            for (const line of lines) write(`${name} | ${line}`)
          })
        }
        followers.push(child)
      }
    }
    await Promise.all(followers)
  }

  async destroy(options: { volumes: boolean }): Promise<DestroyResult> {
    const hosts = await reachableHosts(this.session, this.progress)
    const removed: Record<string, number> = { containers: 0, networks: 0, images: 0, volumes: 0 }
    for (const host of hosts) {
      const counts = await destroyOnHost(host, this.session.project, options.volumes, this.progress)
      for (const [key, value] of Object.entries(counts)) removed[key] += value
    }
    // Volumes are kept on purpose without --volumes: they hold data.
    const left = async () => (await Promise.all(hosts.map((host) => hostInventory(host, this.session.project, this.context.targetName, true)))).flat()
      .filter((resource) => options.volumes || resource.kind !== 'volume')
    let remaining = await left()
    // Swarm removes overlay networks and task containers a moment after it says so: read again before reporting leftovers.
    for (let attempt = 0; attempt < 20 && remaining.length > 0; attempt++) {
      await sleep(500)
      remaining = await left()
    }
    return { removed, remaining }
  }

  async close(): Promise<void> {
    // every docker call is its own short-lived process: nothing stays open
  }
}

const NO_NATIVE_AUTOSCALING = refuse('docker targets have no native autoscaler; strato\'s controller drives them', 'Run `strato autoscale run` (or `--once` from cron).')
const NO_REPORTED_SPEND = refuse('the engine reports no spend', '`strato cost actual` models it from targets.<name>.cost; `strato cost` estimates it.')

function isReplicaOf(labels: Record<string, string> | null | undefined, service: string): boolean {
  const state = labelState(labels)
  return state?.role === ROLE.replica && state.service === service
}

/** The release to return to: a number ("3" or "r3"), a version, or the one before the newest. */
export function pickRelease(history: ReleaseRecord[], to: string | undefined): ReleaseRecord {
  if (history.length === 0) throw new UserError('No releases are recorded on this target.', { code: 'conflict', fix: 'Deploy first: strato deploy.' })
  if (to === undefined) {
    if (history.length < 2) throw new UserError('There is no earlier release to roll back to.', { code: 'conflict', fix: 'See `strato releases`; a rollback needs at least two releases.' })
    return history[history.length - 2]
  }
  const number = /^r?(\d+)$/.exec(to)
  const found = number
    ? history.find((release) => release.number === Number(number[1]))
    : [...history].reverse().find((release) => Object.values(release.services).some((service) => service.version.startsWith(to)))
  if (!found) throw usageError(`No release "${to}" on this target.`, `Use a release number or version from \`strato releases\` (${history.map((release) => release.number).join(', ')}).`)
  return found
}

export function createProvider(context: ProviderContext): Provider {
  return new DockerProvider(context)
}
