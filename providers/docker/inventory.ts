/** Reading back what a project has on a host, from strato's labels only. */
import type { Resource, ResourceKind } from '../../src/model.js'
import type { DockerHost } from './engine.js'
import { LABEL_KEY, labelState, names, projectFilter, ROLE } from './naming.js'
import { dockerArgv } from './argv.js'

/** The parts of `docker inspect` strato reads. */
export interface ContainerInspect {
  Id: string
  Name: string
  Created: string
  RestartCount: number
  State: { Status: string; Running: boolean; ExitCode: number; Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] } }
  Config: { Image: string; Labels: Record<string, string> | null; User: string; Healthcheck?: { Test?: string[] } }
  HostConfig: {
    Privileged: boolean
    NetworkMode: string
    Memory: number
    NanoCpus: number
    RestartPolicy?: { Name: string }
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[] | null> | null
  }
  Mounts?: { Type: string; Source: string; Name?: string; Destination: string; RW: boolean }[]
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> }
}

/**
 * The address the balancer sends to: the replica's IP on the project network.
 * An IP rather than the container name, so loading a config never depends on
 * Docker's DNS answering in time (nginx resolves names when it loads).
 */
export function addressOf(container: ContainerInspect, project: string): string {
  return container.NetworkSettings?.Networks?.[names.network(project)]?.IPAddress || container.Name.replace(/^\//, '')
}

export async function inspectContainers(host: DockerHost, project: string): Promise<ContainerInspect[]> {
  const ids = (await host.run(dockerArgv.listContainers(project, { all: true, fullIds: true }))).split('\n').filter(Boolean)
  if (ids.length === 0) return []
  const result = await host.tryRun(dockerArgv.inspectContainers(...ids))
  // A container removed between ps and inspect: inspect the rest one by one.
  if (!result.ok) {
    const each = await Promise.all(ids.map((id) => host.tryRun(dockerArgv.inspectContainers(id))))
    return each.flatMap((entry) => (entry.ok ? (JSON.parse(entry.stdout) as ContainerInspect[]) : []))
  }
  return JSON.parse(result.stdout) as ContainerInspect[]
}

function stateOf(container: ContainerInspect): Resource['state'] {
  switch (container.State.Status) {
    case 'running':
      return 'running'
    case 'created':
    case 'restarting':
      return 'pending'
    case 'exited':
    case 'paused':
      return 'stopped'
    case 'dead':
      return 'failed'
    default:
      return 'unknown'
  }
}

function healthOf(container: ContainerInspect): Resource['health'] {
  const status = container.State.Health?.Status
  if (status === 'healthy' || status === 'unhealthy' || status === 'starting') return status
  return 'none'
}

const KIND_BY_ROLE: Record<string, ResourceKind> = {
  [ROLE.replica]: 'container',
  [ROLE.balancer]: 'balancer',
  [ROLE.lock]: 'lock',
  [ROLE.release]: 'release',
}

export function containerResource(container: ContainerInspect, target: string, host: DockerHost): Resource {
  const labels = container.Config.Labels ?? {}
  const state = labelState(labels)
  return {
    id: container.Id,
    // swarm's task containers carry the replica role too
    kind: KIND_BY_ROLE[state?.role ?? ''] ?? 'container',
    target,
    service: state?.service,
    version: state?.version,
    location: host.address,
    state: stateOf(container),
    health: healthOf(container),
    labels,
    createdAt: container.Created,
    details: { name: container.Name.replace(/^\//, ''), image: container.Config.Image, restarts: container.RestartCount },
  }
}

async function listLabelled(host: DockerHost, kind: 'network' | 'image' | 'volume', project: string, target: string): Promise<Resource[]> {
  const args = dockerArgv.listLabelled(kind, project, kind === 'image')
  const ids = [...new Set((await host.run(args)).split('\n').filter(Boolean))]
  return ids.map((id): Resource => ({ id, kind, target, location: host.address, state: 'running', labels: { [LABEL_KEY.project]: project } }))
}

/** Everything labelled with the project on one host. */
export async function hostInventory(host: DockerHost, project: string, target: string, withMeta: boolean): Promise<Resource[]> {
  const containers = (await inspectContainers(host, project)).map((container) => containerResource(container, target, host))
  if (!withMeta) return containers
  const [networks, images, volumes] = await Promise.all([
    listLabelled(host, 'network', project, target),
    listLabelled(host, 'image', project, target),
    listLabelled(host, 'volume', project, target),
  ])
  return [...containers, ...networks, ...images, ...volumes]
}
