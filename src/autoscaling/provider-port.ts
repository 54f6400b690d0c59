/**
 * Adapts anything shaped like a provider (inventory, metrics, scale) to the
 * controller's port. Structural, so src/ still imports no provider.
 */
import { runningReplicas, type Resource, type Sample } from '../model.js'
import type { ControllerPort } from './controller.js'
import type { Observation } from './policy.js'

export interface ScalableTarget {
  inventory(project: string): Promise<Resource[]>
  metrics(service: string, windowSeconds: number): Promise<Sample[]>
  scale(service: string, replicas: number): Promise<void>
}

export function observationFrom(samples: Sample[]): Observation {
  const observation: Observation = {}
  for (const sample of samples) observation[sample.metric] = sample.value
  return observation
}

export function controllerPort(target: ScalableTarget, project: string, windowSeconds: number): ControllerPort {
  return {
    observe: async (service) => observationFrom(await target.metrics(service, windowSeconds)),
    replicas: async (service) => runningReplicas(await target.inventory(project), service).length,
    scale: (service, replicas) => target.scale(service, replicas),
    // Without a long-running controller (--once from cron), the newest replica's start stands in for the last scale-out.
    lastChange: async (service) => {
      const times = runningReplicas(await target.inventory(project), service).map((resource) => Date.parse(resource.createdAt ?? '')).filter(Number.isFinite)
      return times.length ? Math.max(...times) : undefined
    },
  }
}
