/**
 * Converging one service on one host, health-gated: start a new replica, wait
 * until it is healthy, add it to the balancer, then drain and stop one old
 * replica; repeat. A replica that does not become healthy stops the rollout:
 * the new replicas go, the old version keeps (or gets back) its replicas, and
 * the error carries the failing container's last log lines.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { UserError } from '../../src/errors.js'
import type { Service } from '../../src/manifest/schema.js'
import type { Progress } from '../../src/model.js'
import type { Balancer } from './balancer.js'
import type { DockerHost } from './engine.js'
import { addressOf, inspectContainers } from './inventory.js'
import { labelState, ROLE } from './naming.js'
import { lastLogLines, removeReplica, startReplica, waitHealthy, type Replica } from './replicas.js'

export interface ServiceGoal {
  service: string
  version: string
  image: string
  count: number
  config: Service
}

export interface DeploymentOptions {
  project: string
  progress: Progress
  healthTimeoutMs: number
  deployedBy: string
  deployedAt: string
  /** pause between taking a replica out of the balancer and stopping it */
  drainMs: number
  /** new replicas started together in each rollout step (1: one at a time) */
  surge: number
}

interface LiveReplica extends Replica {
  running: boolean
}

export class HostDeployment {
  private replicas = new Map<string, LiveReplica[]>()

  constructor(readonly host: DockerHost, readonly balancer: Balancer, private readonly options: DeploymentOptions) {}

  /** Reads the project's replicas on this host. */
  async load(): Promise<void> {
    this.replicas.clear()
    for (const container of await inspectContainers(this.host, this.options.project)) {
      const state = labelState(container.Config.Labels)
      if (state?.role !== ROLE.replica || !state.service) continue
      const service = state.service
      const list = this.replicas.get(service) ?? []
      list.push({ id: container.Id, name: container.Name.replace(/^\//, ''), address: addressOf(container, this.options.project), version: state.version ?? '', image: state.extra?.image ?? container.Config.Image, running: container.State.Running })
      this.replicas.set(service, list)
    }
  }

  countOf(service: string): number {
    return (this.replicas.get(service) ?? []).filter((replica) => replica.running).length
  }

  runningVersion(service: string): { version: string; image: string } | undefined {
    const replica = (this.replicas.get(service) ?? []).find((entry) => entry.running)
    return replica && { version: replica.version, image: replica.image }
  }

  /** The balancer starts with whatever already runs, so an existing project keeps answering. */
  async prepareBalancer(): Promise<void> {
    const members = new Map<string, string[]>()
    for (const [service, list] of this.replicas) members.set(service, list.filter((replica) => replica.running).map((replica) => replica.address))
    await this.balancer.ensure(members)
  }

  private async start(goal: Pick<ServiceGoal, 'service' | 'version' | 'image' | 'config'>): Promise<Replica> {
    return startReplica(this.host, {
      project: this.options.project,
      service: goal.service,
      version: goal.version,
      image: goal.image,
      config: goal.config,
      deployedBy: this.options.deployedBy,
      deployedAt: this.options.deployedAt,
      suffix: randomBytes(3).toString('hex'),
    }, {})
  }

  /** Stops of drained replicas, finished before converge returns; they no longer take traffic. */
  private stopping: Promise<void>[] = []

  private async drainAndRemove(service: string, members: Replica[], ...replicas: Replica[]): Promise<void> {
    for (const replica of replicas) {
      const index = members.findIndex((member) => member.id === replica.id)
      if (index !== -1) members.splice(index, 1)
    }
    await this.balancer.setMembers(service, members.map((member) => member.address))
    // Out of the balancer: let in-flight requests finish, then stop them off the critical path.
    for (const replica of replicas) this.stopping.push(sleep(this.options.drainMs).then(() => removeReplica(this.host, replica.id)))
  }

  private async finishStops(): Promise<void> {
    const pending = this.stopping.splice(0)
    await Promise.all(pending)
  }

  /** Brings the service on this host to the goal; throws (after restoring) when a new replica fails. */
  async converge(goal: ServiceGoal): Promise<{ started: number; stopped: number }> {
    try {
      return await this.convergeSteps(goal)
    } finally {
      await this.finishStops()
    }
  }

  private async convergeSteps(goal: ServiceGoal): Promise<{ started: number; stopped: number }> {
    const { progress } = this.options
    const all = this.replicas.get(goal.service) ?? []
    // Stopped or crashed leftovers serve nothing: clear them first.
    for (const dead of all.filter((replica) => !replica.running)) await removeReplica(this.host, dead.id, 0)
    const running = all.filter((replica) => replica.running)
    const current = running.filter((replica) => replica.version === goal.version)
    const keep = current.slice(0, goal.count)
    const stale = [...running.filter((replica) => replica.version !== goal.version), ...current.slice(goal.count)]
    const members: Replica[] = [...running]
    const started: Replica[] = []
    const stopped: Replica[] = []
    await this.balancer.setMembers(goal.service, members.map((member) => member.address))

    // A service with volumes (a database) cannot run two copies on one data folder:
    // recreate it, old replicas first.
    if (goal.config.volumes?.length) {
      for (const old of stale.splice(0)) {
        progress.step(`${goal.service}: stopping ${old.name} (it owns volumes)`)
        await this.drainAndRemove(goal.service, members, old)
        stopped.push(old)
      }
      await this.finishStops()
    }
    for (let index = keep.length; index < goal.count;) {
      // surge: how many new replicas start together before as many old ones are drained
      const batch = Math.min(this.options.surge, goal.count - index)
      progress.step(`${goal.service}: starting replica${batch > 1 ? `s ${index + 1}-${index + batch}` : ` ${index + 1}`}/${goal.count} (${goal.version}) on ${this.host.label}`)
      const fresh = await Promise.all(Array.from({ length: batch }, () => this.start(goal)))
      const outcomes = await Promise.all(fresh.map((replica) => waitHealthy(this.host, replica.id, this.options.healthTimeoutMs, { probeEarly: true })))
      const failedAt = outcomes.findIndex((outcome) => !outcome.healthy)
      if (failedAt !== -1) {
        const failing = fresh[failedAt]
        const outcome = outcomes[failedAt] as { reason: string }
        const logs = await lastLogLines(this.host, failing.id)
        await Promise.all(fresh.map((replica) => removeReplica(this.host, replica.id, 0)))
        await this.restore(goal, members, started, stopped)
        this.replicas.set(goal.service, members.map((member) => ({ ...member, running: true })))
        throw new UserError(`Service "${goal.service}" version ${goal.version} did not become healthy on ${this.host.label}: ${outcome.reason}. The rollout stopped and the previous version keeps serving.`, {
          code: 'failure',
          fix: `Fix the service (its last log lines are above), check its health path ${goal.config.health ?? ''} answers 2xx, then deploy again.`,
          details: [`last log lines of ${failing.name}:`, ...logs.map((line) => `  ${line}`)],
        })
      }
      started.push(...fresh)
      members.push(...fresh)
      index += batch
      // One reload swaps them: the new replicas take traffic as the old ones stop getting new requests.
      const old = stale.splice(0, batch)
      if (old.length) {
        progress.step(`${goal.service}: ${fresh.map((replica) => replica.name).join(', ')} healthy, draining ${old.map((replica) => replica.name).join(', ')}`)
        await this.drainAndRemove(goal.service, members, ...old)
        stopped.push(...old)
      } else {
        await this.balancer.setMembers(goal.service, members.map((member) => member.address))
      }
    }
    for (const old of stale) {
      progress.step(`${goal.service}: draining ${old.name}`)
      await this.drainAndRemove(goal.service, members, old)
      stopped.push(old)
    }
    // Docker's own checks agree by now or within its interval: status reads them.
    await Promise.all(started.map((replica) => waitHealthy(this.host, replica.id, 10_000)))
    this.replicas.set(goal.service, members.map((member) => ({ ...member, running: true })))
    return { started: started.length, stopped: stopped.length }
  }

  /** Undo a failed rollout: new replicas out, as many old-version replicas back as were stopped. */
  private async restore(goal: ServiceGoal, members: Replica[], started: Replica[], stopped: Replica[]): Promise<void> {
    const { progress } = this.options
    for (const replica of started) {
      progress.warn(`${goal.service}: removing new replica ${replica.name}`)
      await this.drainAndRemove(goal.service, members, replica)
    }
    for (const old of stopped) {
      progress.warn(`${goal.service}: restoring a replica of ${old.version}`)
      const replica = await this.start({ service: goal.service, version: old.version, image: old.image, config: goal.config })
      const outcome = await waitHealthy(this.host, replica.id, this.options.healthTimeoutMs)
      if (!outcome.healthy) {
        progress.warn(`${goal.service}: the restored replica of ${old.version} is not healthy either (${outcome.reason})`)
        continue
      }
      members.push(replica)
      await this.balancer.setMembers(goal.service, members.map((member) => member.address))
    }
  }

  /** Takes every replica of a service out of the balancer and removes it. */
  async removeService(service: string): Promise<number> {
    const list = this.replicas.get(service) ?? []
    await this.balancer.setMembers(service, [])
    await sleep(this.options.drainMs)
    await Promise.all(list.map((replica) => removeReplica(this.host, replica.id)))
    this.replicas.delete(service)
    return list.length
  }

  services(): string[] {
    return [...this.replicas.keys()]
  }
}
