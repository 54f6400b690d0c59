/**
 * The manifest's autoscale block as native AWS policies on a service's group:
 * target tracking (ASGAverageCPUUtilization, ALBRequestCountPerTarget), step
 * scaling driven by CloudWatch alarms, and scheduled actions. Everything
 * strato owns is named strato-*; applying compares what exists with what is
 * wanted, writes only what differs and deletes what the manifest dropped.
 */
import {
  DeletePolicyCommand, DeleteScheduledActionCommand, DescribePoliciesCommand, DescribeScheduledActionsCommand,
  PutScalingPolicyCommand, PutScheduledUpdateGroupActionCommand, UpdateAutoScalingGroupCommand,
  type PutScalingPolicyCommandInput, type PutScheduledUpdateGroupActionCommandInput, type ScalingPolicy, type ScheduledUpdateGroupAction,
} from '@aws-sdk/client-auto-scaling'
import { DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type MetricAlarm, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch'
import { notSupported } from '../../src/errors.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { durationSeconds } from '../../src/manifest/units.js'
import { LABEL } from '../../src/model.js'
import type { AwsClients } from './clients.js'

export const POLICY_PREFIX = 'strato-'

export interface PolicyContext {
  project: string
  service: string
  groupName: string
  /** app/<name>/<id>: the balancer part of an ALB ARN, for request-count metrics */
  loadBalancerLabel?: string
  /** targetgroup/<name>/<id> */
  targetGroupLabel?: string
}

export interface StepPolicy { policy: PutScalingPolicyCommandInput; alarm: Omit<PutMetricAlarmCommandInput, 'AlarmActions'> }

export interface DesiredPolicies {
  group: { MinSize: number; MaxSize: number; DefaultCooldown?: number }
  targetTracking: PutScalingPolicyCommandInput[]
  steps: StepPolicy[]
  schedules: PutScheduledUpdateGroupActionCommandInput[]
}

/** The part after "loadbalancer/" or after the account in a target group ARN. */
export function arnLabel(arn: string, marker: 'loadbalancer/' | 'targetgroup/'): string {
  const at = arn.indexOf(marker)
  return marker === 'loadbalancer/' ? arn.slice(at + marker.length) : arn.slice(at)
}

/** Pure translation; unit tests compare its output exactly. */
export function desiredPolicies(policy: Autoscale, context: PolicyContext): DesiredPolicies {
  const cooldown = policy.cooldown === undefined ? undefined : Math.round(durationSeconds(policy.cooldown))
  const stabilization = policy.stabilization === undefined ? 0 : durationSeconds(policy.stabilization)
  const where = `services.${context.service}.autoscale`
  const requestLabel = () => {
    if (!context.loadBalancerLabel || !context.targetGroupLabel) {
      throw notSupported(`Request-based scaling for ${context.service} without its load balancer`, 'Deploy the service first (strato deploy), then apply its autoscaling.')
    }
    return `${context.loadBalancerLabel}/${context.targetGroupLabel}`
  }

  const targetTracking: PutScalingPolicyCommandInput[] = []
  if (policy.target?.memory !== undefined) {
    throw notSupported(`${where}.target.memory on aws (EC2 reports no memory metric without the CloudWatch agent)`, 'Scale on target.cpu or target.requests for aws targets.')
  }
  if (policy.target?.cpu !== undefined) {
    targetTracking.push({
      AutoScalingGroupName: context.groupName, PolicyName: `${POLICY_PREFIX}target-cpu`, PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: cooldown,
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: policy.target.cpu },
    })
  }
  if (policy.target?.requests !== undefined) {
    // ALBRequestCountPerTarget counts requests per target per minute; the manifest says per second.
    targetTracking.push({
      AutoScalingGroupName: context.groupName, PolicyName: `${POLICY_PREFIX}target-requests`, PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: cooldown,
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: requestLabel() },
        TargetValue: policy.target.requests * 60,
      },
    })
  }

  const steps: StepPolicy[] = (policy.steps ?? []).map((rule, index) => {
    if (rule.metric === 'memory') {
      throw notSupported(`${where}.steps[${index}] on memory for aws (EC2 reports no memory metric without the CloudWatch agent)`, 'Use metric: cpu or metric: requests.')
    }
    const above = rule.above !== undefined
    const threshold = (above ? rule.above : rule.below)!
    const name = `${POLICY_PREFIX}step-${index + 1}`
    const metric = rule.metric === 'cpu'
      ? { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: context.groupName }], Statistic: 'Average' as const, Threshold: threshold }
      : { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions: [{ Name: 'TargetGroup', Value: requestLabel().split('/').slice(3).join('/') }], Statistic: 'Sum' as const, Threshold: threshold * 60 }
    return {
      policy: {
        AutoScalingGroupName: context.groupName, PolicyName: name, PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity',
        MetricAggregationType: 'Average', EstimatedInstanceWarmup: cooldown,
        StepAdjustments: [above ? { MetricIntervalLowerBound: 0, ScalingAdjustment: rule.change } : { MetricIntervalUpperBound: 0, ScalingAdjustment: rule.change }],
      },
      alarm: {
        AlarmName: `${context.groupName}-step-${index + 1}`,
        AlarmDescription: `strato ${context.project}/${context.service}: ${rule.metric} ${above ? 'above' : 'below'} ${threshold}, change ${rule.change}`,
        ...metric,
        Period: 60,
        // scale-in must hold for the stabilisation window before it acts, against flapping
        EvaluationPeriods: above ? 1 : Math.max(1, Math.ceil(stabilization / 60)),
        ComparisonOperator: above ? 'GreaterThanThreshold' : 'LessThanThreshold',
        Tags: [{ Key: LABEL.project, Value: context.project }, { Key: LABEL.service, Value: context.service }],
      },
    }
  })

  const schedules = (policy.schedule ?? []).map((rule, index): PutScheduledUpdateGroupActionCommandInput => ({
    AutoScalingGroupName: context.groupName, ScheduledActionName: `${POLICY_PREFIX}schedule-${index + 1}`,
    Recurrence: rule.cron, MinSize: rule.min, MaxSize: rule.max, DesiredCapacity: rule.desired, TimeZone: rule.timezone,
  }))

  return { group: { MinSize: policy.min, MaxSize: policy.max, DefaultCooldown: cooldown }, targetTracking, steps, schedules }
}

export interface AutoscaleChanges { service: string; created: string[]; updated: string[]; deleted: string[]; unchanged: string[] }

/** Compares the fields strato sets; AWS adds others (ARNs, defaults) that must not count as drift. */
function samePolicy(have: ScalingPolicy, want: PutScalingPolicyCommandInput): boolean {
  const tracking = (config: typeof want.TargetTrackingConfiguration) => config && {
    type: config.PredefinedMetricSpecification?.PredefinedMetricType, label: config.PredefinedMetricSpecification?.ResourceLabel ?? undefined, value: Number(config.TargetValue),
  }
  const steps = (list: typeof want.StepAdjustments) => (list ?? []).map((step) => [step.MetricIntervalLowerBound ?? null, step.MetricIntervalUpperBound ?? null, step.ScalingAdjustment])
  return JSON.stringify([have.PolicyType, have.AdjustmentType ?? undefined, have.EstimatedInstanceWarmup ?? undefined, tracking(have.TargetTrackingConfiguration), steps(have.StepAdjustments)]) ===
    JSON.stringify([want.PolicyType, want.AdjustmentType ?? undefined, want.EstimatedInstanceWarmup ?? undefined, tracking(want.TargetTrackingConfiguration), steps(want.StepAdjustments)])
}

function sameAlarm(have: MetricAlarm, want: StepPolicy['alarm'], policyArn: string): boolean {
  const pick = (alarm: Partial<MetricAlarm>) => [alarm.Namespace, alarm.MetricName, alarm.Statistic, Number(alarm.Threshold), alarm.Period, alarm.EvaluationPeriods, alarm.ComparisonOperator,
    (alarm.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).sort()]
  return JSON.stringify(pick(have)) === JSON.stringify(pick(want as Partial<MetricAlarm>)) && (have.AlarmActions ?? []).includes(policyArn)
}

function sameSchedule(have: ScheduledUpdateGroupAction, want: PutScheduledUpdateGroupActionCommandInput): boolean {
  const pick = (a: { Recurrence?: string; MinSize?: number; MaxSize?: number; DesiredCapacity?: number; TimeZone?: string }) =>
    [a.Recurrence, a.MinSize ?? null, a.MaxSize ?? null, a.DesiredCapacity ?? null, a.TimeZone ?? null]
  return JSON.stringify(pick(have)) === JSON.stringify(pick(want))
}

export async function applyPolicies(clients: AwsClients, desired: DesiredPolicies, context: PolicyContext, current: { min: number; max: number; desired: number; cooldown?: number }): Promise<AutoscaleChanges> {
  const changes: AutoscaleChanges = { service: context.service, created: [], updated: [], deleted: [], unchanged: [] }
  const note = (list: 'created' | 'updated' | 'deleted' | 'unchanged', name: string) => changes[list].push(name)
  const group = context.groupName

  const { MinSize, MaxSize, DefaultCooldown } = desired.group
  if (current.min !== MinSize || current.max !== MaxSize || (DefaultCooldown !== undefined && current.cooldown !== DefaultCooldown)) {
    const clamped = Math.min(MaxSize, Math.max(MinSize, current.desired))
    await clients.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, MinSize, MaxSize, DefaultCooldown, DesiredCapacity: clamped }))
    note('updated', `${group} (min ${MinSize}, max ${MaxSize})`)
  }

  const existing = ((await clients.autoScaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: group }))).ScalingPolicies ?? [])
    .filter((policy) => policy.PolicyName?.startsWith(POLICY_PREFIX))
  const policyArns = new Map<string, string>()
  for (const want of [...desired.targetTracking, ...desired.steps.map((step) => step.policy)]) {
    const have = existing.find((policy) => policy.PolicyName === want.PolicyName)
    if (have && samePolicy(have, want)) {
      policyArns.set(want.PolicyName!, have.PolicyARN!)
      note('unchanged', want.PolicyName!)
      continue
    }
    const answer = await clients.autoScaling.send(new PutScalingPolicyCommand(want))
    policyArns.set(want.PolicyName!, answer.PolicyARN ?? '')
    note(have ? 'updated' : 'created', want.PolicyName!)
  }
  // Some emulators leave PolicyARN out of PutScalingPolicy's answer; the alarms need it, so read it back.
  if ([...policyArns.values()].includes('')) {
    const reread = (await clients.autoScaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: group }))).ScalingPolicies ?? []
    for (const policy of reread) if (policyArns.get(policy.PolicyName!) === '') policyArns.set(policy.PolicyName!, policy.PolicyARN!)
  }
  const wantedNames = new Set(policyArns.keys())
  for (const stale of existing.filter((policy) => !wantedNames.has(policy.PolicyName!))) {
    await clients.autoScaling.send(new DeletePolicyCommand({ AutoScalingGroupName: group, PolicyName: stale.PolicyName }))
    note('deleted', stale.PolicyName!)
  }

  const alarms = await stepAlarms(clients, group)
  for (const step of desired.steps) {
    const arn = policyArns.get(step.policy.PolicyName!)!
    const have = alarms.find((alarm) => alarm.AlarmName === step.alarm.AlarmName)
    if (have && sameAlarm(have, step.alarm, arn)) {
      note('unchanged', step.alarm.AlarmName!)
      continue
    }
    await clients.cloudWatch.send(new PutMetricAlarmCommand({ ...step.alarm, AlarmActions: [arn] }))
    note(have ? 'updated' : 'created', step.alarm.AlarmName!)
  }
  const wantedAlarms = new Set(desired.steps.map((step) => step.alarm.AlarmName))
  const staleAlarms = alarms.filter((alarm) => !wantedAlarms.has(alarm.AlarmName)).map((alarm) => alarm.AlarmName!)
  if (staleAlarms.length) {
    await clients.cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: staleAlarms }))
    for (const name of staleAlarms) note('deleted', name)
  }

  const scheduled = ((await clients.autoScaling.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: group }))).ScheduledUpdateGroupActions ?? [])
    .filter((action) => action.ScheduledActionName?.startsWith(POLICY_PREFIX))
  for (const want of desired.schedules) {
    const have = scheduled.find((action) => action.ScheduledActionName === want.ScheduledActionName)
    if (have && sameSchedule(have, want)) {
      note('unchanged', want.ScheduledActionName!)
      continue
    }
    await clients.autoScaling.send(new PutScheduledUpdateGroupActionCommand(want))
    note(have ? 'updated' : 'created', want.ScheduledActionName!)
  }
  const wantedSchedules = new Set(desired.schedules.map((schedule) => schedule.ScheduledActionName))
  for (const stale of scheduled.filter((action) => !wantedSchedules.has(action.ScheduledActionName))) {
    await clients.autoScaling.send(new DeleteScheduledActionCommand({ AutoScalingGroupName: group, ScheduledActionName: stale.ScheduledActionName }))
    note('deleted', stale.ScheduledActionName!)
  }
  return changes
}

/** The step-scaling alarms strato made for a group. */
export async function stepAlarms(clients: AwsClients, groupName: string): Promise<MetricAlarm[]> {
  const alarms: MetricAlarm[] = []
  let token: string | undefined
  do {
    const answer = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${groupName}-step-`, NextToken: token }))
    alarms.push(...(answer.MetricAlarms ?? []))
    token = answer.NextToken
  } while (token)
  return alarms
}

/** Alarms go with the group: deleting a group removes its policies, not the alarms that fed them. */
export async function deleteStepAlarms(clients: AwsClients, groupName: string): Promise<void> {
  const names = (await stepAlarms(clients, groupName)).map((alarm) => alarm.AlarmName!)
  if (names.length) await clients.cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: names }))
}
