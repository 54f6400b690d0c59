/** Recent CPU of a service's group from CloudWatch, for the autoscaling simulator and status. */
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch'
import type { Sample } from '../../src/model.js'
import type { AwsClients } from './clients.js'

export async function cpuSamples(clients: AwsClients, groupName: string, windowSeconds: number, now: Date): Promise<Sample[]> {
  const period = windowSeconds <= 3600 ? 60 : 300
  const answer = await clients.cloudWatch.send(new GetMetricStatisticsCommand({
    Namespace: 'AWS/EC2', MetricName: 'CPUUtilization',
    Dimensions: [{ Name: 'AutoScalingGroupName', Value: groupName }],
    StartTime: new Date(now.getTime() - windowSeconds * 1000), EndTime: now,
    Period: period, Statistics: ['Average'],
  }))
  return (answer.Datapoints ?? [])
    .filter((point) => point.Timestamp && point.Average !== undefined)
    .sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime())
    .map((point) => ({ at: point.Timestamp!.toISOString(), metric: 'cpu' as const, value: point.Average! }))
}
