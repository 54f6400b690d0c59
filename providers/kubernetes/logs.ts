/**
 * A service's logs: the last lines of each of its pods, prefixed with the
 * pod's name, and with `follow` every pod's stream at once until interrupted.
 */
import { notSupported } from '../../src/errors.js'
import { objectPath, type KubeApi } from './client.js'
import type { PodLike } from './inventory.js'
import { selectorLabels, selectorString } from './labels.js'

export async function serviceLogs(api: KubeApi, project: string, service: string, options: { tail: number; follow: boolean; signal?: AbortSignal }, write: (line: string) => void): Promise<void> {
  const pods = (await api.list<PodLike>(objectPath('Pod', api.namespace), { labelSelector: selectorString(selectorLabels(project, service)) }))
    .filter((pod) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
  if (pods.length === 0) throw notSupported(`Logs of ${service} (no running pod in namespace ${api.namespace})`, `Deploy ${service} first (\`strato status\` shows what runs).`)
  await Promise.all(pods.map(async (pod) => {
    let partial = ''
    const emit = (text: string) => {
      const lines = (partial + text).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) write(`${pod.metadata.name} | ${line}`)
    }
    await api.stream(`${objectPath('Pod', api.namespace, pod.metadata.name)}/log`, { tailLines: options.tail, follow: options.follow }, emit, options.signal)
    if (partial) write(`${pod.metadata.name} | ${partial}`)
  }))
}
