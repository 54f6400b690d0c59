/**
 * Container CPU and memory from the engine (`docker stats --no-stream`),
 * averaged over a service's replicas. CPU is in percent of the replica's
 * reservation (resources.cpu), or of one CPU when none is set, which is
 * what the autoscaling targets are written in.
 */
import type { Service } from '../../src/manifest/schema.js'
import type { Sample } from '../../src/model.js'
import type { DockerHost } from './engine.js'
import { dockerArgv } from './argv.js'

interface StatsLine {
  ID: string
  CPUPerc: string
  MemPerc: string
}

export async function serviceStats(hosts: DockerHost[], containerIds: Map<DockerHost, string[]>, service: Service, at: string): Promise<Sample[]> {
  const cpus: number[] = []
  const memory: number[] = []
  for (const host of hosts) {
    const ids = containerIds.get(host) ?? []
    if (ids.length === 0) continue
    const out = await host.run(dockerArgv.stats(ids))
    for (const line of out.split('\n').filter(Boolean)) {
      const stats = JSON.parse(line) as StatsLine
      cpus.push(Number.parseFloat(stats.CPUPerc) / (service.resources?.cpu ?? 1))
      memory.push(Number.parseFloat(stats.MemPerc))
    }
  }
  if (cpus.length === 0) return []
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  return [
    { at, metric: 'cpu', value: Math.round(mean(cpus) * 10) / 10, replicas: cpus.length },
    { at, metric: 'memory', value: Math.round(mean(memory) * 10) / 10, replicas: cpus.length },
  ]
}
