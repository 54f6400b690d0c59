/**
 * Adapts anything shaped like a provider (inventory, metrics, scale, apply)
 * to the controller's port. Structural, so src/ still imports no provider.
 */
import type { Autoscale } from '../manifest/schema.js'
import { runningReplicas, type Action, type Progress, type Resource, type Sample } from '../model.js'
import type { TargetPort } from './hybrid-controller.js'
import type { Observation } from './policy.js'

export interface ScalableTarget {
  inventory(project: string): Promise<Resource[]>
  metrics(service: string, windowSeconds: number): Promise<Sample[]>
  scale(service: string, replicas: number): Promise<void>
  apply(actions: Action[], progress: Progress): Promise<unknown>
}

/** What a port needs to know about the target it drives. */
export interface PortContext {
  project: string
  /** the target's name in the manifest */
  target: string
  windowSeconds: number
  /** each service's version (what deploy would roll out), to start it where none of it runs yet */
  versions: Record<string, string>
  progress: Progress
}

export function observationFrom(samples: Sample[]): Observation {
  const observation: Observation = {}
  for (const sample of samples) observation[sample.metric] = sample.value
  return observation
}

export function controllerPort(target: ScalableTarget, context: PortContext): TargetPort {
  const { project } = context
  return {
    observe: async (service) => observationFrom(await target.metrics(service, context.windowSeconds)),
    replicas: async (service) => runningReplicas(await target.inventory(project), service).length,
    scale: async (service, replicas) => {
      const mine = (await target.inventory(project)).filter((resource) => resource.service === service)
      // Nothing of the service is on this target yet (it only takes overflow): create it, as deploy would.
      if (replicas > 0 && mine.length === 0) {
        await target.apply([{ kind: 'create', target: context.target, service, from: 0, to: replicas, toVersion: context.versions[service], reasons: [`${replicas} replica${replicas === 1 ? '' : 's'} placed here by the autoscaler`] }], context.progress)
        return
      }
      await target.scale(service, replicas)
    },
    // Without a long-running controller (--once from cron), the newest replica's start stands in for the last scale-out.
    lastChange: async (service) => {
      const times = runningReplicas(await target.inventory(project), service).map((resource) => Date.parse(resource.createdAt ?? '')).filter(Number.isFinite)
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
export function nativePort(target: NativelyScaledTarget, context: PortContext, policies: Record<string, Autoscale>): TargetPort {
  const pin = (service: string, replicas: number) => target.applyAutoscaling(service, { ...policies[service], min: replicas, max: replicas })
  const direct = controllerPort(target, context)
  return {
    ...direct,
    scale: async (service, replicas) => {
      const exists = (await target.inventory(context.project)).some((resource) => resource.service === service)
      // A new group is created at its count; an existing one is pinned before its capacity moves.
      if (exists) await pin(service, replicas)
      await direct.scale(service, replicas)
      if (!exists) await pin(service, replicas)
    },
    hold: async (service, replicas) => {
      await pin(service, replicas)
    },
  }
}
