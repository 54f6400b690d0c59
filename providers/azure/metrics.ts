/** Percentage CPU of a service's scale set from Azure Monitor, for the simulator, status and the contract suite. */
import type { Response as MetricsResponse } from '@azure/arm-monitor'
import type { Sample } from '../../src/model.js'
import type { AzureClients } from './clients.js'

/** The metrics request of a window: one-minute points for an hour or less, five-minute points beyond. */
export function metricsQuery(windowSeconds: number, now: Date) {
  const from = new Date(now.getTime() - windowSeconds * 1000)
  return {
    timespan: `${from.toISOString()}/${now.toISOString()}`,
    interval: windowSeconds <= 3600 ? 'PT1M' : 'PT5M',
    metricnames: 'Percentage CPU',
    aggregation: 'Average',
  }
}

/** Samples from a metrics answer; pure. Takes the average, else the total or maximum the query asked for. */
export function cpuSamplesFrom(response: Pick<MetricsResponse, 'value'>): Sample[] {
  const metric = response.value.find((entry) => entry.name.value.toLowerCase() === 'percentage cpu')
  const points = metric?.timeseries?.flatMap((series) => series.data ?? []) ?? []
  return points
    .map((point) => ({ at: new Date(point.timeStamp).toISOString(), value: point.average ?? point.total ?? point.maximum }))
    .filter((point): point is { at: string; value: number } => typeof point.value === 'number')
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((point) => ({ at: point.at, metric: 'cpu' as const, value: point.value }))
}

export async function cpuSamples(clients: AzureClients, scaleSetId: string, windowSeconds: number, now: Date): Promise<Sample[]> {
  const monitor = await clients.monitor()
  // the SDK's URL template puts its own slash before the resource id
  return cpuSamplesFrom(await monitor.metrics.list(scaleSetId.replace(/^\/+/, ''), metricsQuery(windowSeconds, now)))
}
