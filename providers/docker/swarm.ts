/**
 * mode: swarm: each service is a Docker Swarm service. Swarm schedules the
 * replicas over the nodes and rolls updates itself (start-first, one task at a
 * time, health-gated, rolling back on failure); strato's nginx balancer fronts
 * each service's virtual IP on an attachable overlay network and publishes in
 * host mode, since the ingress routing mesh is not available everywhere.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { UserError } from '../../src/errors.js'
import type { Progress } from '../../src/model.js'
import type { Balancer } from './balancer.js'
import type { DockerHost } from './engine.js'
import type { ServiceGoal } from './host-deployment.js'
import { LABEL_KEY, labelState, names } from './naming.js'
import { dockerArgv, swarmCreateArgs, swarmServiceName, swarmUpdateArgs, type SwarmSpec } from './argv.js'

interface ServiceInspect {
  Spec: { Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas: number } } }
  UpdateStatus?: { State: string; Message?: string }
}

export class SwarmDeployment {
  private services = new Map<string, { version: string; replicas: number }>()

  constructor(readonly host: DockerHost, readonly balancer: Balancer, private readonly options: { project: string; progress: Progress; healthTimeoutMs: number; deployedBy: string; deployedAt: string; env: NodeJS.ProcessEnv }) {}

  async load(): Promise<void> {
    const info = await this.host.run(dockerArgv.swarmState())
    if (!info.startsWith('active true')) {
      throw new UserError(`${this.host.label} is not a Docker Swarm manager, but the target has mode: swarm.`, {
        code: 'conflict',
        fix: 'Run `docker swarm init` on it (or point hosts at a manager), or use mode: standalone.',
      })
    }
    const ids = (await this.host.run(dockerArgv.listServices(this.options.project))).split('\n').filter(Boolean)
    this.services.clear()
    if (ids.length === 0) return
    for (const service of JSON.parse(await this.host.run(dockerArgv.inspectServices(...ids))) as ServiceInspect[]) {
      const state = labelState(service.Spec.Labels)
      if (state?.service) this.services.set(state.service, { version: state.version ?? '', replicas: service.Spec.Mode?.Replicated?.Replicas ?? 0 })
    }
  }

  countOf(service: string): number {
    return this.services.get(service)?.replicas ?? 0
  }

  async prepareBalancer(): Promise<void> {
    const members = new Map<string, string[]>()
    for (const service of this.services.keys()) members.set(service, [swarmServiceName(this.options.project, service)])
    await this.balancer.ensure(members)
  }

  /** Creates or updates the swarm service and waits until its tasks run the version, healthy. */
  async converge(goal: ServiceGoal): Promise<{ started: number; stopped: number }> {
    const spec: SwarmSpec = {
      project: this.options.project, service: goal.service, version: goal.version, image: goal.image, config: goal.config,
      deployedBy: this.options.deployedBy, deployedAt: this.options.deployedAt, suffix: '', replicas: goal.count,
      secrets: Object.fromEntries((goal.config.secrets ?? []).map((name) => [name, this.options.env[name]])),
    }
    const existing = this.services.get(goal.service)
    if (existing && existing.version === goal.version && existing.replicas === goal.count) return { started: 0, stopped: 0 }
    this.options.progress.step(`${goal.service}: swarm service ${existing ? 'update' : 'create'} (${goal.version}, ${goal.count} replicas)`)
    await this.host.run(existing ? swarmUpdateArgs(spec) : swarmCreateArgs(spec))
    await this.waitConverged(goal)
    this.services.set(goal.service, { version: goal.version, replicas: goal.count })
    // The name resolves to the tasks' addresses: reload so nginx reads the new ones.
    await this.balancer.setMembers(goal.service, goal.count > 0 ? [swarmServiceName(this.options.project, goal.service)] : [])
    await this.balancer.reload()
    return { started: goal.count, stopped: existing?.replicas ?? 0 }
  }

  private async waitConverged(goal: ServiceGoal): Promise<void> {
    const name = swarmServiceName(this.options.project, goal.service)
    const deadline = Date.now() + this.options.healthTimeoutMs * Math.max(1, goal.count)
    let seen = ''
    for (;;) {
      // nginx resolves the service name when it loads its config: reload whenever Swarm
      // swapped a task, so it never keeps sending to an address that is gone.
      const tasks = (await this.host.run(dockerArgv.listContainers(this.options.project, { filters: [`label=${LABEL_KEY.service}=${goal.service}`] }))).split('\n').filter(Boolean).sort().join(',')
      if (tasks !== seen && this.services.has(goal.service)) {
        seen = tasks
        await this.balancer.reload()
      }
      const [service] = JSON.parse(await this.host.run(dockerArgv.inspectServices(name))) as ServiceInspect[]
      const state = service.UpdateStatus?.State ?? 'completed'
      if (state.startsWith('rollback')) {
        const logs = (await this.host.combinedOutput(dockerArgv.serviceLogs(name, 20))).split('\n').filter(Boolean).slice(-20)
        throw new UserError(`Service "${goal.service}" version ${goal.version} did not become healthy in the swarm; Swarm rolled it back and the previous version keeps serving.`, {
          code: 'failure',
          fix: 'Fix the service (its last log lines are above), check its health path answers 2xx, then deploy again.',
          details: [service.UpdateStatus?.Message ?? '', ...logs.map((line) => `  ${line}`)],
        })
      }
      const healthy = (await this.host.run(dockerArgv.listContainers(this.options.project, { filters: [`label=${LABEL_KEY.service}=${goal.service}`, `label=${LABEL_KEY.version}=${goal.version}`, goal.config.port ? 'health=healthy' : 'status=running'] }))).split('\n').filter(Boolean).length
      if (state === 'completed' && healthy >= goal.count) return
      if (Date.now() > deadline) {
        throw new UserError(`Service "${goal.service}" did not converge in the swarm within ${Math.round((deadline - Date.now() + this.options.healthTimeoutMs * Math.max(1, goal.count)) / 1000)}s (${healthy}/${goal.count} healthy, update ${state}).`, {
          code: 'failure',
          fix: `See \`docker service ps ${name}\` on the manager for why tasks do not start.`,
        })
      }
      await sleep(250)
    }
  }

  async removeService(service: string): Promise<number> {
    await this.balancer.setMembers(service, [])
    await this.host.tryRun(dockerArgv.removeServices(swarmServiceName(this.options.project, service)))
    const count = this.countOf(service)
    this.services.delete(service)
    return count
  }
}

/** The overlay network a swarm project's services and balancer share. */
export async function ensureOverlayNetwork(host: DockerHost, project: string): Promise<void> {
  const name = names.network(project)
  const existing = await host.tryRun(dockerArgv.inspectNetwork(name, '{{.Driver}}'))
  if (existing.ok) {
    if (existing.stdout.trim() !== 'overlay') {
      throw new UserError(`The network ${name} on ${host.label} is a ${existing.stdout.trim()} network, but mode: swarm needs an overlay network.`, {
        code: 'conflict',
        fix: `Destroy the standalone deployment first (strato destroy --yes), then deploy in swarm mode.`,
      })
    }
    return
  }
  await host.run(dockerArgv.createNetwork(project, name, 'overlay'))
}
