import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import type { Autoscale } from '../../src/manifest/schema.js'
import { compileAwsAutoscaling } from '../../providers/aws/autoscaling-compile.js'
import { arnLabel } from '../../providers/aws/autoscaling-policies.js'

const resolved = { requestLabel: 'app/shop-users/50dc6c495c0c9188/targetgroup/shop-users/73e2d6bc24d8a067' }
const desiredPolicies = (policy: Autoscale, live: Record<string, string> | undefined = resolved) => compileAwsAutoscaling({ project: 'shop', service: 'users', policy, resolved: live })

describe('aws autoscaling translation', () => {
  it('maps target, steps and schedules to native policies', () => {
    const wanted = desiredPolicies({
      min: 2, max: 10, target: { cpu: 60, requests: 50 },
      steps: [{ metric: 'cpu', above: 80, change: 3 }, { metric: 'requests', below: 5, change: -1 }],
      schedule: [{ cron: '0 8 * * 1-5', min: 4, max: 10, desired: 6, timezone: 'Europe/Paris' }],
      cooldown: '2m', stabilization: '5m',
    })
    expect(wanted.group).toEqual({ AutoScalingGroupName: 'strato-shop-users', MinSize: 2, MaxSize: 10, DefaultCooldown: 120 })
    expect(wanted.targetTracking).toEqual([
      {
        AutoScalingGroupName: 'strato-shop-users', PolicyName: 'strato-target-cpu', PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: 120,
        TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 60 },
      },
      {
        AutoScalingGroupName: 'strato-shop-users', PolicyName: 'strato-target-requests', PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: 120,
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: 'app/shop-users/50dc6c495c0c9188/targetgroup/shop-users/73e2d6bc24d8a067' },
          TargetValue: 3000,
        },
      },
    ])
    expect(wanted.steps.map((step) => step.policy.StepAdjustments)).toEqual([
      [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 3 }],
      [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
    ])
    expect(wanted.steps[0].alarm).toMatchObject({
      AlarmName: 'strato-shop-users-step-1', Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Statistic: 'Average',
      Threshold: 80, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, Period: 60,
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'strato-shop-users' }],
    })
    // scale-in waits out the 5 minute stabilisation window; requests per second become per minute
    expect(wanted.steps[1].alarm).toMatchObject({
      Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Statistic: 'Sum', Threshold: 300,
      ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 5,
      Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/shop-users/73e2d6bc24d8a067' }],
    })
    expect(wanted.schedules).toEqual([{
      AutoScalingGroupName: 'strato-shop-users', ScheduledActionName: 'strato-schedule-1', Recurrence: '0 8 * * 1-5',
      MinSize: 4, MaxSize: 10, DesiredCapacity: 6, TimeZone: 'Europe/Paris',
    }])
  })

  it('says memory scaling is not supported on aws instead of faking it', () => {
    const attempt = () => desiredPolicies({ min: 1, max: 3, target: { memory: 70 } })
    expect(attempt).toThrow(UserError)
    expect(attempt).toThrow(/autoscale on memory for aws/)
    try {
      attempt()
    } catch (error) {
      expect((error as UserError).exitCode).toBe(7)
    }
  })

  it('names the balancer it needs for request-based scaling when it is not resolved yet (a dry run)', () => {
    const dry = desiredPolicies({ min: 1, max: 3, target: { requests: 10 }, steps: [{ metric: 'requests', above: 20, change: 1 }] }, {})
    expect(dry.targetTracking[0].TargetTrackingConfiguration.PredefinedMetricSpecification.ResourceLabel).toBe('<app/.../targetgroup/... label of the users load balancer, resolved when applied>')
    expect(dry.steps[0].alarm.Dimensions).toEqual([{ Name: 'TargetGroup', Value: '<targetgroup/... of the users load balancer, resolved when applied>' }])
  })

  it('cuts the resource labels out of ARNs', () => {
    expect(arnLabel('arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-users/50dc6c495c0c9188', 'loadbalancer/')).toBe('app/shop-users/50dc6c495c0c9188')
    expect(arnLabel('arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-users/73e2d6bc24d8a067', 'targetgroup/')).toBe('targetgroup/shop-users/73e2d6bc24d8a067')
  })
})
