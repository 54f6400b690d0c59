/**
 * The manifest's autoscale block compiled to native AWS inputs: target
 * tracking (ASGAverageCPUUtilization, ALBRequestCountPerTarget), step scaling
 * driven by CloudWatch alarms, and scheduled actions. Pure and SDK-free: the
 * same output is golden-tested, printed by `autoscale apply --dry-run`, and
 * applied by autoscaling-policies.ts. The types mirror the SDK's inputs.
 */
import { unresolved, type CompileAutoscaling, type CompileRequest } from '../../src/autoscaling/compile.js'
import { notSupported } from '../../src/errors.js'
import { durationSeconds } from '../../src/manifest/units.js'
import { groupName, stateTags } from './naming.js'

export const POLICY_PREFIX = 'strato-'

export interface TargetTrackingPolicy {
  AutoScalingGroupName: string
  PolicyName: string
  PolicyType: 'TargetTrackingScaling'
  EstimatedInstanceWarmup?: number
  TargetTrackingConfiguration: {
    PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' | 'ALBRequestCountPerTarget'; ResourceLabel?: string }
    TargetValue: number
  }
}

export interface StepScalingPolicy {
  AutoScalingGroupName: string
  PolicyName: string
  PolicyType: 'StepScaling'
  AdjustmentType: 'ChangeInCapacity'
  MetricAggregationType: 'Average'
  EstimatedInstanceWarmup?: number
  StepAdjustments: { MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number }[]
}

export interface StepAlarm {
  AlarmName: string
  AlarmDescription: string
  Namespace: string
  MetricName: string
  Dimensions: { Name: string; Value: string }[]
  Statistic: 'Average' | 'Sum'
  Threshold: number
  Period: number
  EvaluationPeriods: number
  ComparisonOperator: 'GreaterThanThreshold' | 'LessThanThreshold'
  Tags: { Key: string; Value: string }[]
}

export interface ScheduledAction {
  AutoScalingGroupName: string
  ScheduledActionName: string
  Recurrence: string
  MinSize?: number
  MaxSize?: number
  DesiredCapacity?: number
  TimeZone?: string
}

/** Everything one service's group gets; applying makes the group match it exactly. (A type, so it is plain JSON data.) */
export type AwsAutoscaling = {
  group: { AutoScalingGroupName: string; MinSize: number; MaxSize: number; DefaultCooldown?: number }
  targetTracking: TargetTrackingPolicy[]
  steps: { policy: StepScalingPolicy; alarm: StepAlarm }[]
  schedules: ScheduledAction[]
}

/** The request-count label of a service's balancer: app/<lb>/<id>/targetgroup/<tg>/<id>. */
export const REQUEST_LABEL = 'requestLabel'

export function compileAwsAutoscaling({ project, service, policy, resolved }: CompileRequest): AwsAutoscaling {
  const group = groupName(project, service)
  const cooldown = policy.cooldown === undefined ? undefined : Math.round(durationSeconds(policy.cooldown))
  const stabilization = policy.stabilization === undefined ? 0 : durationSeconds(policy.stabilization)
  const where = `services.${service}.autoscale`
  const requestLabel = resolved?.[REQUEST_LABEL] ?? unresolved(`app/.../targetgroup/... label of the ${service} load balancer`)
  const targetGroupLabel = resolved?.[REQUEST_LABEL] ? requestLabel.split('/').slice(3).join('/') : unresolved(`targetgroup/... of the ${service} load balancer`)
  const tags = stateTags({ project, service })

  // validate refuses these through the descriptor; a caller that skipped it still gets the reason, never a silent drop
  if (policy.target?.memory !== undefined || policy.steps?.some((step) => step.metric === 'memory')) {
    throw notSupported(`${where} on memory for aws (EC2 reports no memory metric without the CloudWatch agent)`, 'Scale on target.cpu or target.requests for aws targets.')
  }
  if (policy.scaleInLimit) throw notSupported(`${where}.scaleInLimit on aws (target tracking has no scale-in rate limit)`, 'Use a step rule with a negative change and stabilization.')

  const targetTracking: TargetTrackingPolicy[] = []
  if (policy.target?.cpu !== undefined) {
    targetTracking.push({
      AutoScalingGroupName: group, PolicyName: `${POLICY_PREFIX}target-cpu`, PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: cooldown,
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: policy.target.cpu },
    })
  }
  if (policy.target?.requests !== undefined) {
    // ALBRequestCountPerTarget counts requests per target per minute; the manifest says per second.
    targetTracking.push({
      AutoScalingGroupName: group, PolicyName: `${POLICY_PREFIX}target-requests`, PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: cooldown,
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: requestLabel }, TargetValue: policy.target.requests * 60 },
    })
  }

  const steps = (policy.steps ?? []).map((rule, index) => {
    const above = rule.above !== undefined
    const threshold = (above ? rule.above : rule.below)!
    const metric = rule.metric === 'cpu'
      ? { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: group }], Statistic: 'Average' as const, Threshold: threshold }
      : { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions: [{ Name: 'TargetGroup', Value: targetGroupLabel }], Statistic: 'Sum' as const, Threshold: threshold * 60 }
    const policyInput: StepScalingPolicy = {
      AutoScalingGroupName: group, PolicyName: `${POLICY_PREFIX}step-${index + 1}`, PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Average', EstimatedInstanceWarmup: cooldown,
      StepAdjustments: [above ? { MetricIntervalLowerBound: 0, ScalingAdjustment: rule.change } : { MetricIntervalUpperBound: 0, ScalingAdjustment: rule.change }],
    }
    const alarm: StepAlarm = {
      AlarmName: `${group}-step-${index + 1}`,
      AlarmDescription: `strato ${project}/${service}: ${rule.metric} ${above ? 'above' : 'below'} ${threshold}, change ${rule.change}`,
      ...metric,
      Period: 60,
      // scale-in must hold for the stabilisation window before it acts, against flapping
      EvaluationPeriods: above ? 1 : Math.max(1, Math.ceil(stabilization / 60)),
      ComparisonOperator: above ? 'GreaterThanThreshold' : 'LessThanThreshold',
      Tags: tags,
    }
    return { policy: policyInput, alarm }
  })

  const schedules = (policy.schedule ?? []).map((rule, index): ScheduledAction => ({
    AutoScalingGroupName: group, ScheduledActionName: `${POLICY_PREFIX}schedule-${index + 1}`,
    Recurrence: rule.cron, MinSize: rule.min, MaxSize: rule.max, DesiredCapacity: rule.desired, TimeZone: rule.timezone,
  }))

  return { group: { AutoScalingGroupName: group, MinSize: policy.min, MaxSize: policy.max, DefaultCooldown: cooldown }, targetTracking, steps, schedules }
}

/** Whether a policy needs the service's balancer (request-based target or steps). */
export function needsRequestLabel(request: Pick<CompileRequest, 'policy'>): boolean {
  return request.policy.target?.requests !== undefined || (request.policy.steps ?? []).some((step) => step.metric === 'requests')
}

export const compileAutoscaling: CompileAutoscaling = compileAwsAutoscaling
