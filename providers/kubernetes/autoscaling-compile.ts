/**
 * The provider-neutral autoscale spec compiled to an autoscaling/v2
 * HorizontalPodAutoscaler. Pure, so golden tests pin the output.
 *
 * - target.cpu / target.memory: Resource metrics at an average utilisation of the requests;
 * - target.requests: a Pods metric (requests per second per pod) served by a metrics adapter;
 * - steps: an HPA has no threshold rules, so a metric with steps and no target tracks the
 *   middle of its thresholds, and the step sizes bound how fast it scales (behaviour policies);
 * - cooldown: the period of those policies; stabilisation: the scale-down window.
 * - scaleInLimit: a scale-down policy of that many pods per window, the most restrictive one wins.
 * Schedules have no HPA form: the descriptor refuses them before anything runs.
 */
import { unresolved, type CompileAutoscaling } from '../../src/autoscaling/compile.js'
import { notSupported } from '../../src/errors.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { durationSeconds } from '../../src/manifest/units.js'
import { objectLabels } from './labels.js'
import { kubeObject, type KubeObject } from './objects.js'

export const DEFAULT_REQUESTS_METRIC = 'http_requests_per_second'

export interface HpaInput {
  project: string
  /** left out in a dry run: the provider applies it in the target's namespace */
  namespace?: string
  service: string
  policy: Autoscale
  /** the per-pod metric a metrics adapter serves for target.requests */
  requestsMetric?: string
}

export interface CompiledHpa {
  object: KubeObject
  /** how the spec was mapped where the HPA has no exact equivalent */
  notes: string[]
}

type Metric = 'cpu' | 'memory' | 'requests'

/** The value a metric tracks: its target, else the middle of its step thresholds. */
function trackedValue(policy: Autoscale, metric: Metric, notes: string[]): number | undefined {
  const target = policy.target?.[metric]
  if (target !== undefined) return target
  const steps = (policy.steps ?? []).filter((step) => step.metric === metric)
  if (steps.length === 0) return undefined
  const above = steps.flatMap((step) => (step.above === undefined ? [] : [step.above]))
  const below = steps.flatMap((step) => (step.below === undefined ? [] : [step.below]))
  const low = above.length ? Math.min(...above) : undefined
  const high = below.length ? Math.max(...below) : undefined
  const value = low !== undefined && high !== undefined ? (low + high) / 2 : (low ?? high)!
  notes.push(`steps on ${metric}: an HPA has no threshold rules, so it tracks ${round(value)} (between the step thresholds) and the step sizes limit each change`)
  return value
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

function metricSpec(metric: Metric, value: number, requestsMetric: string): Record<string, unknown> {
  if (metric === 'requests') {
    return { type: 'Pods', pods: { metric: { name: requestsMetric }, target: { type: 'AverageValue', averageValue: String(round(value)) } } }
  }
  return { type: 'Resource', resource: { name: metric, target: { type: 'Utilization', averageUtilization: Math.round(value) } } }
}

function behavior(policy: Autoscale): Record<string, unknown> | undefined {
  const cooldown = policy.cooldown === undefined ? undefined : Math.round(durationSeconds(policy.cooldown))
  const stabilization = policy.stabilization === undefined ? undefined : Math.round(durationSeconds(policy.stabilization))
  const ups = (policy.steps ?? []).filter((step) => step.change > 0).map((step) => step.change)
  const downs = (policy.steps ?? []).filter((step) => step.change < 0).map((step) => -step.change)
  const limit = policy.scaleInLimit
  if (cooldown === undefined && stabilization === undefined && ups.length === 0 && downs.length === 0 && !limit) return undefined
  // The HPA allows a policy period of 1..1800 s.
  const period = (seconds: number) => Math.min(1800, Math.max(1, seconds))
  const every = period(cooldown ?? 15)
  const scaleUp = {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: ups.length ? [{ type: 'Pods', value: Math.max(...ups), periodSeconds: every }] : [{ type: 'Percent', value: 100, periodSeconds: every }],
  }
  const downPolicies = downs.length ? [{ type: 'Pods', value: Math.max(...downs), periodSeconds: every }] : limit ? [] : [{ type: 'Percent', value: 100, periodSeconds: every }]
  if (limit) downPolicies.push({ type: 'Pods', value: limit.replicas, periodSeconds: period(Math.round(durationSeconds(limit.window))) })
  const scaleDown = {
    stabilizationWindowSeconds: Math.min(3600, stabilization ?? cooldown ?? 300),
    // With a scale-in limit the most restrictive policy must win.
    selectPolicy: limit ? 'Min' : 'Max',
    policies: downPolicies,
  }
  return { scaleUp, scaleDown }
}

export function compileHpa(input: HpaInput): CompiledHpa {
  const { policy, service } = input
  if (policy.schedule?.length) {
    throw notSupported(
      `Scheduled scaling on a Kubernetes target (services.${service}.autoscale.schedule)`,
      'A HorizontalPodAutoscaler has no schedules and strato does not drive a cron scaler such as KEDA yet; remove the schedule for this target, or place the service on a docker or aws target.',
    )
  }
  const notes: string[] = []
  const requestsMetric = input.requestsMetric ?? DEFAULT_REQUESTS_METRIC
  const metrics: Record<string, unknown>[] = []
  for (const metric of ['cpu', 'memory', 'requests'] as const) {
    const value = trackedValue(policy, metric, notes)
    if (value !== undefined) metrics.push(metricSpec(metric, value, requestsMetric))
  }
  if (policy.min === 0) notes.push('min 0: an HPA keeps at least one replica (scale to zero needs a feature gate), so minReplicas is 1')
  const spec: Record<string, unknown> = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service },
    minReplicas: Math.max(1, policy.min),
    maxReplicas: Math.max(1, policy.max),
    metrics,
  }
  const rules = behavior(policy)
  if (rules) spec.behavior = rules
  const object = kubeObject('HorizontalPodAutoscaler', { name: service, ...(input.namespace ? { namespace: input.namespace } : {}), labels: objectLabels(input.project, service) }, { spec })
  return { object, notes }
}

/** The registry's compiler: the HPA a service gets, with how the spec was mapped. `resolved.requestsMetric` is the target's metric name. */
export const compileAutoscaling: CompileAutoscaling = (request) => {
  const metric = request.resolved?.requestsMetric ?? (request.policy.target?.requests !== undefined ? unresolved(`the target's requestsMetric (default ${DEFAULT_REQUESTS_METRIC})`) : undefined)
  const { object, notes } = compileHpa({ project: request.project, service: request.service, policy: request.policy, requestsMetric: metric })
  return { horizontalPodAutoscaler: object, notes }
}
