/**
 * `strato autoscale apply` on a gcp target: the service's compiled policy
 * written as its group's regional autoscaler, and its backend's capacity
 * mode set to match (a requests target needs RATE). Applying again changes
 * nothing: the autoscaler is updated only where a field strato manages
 * differs, including one strato no longer asks for.
 */
import type { protos } from '@google-cloud/compute'
import { UserError, usageError } from '../../src/errors.js'
import { exposureOf, isPublic } from '../../src/exposure.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { compileAutoscaler, type AutoscalingPolicy } from './autoscaling-compile.js'
import { backendServiceBody } from './balancer-bodies.js'
import { differs, ensureBackendService } from './compute-resources.js'
import { scopeOf, type DeploymentContext } from './deployment.js'
import { serviceState } from './group-bodies.js'
import { stateDescription } from './resource-state.js'
import { serviceResourceName } from './naming.js'
import { links } from './target-settings.js'

type Autoscaler = protos.google.cloud.compute.v1.IAutoscaler

export interface AutoscaleChanges { created: string[]; updated: string[]; deleted: string[]; unchanged: string[] }

const MANAGED: (keyof AutoscalingPolicy)[] = [
  'minNumReplicas', 'maxNumReplicas', 'coolDownPeriodSec', 'mode', 'cpuUtilization', 'loadBalancingUtilization', 'scaleInControl', 'scalingSchedules',
]

/** Whether the live policy differs from the wanted one in anything strato manages; pure. */
export function policyDiffers(wanted: AutoscalingPolicy, actual: Autoscaler['autoscalingPolicy']): boolean {
  if (!actual || differs(wanted, actual)) return true
  const present = (value: unknown) => value !== undefined && value !== null && !(typeof value === 'object' && Object.keys(value as object).length === 0)
  const live = actual as Record<string, unknown>
  return MANAGED.some((key) => wanted[key] === undefined && present(live[key]) && key !== 'mode')
    || Object.keys((live.scalingSchedules ?? {}) as object).some((name) => !(name in (wanted.scalingSchedules ?? {})))
}

export async function applyAutoscaler(context: Pick<DeploymentContext, 'api' | 'manifest' | 'targetName' | 'settings'>, service: string, policy: Autoscale): Promise<AutoscaleChanges> {
  const { api, manifest, targetName, settings } = context
  const name = serviceResourceName(manifest.name, service)
  const link = links(settings)
  const changes: AutoscaleChanges = { created: [], updated: [], deleted: [], unchanged: [] }
  const compiled = compileAutoscaler(policy, `services.${service}.autoscale`)
  const spec = manifest.services[service]
  if (policy.target?.requests !== undefined && !isPublic(spec)) {
    throw usageError(`services.${service}.autoscale.target.requests: ${service} is not behind the HTTP balancer on gcp targets (it is ${exposureOf(spec)}), which is what counts requests.`,
      `Use target.cpu for services.${service}, or make it public (a health path, or expose: public).`)
  }
  const group = await api.find('regionInstanceGroupManagers.get', () => api.compute.groups.get({ project: api.project, region: api.region, instanceGroupManager: name }))
  if (!group) {
    throw new UserError(`Service ${service} is not deployed on target "${targetName}", so it has no group to scale.`, { code: 'conflict', fix: 'Run strato deploy first, then strato autoscale apply.' })
  }
  const identity = { project: manifest.name, service, target: targetName }
  const body: Autoscaler = {
    name, target: link.group(name), description: stateDescription(serviceState(identity, 'autoscaler')), autoscalingPolicy: compiled.autoscalingPolicy,
  }
  const existing = await api.find('regionAutoscalers.get', () => api.compute.autoscalers.get({ project: api.project, region: api.region, autoscaler: name }))
  if (!existing) {
    await api.mutate('regionAutoscalers.insert', (requestId) => api.compute.autoscalers.insert({ project: api.project, region: api.region, requestId, autoscalerResource: body }))
    changes.created.push(`autoscaler ${name}`)
  } else if (policyDiffers(compiled.autoscalingPolicy, existing[0].autoscalingPolicy)) {
    await api.mutate('regionAutoscalers.update', (requestId) => api.compute.autoscalers.update({ project: api.project, region: api.region, autoscaler: name, requestId, autoscalerResource: body }))
    changes.updated.push(`autoscaler ${name}`)
  } else {
    changes.unchanged.push(`autoscaler ${name}`)
  }
  // only a public service has a backend on the HTTP balancer: a private one or a worker must never get one (it would be routed)
  if (scopeOf(settings) === 'global' && isPublic(spec)) {
    const capacity = await ensureBackendService(api, backendServiceBody({
      ...identity, instanceGroup: link.instanceGroup(name), healthCheckLink: link.healthCheck(name, false), capacity: compiled.backend, balancing: manifest.loadBalancer,
    }), 'global')
    changes[capacity === 'unchanged' ? 'unchanged' : 'updated'].push(`backend capacity ${name} (${compiled.backend.balancingMode})`)
  }
  return changes
}
