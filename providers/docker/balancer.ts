/**
 * The project's balancer on one host: an nginx container on the project
 * network, publishing one port per balanced service. Membership changes are
 * written into its config and applied with `nginx -s reload`, which lets old
 * workers finish their requests: no request is dropped.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { UserError } from '../../src/errors.js'
import { renderNginxConfig, type BalancedService } from '../../src/lb/nginx.js'
import { DockerCommandError, type DockerHost } from './engine.js'
import type { ContainerInspect } from './inventory.js'
import { LABEL_KEY, labelArgs, labelState, names, projectLabels, ROLE } from './naming.js'
import { publicAddress } from './endpoints.js'
import { balancerReadyArgs, balancerReloadArgs, balancerRunArgs, dockerArgv } from './argv.js'

export interface BalancerSettings {
  project: string
  image: string
  publish: string
  services: Omit<BalancedService, 'upstreams'>[]
  /** the port replicas of each service listen on */
  targetPorts: Record<string, number>
  weights: Record<string, number>
}

export async function ensureNetwork(host: DockerHost, project: string): Promise<void> {
  const name = names.network(project)
  const existing = await host.tryRun(dockerArgv.inspectNetwork(name, `{{index .Labels "${LABEL_KEY.project}"}}`))
  if (existing.ok) {
    if (existing.stdout.trim() !== project) {
      throw new UserError(`A network named ${name} exists on ${host.label} but was not created by strato for "${project}".`, {
        code: 'conflict',
        fix: `Rename or remove that network (docker network rm ${name}) if it is unused; strato never touches resources without its labels.`,
      })
    }
    return
  }
  if (existing.error instanceof UserError) throw existing.error
  await host.run(dockerArgv.createNetwork(project, name))
}

/** Named volumes carry the project's labels, so destroy --volumes finds them (docker run would create them unlabelled). */
export async function ensureVolumes(host: DockerHost, project: string, volumes: string[]): Promise<void> {
  for (const volume of volumes) {
    const name = names.volume(project, volume.split(':')[0])
    const existing = await host.tryRun(dockerArgv.inspectVolume(name, `{{index .Labels "${LABEL_KEY.project}"}}`))
    if (existing.ok) continue
    await host.run(dockerArgv.createVolume(project, name))
  }
}

export class Balancer {
  /** container names per service that receive traffic */
  private readonly members = new Map<string, string[]>()

  constructor(private readonly host: DockerHost, private readonly settings: BalancerSettings) {}

  get isNeeded(): boolean {
    return this.settings.services.length > 0
  }

  endpoint(service: string): string | undefined {
    const entry = this.settings.services.find((candidate) => candidate.name === service)
    if (!entry) return undefined
    return `http://${publicAddress(this.host.address, this.settings.publish)}:${entry.listen}`
  }

  render(): string {
    return renderNginxConfig(this.settings.services.map((service) => ({
      ...service,
      upstreams: (this.members.get(service.name) ?? []).map((name) => ({ address: name, port: this.settings.targetPorts[service.name], weight: this.settings.weights[service.name] })),
    })))
  }

  /** Creates the balancer, or recreates it when the set of published ports changed. */
  async ensure(initialMembers: Map<string, string[]>): Promise<void> {
    if (!this.isNeeded) return
    for (const [service, members] of initialMembers) this.members.set(service, members)
    const name = names.balancer(this.settings.project)
    const ports = this.settings.services.map((service) => service.listen)
    const found = await this.host.tryRun(dockerArgv.inspectContainers(name))
    if (found.ok) {
      const [container] = JSON.parse(found.stdout) as ContainerInspect[]
      const state = labelState(container.Config.Labels)
      if (state?.project !== this.settings.project) {
        throw new UserError(`A container named ${name} exists on ${this.host.label} but does not carry strato's labels for "${this.settings.project}".`, {
          code: 'conflict',
          fix: `Rename or remove that container yourself (docker rm -f ${name}) if it is not needed; strato never touches containers without its labels.`,
        })
      }
      if (state.extra?.ports === ports.join(',') && state.extra?.publish === this.settings.publish && container.State.Running) {
        await this.reload()
        return
      }
      await this.host.run(dockerArgv.removeContainers([container.Id]))
    } else if (found.error instanceof UserError) {
      throw found.error
    }
    try {
      await this.host.run(balancerRunArgs({ project: this.settings.project, image: this.settings.image, publish: this.settings.publish, ports, config: this.render() }))
    } catch (error) {
      if (error instanceof DockerCommandError) {
        await this.host.tryRun(dockerArgv.removeContainers([name]))
        const taken = /port is already allocated|address already in use|bind for/i.test(error.stderr)
        if (taken) {
          throw new UserError(`A port the balancer needs on ${this.host.label} is already taken (${ports.map((port) => `${this.settings.publish}:${port}`).join(', ')}).`, {
            code: 'conflict',
            fix: 'Stop what listens there, or move strato\'s balancer with loadBalancer.port in strato.yaml.',
            details: [error.stderr.trim().split('\n').slice(-1)[0]],
          })
        }
      }
      throw error
    }
    await this.waitReady()
  }

  private async waitReady(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const check = await this.host.tryRun(balancerReadyArgs(names.balancer(this.settings.project)))
      if (check.ok) return
      await sleep(100)
    }
  }

  async setMembers(service: string, members: string[]): Promise<void> {
    if (!this.settings.services.some((entry) => entry.name === service)) return
    const before = this.members.get(service) ?? []
    if (before.length === members.length && before.every((name, index) => name === members[index])) return
    this.members.set(service, [...members])
    await this.reload()
  }

  private running: Promise<void> = Promise.resolve()
  private queued: Promise<void> | undefined

  /**
   * Writes the config, checks it and reloads nginx gracefully. Services roll out in
   * parallel, so reloads are serialised and coalesced: callers that arrive while one
   * runs share the next one, which writes the membership as it is by then.
   */
  reload(): Promise<void> {
    if (this.queued) return this.queued
    const next = this.running.then(() => {
      this.queued = undefined
      return this.reloadNow()
    })
    this.queued = next
    this.running = next.catch(() => undefined)
    return next
  }

  private async reloadNow(): Promise<void> {
    if (!this.isNeeded) return
    // One exec: write, test, reload. A config nginx rejects is put back; the old one keeps serving.
    await this.host.run(balancerReloadArgs(names.balancer(this.settings.project)), { input: this.render() })
    // nginx -s reload returns once the master has the signal; it starts new workers and retires the
    // old ones within ~100 ms. Callers that stop a replica wait out a drain period longer than that.
  }
}
