/**
 * A service's CPU and memory, as percent of its pods' requests, from the
 * cluster's metrics API (metrics.k8s.io: metrics-server or an adapter). The
 * API keeps no history, so each call is one sample of now.
 */
import { UserError } from '../../src/errors.js'
import type { Sample } from '../../src/model.js'
import { objectPath, type KubeApi } from './client.js'
import { isNotFound } from './errors.js'
import type { PodLike } from './inventory.js'
import { selectorLabels, selectorString } from './labels.js'
import { cpuCores, memoryBytes } from './quantities.js'

interface PodMetrics { metadata: { name: string }; timestamp?: string; containers: { name: string; usage: { cpu?: string; memory?: string } }[] }

export async function serviceMetrics(api: KubeApi, project: string, service: string, now: Date): Promise<Sample[]> {
  const labelSelector = selectorString(selectorLabels(project, service))
  let usage: PodMetrics[]
  try {
    usage = await api.list<PodMetrics>(objectPath('PodMetrics', api.namespace), { labelSelector })
  } catch (error) {
    if (!isNotFound(error)) throw error
    throw new UserError(`The cluster of target "${api.scope.targetName}" serves no metrics API (metrics.k8s.io).`, {
      code: 'failure', fix: 'Install metrics-server (or another metrics.k8s.io adapter) in the cluster; autoscaling on cpu and memory needs it too.',
    })
  }
  const pods = await api.list<PodLike>(objectPath('Pod', api.namespace), { labelSelector })
  const requests = new Map(pods.map((pod) => [pod.metadata.name, (pod.spec?.containers ?? []).reduce((sum, container) => ({
    cpu: sum.cpu + cpuCores(container.resources?.requests?.cpu ?? '0'),
    memory: sum.memory + memoryBytes(container.resources?.requests?.memory ?? '0'),
  }), { cpu: 0, memory: 0 })]))
  let cpu = 0
  let memory = 0
  let counted = 0
  for (const pod of usage) {
    const requested = requests.get(pod.metadata.name)
    if (!requested || requested.cpu === 0 || requested.memory === 0) continue
    cpu += (100 * pod.containers.reduce((sum, container) => sum + cpuCores(container.usage.cpu ?? '0'), 0)) / requested.cpu
    memory += (100 * pod.containers.reduce((sum, container) => sum + memoryBytes(container.usage.memory ?? '0'), 0)) / requested.memory
    counted += 1
  }
  if (counted === 0) return []
  const at = (usage[0]?.timestamp ? new Date(usage[0].timestamp) : now).toISOString()
  return [
    { at, metric: 'cpu', value: cpu / counted, replicas: counted },
    { at, metric: 'memory', value: memory / counted, replicas: counted },
  ]
}
