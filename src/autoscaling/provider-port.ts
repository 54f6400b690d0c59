/**
 * Adapts anything shaped like a provider (inventory, metrics, scale) to the
 * controller's port. Structural, so src/ still imports no provider.
 */
import type { Autoscale } from '../manifest/schema.js'
import type { Resource, Sample } from '../model.js'
import { REPLICA_KINDS } from '../planning/plan.js'
import type { TargetPort } from './hybrid-controller.js'
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

function replicasOf(resources: Resource[], service: string): Resource[] {
  return resources.filter((resource) => REPLICA_KINDS.has(resource.kind) && resource.service === service && resource.state === 'running')
}

export function controllerPort(target: ScalableTarget, project: string, windowSeconds: number): TargetPort {
  return {
    observe: async (service) => observationFrom(await target.metrics(service, windowSeconds)),
    replicas: async (service) => replicasOf(await target.inventory(project), service).length,
    scale: (service, replicas) => target.scale(service, replicas),
    // Without a long-running controller (--once from cron), the newest replica's start stands in for the last scale-out.
    lastChange: async (service) => {
      const times = replicasOf(await target.inventory(project), service).map((resource) => Date.parse(resource.createdAt ?? '')).filter(Number.isFinite)
      return times.length ? Math.max(...times) : undefined
    },
  }
}

/** A target whose provider runs a native autoscaler (an AWS Auto Scaling group, an Azure scale set). */
export interface NativelyScaledTarget extends ScalableTarget {
  applyAutoscaling(service: string, policy: Autoscale): Promise<unknown>
}

/**
 * Such a target under strato's hybrid controller. strato owns the count, so it
 * pins the native bounds at the count it places there (min = max = that count,
 * the service's policy otherwise unchanged): the native policies stay attached
 * but cannot move a pinned group, so the two never fight. `strato autoscale
 * apply` hands the target back to its native autoscaler (bounds from strato.yaml).
 */
export function nativePort(target: NativelyScaledTarget, project: string, windowSeconds: number, policies: Record<string, Autoscale>): TargetPort {
  const pin = (service: string, replicas: number) => target.applyAutoscaling(service, { ...policies[service], min: replicas, max: replicas })
  return {
    ...controllerPort(target, project, windowSeconds),
    scale: async (service, replicas) => {
      await pin(service, replicas)
      await target.scale(service, replicas)
    },
    hold: async (service, replicas) => {
      await pin(service, replicas)
    },
  }
}
