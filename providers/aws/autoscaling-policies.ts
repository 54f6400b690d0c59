/**
 * Applying a service's compiled autoscaling (autoscaling-compile.ts) to its
 * group: everything strato owns is named strato-*; applying compares what
 * exists with what is wanted, writes only what differs and deletes what the
 * manifest dropped.
 */
import {
  DeletePolicyCommand, DeleteScheduledActionCommand, DescribePoliciesCommand, DescribeScheduledActionsCommand,
  PutScalingPolicyCommand, PutScheduledUpdateGroupActionCommand, UpdateAutoScalingGroupCommand,
  type ScalingPolicy, type ScheduledUpdateGroupAction,
} from '@aws-sdk/client-auto-scaling'
import { DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch'
import type { AutoscalingChanges } from '../../src/autoscaling/compile.js'
import { POLICY_PREFIX, type AwsAutoscaling, type ScheduledAction, type StepAlarm, type StepScalingPolicy, type TargetTrackingPolicy } from './autoscaling-compile.js'
import type { AwsClients } from './clients.js'

/** The part after "loadbalancer/" or after the account in a target group ARN. */
export function arnLabel(arn: string, marker: 'loadbalancer/' | 'targetgroup/'): string {
  const at = arn.indexOf(marker)
  return marker === 'loadbalancer/' ? arn.slice(at + marker.length) : arn.slice(at)
}

/** Compares the fields strato sets; AWS adds others (ARNs, defaults) that must not count as drift. */
function samePolicy(have: ScalingPolicy, want: TargetTrackingPolicy | StepScalingPolicy): boolean {
  const tracking = (config: ScalingPolicy['TargetTrackingConfiguration']) => config && {
    type: config.PredefinedMetricSpecification?.PredefinedMetricType, label: config.PredefinedMetricSpecification?.ResourceLabel ?? undefined, value: Number(config.TargetValue),
  }
  const steps = (list: ScalingPolicy['StepAdjustments']) => (list ?? []).map((step) => [step.MetricIntervalLowerBound ?? null, step.MetricIntervalUpperBound ?? null, step.ScalingAdjustment])
  return JSON.stringify([have.PolicyType, have.AdjustmentType ?? undefined, have.EstimatedInstanceWarmup ?? undefined, tracking(have.TargetTrackingConfiguration), steps(have.StepAdjustments)]) ===
    JSON.stringify([want.PolicyType, 'AdjustmentType' in want ? want.AdjustmentType : undefined, want.EstimatedInstanceWarmup ?? undefined,
      tracking('TargetTrackingConfiguration' in want ? want.TargetTrackingConfiguration : undefined), steps('StepAdjustments' in want ? want.StepAdjustments : undefined)])
}

function sameAlarm(have: MetricAlarm, want: StepAlarm, policyArn: string): boolean {
  const pick = (alarm: Partial<MetricAlarm>) => [alarm.Namespace, alarm.MetricName, alarm.Statistic, Number(alarm.Threshold), alarm.Period, alarm.EvaluationPeriods, alarm.ComparisonOperator,
    (alarm.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).sort()]
  return JSON.stringify(pick(have)) === JSON.stringify(pick(want as Partial<MetricAlarm>)) && (have.AlarmActions ?? []).includes(policyArn)
}

function sameSchedule(have: ScheduledUpdateGroupAction, want: ScheduledAction): boolean {
  const pick = (a: { Recurrence?: string; MinSize?: number; MaxSize?: number; DesiredCapacity?: number; TimeZone?: string }) =>
    [a.Recurrence, a.MinSize ?? null, a.MaxSize ?? null, a.DesiredCapacity ?? null, a.TimeZone ?? null]
  return JSON.stringify(pick(have)) === JSON.stringify(pick(want))
}

export async function applyPolicies(clients: AwsClients, desired: AwsAutoscaling, current: { min: number; max: number; desired: number; cooldown?: number }): Promise<AutoscalingChanges> {
  const changes: AutoscalingChanges = { created: [], updated: [], deleted: [], unchanged: [] }
  const note = (list: keyof AutoscalingChanges, name: string) => changes[list].push(name)
  const group = desired.group.AutoScalingGroupName

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
  const wantedAlarms = new Set<string | undefined>(desired.steps.map((step) => step.alarm.AlarmName))
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
  const wantedSchedules = new Set<string | undefined>(desired.schedules.map((schedule) => schedule.ScheduledActionName))
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
