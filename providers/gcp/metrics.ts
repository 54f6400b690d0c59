/**
 * A service's recent load from Cloud Monitoring, over plain REST:
 * instance CPU utilisation (its instances carry the strato-project and
 * strato-service labels) averaged across the group, and the HTTP balancer's
 * request rate to the service's backend service. The requests and the
 * reading of the answer are pure.
 */
import type { Sample } from '../../src/model.js'
import type { GcpApi, RestRequest } from './api.js'
import { serviceResourceName } from './naming.js'

export const CPU_METRIC = 'compute.googleapis.com/instance/cpu/utilization'
export const REQUEST_METRIC = 'loadbalancing.googleapis.com/https/request_count'

interface Window { gcpProject: string; windowSeconds: number; now: Date }

/** One point a minute for up to an hour, else one every five minutes. */
export function alignmentSeconds(windowSeconds: number): number {
  return windowSeconds <= 3600 ? 60 : 300
}

function timeSeriesRequest(window: Window, filter: string, aligner: string, reducer: string): RestRequest {
  return {
    path: `/v3/projects/${window.gcpProject}/timeSeries`,
    params: {
      filter,
      'interval.startTime': new Date(window.now.getTime() - window.windowSeconds * 1000).toISOString(),
      'interval.endTime': window.now.toISOString(),
      'aggregation.alignmentPeriod': `${alignmentSeconds(window.windowSeconds)}s`,
      'aggregation.perSeriesAligner': aligner,
      'aggregation.crossSeriesReducer': reducer,
      view: 'FULL',
    },
  }
}

export function cpuRequest(window: Window, project: string, service: string): RestRequest {
  const filter = `metric.type = "${CPU_METRIC}" AND metadata.user_labels."strato-project" = "${project}" AND metadata.user_labels."strato-service" = "${service}"`
  return timeSeriesRequest(window, filter, 'ALIGN_MEAN', 'REDUCE_MEAN')
}

export function requestRateRequest(window: Window, project: string, service: string): RestRequest {
  const filter = `metric.type = "${REQUEST_METRIC}" AND resource.type = "https_lb_rule" AND resource.labels.backend_target_name = "${serviceResourceName(project, service)}"`
  return timeSeriesRequest(window, filter, 'ALIGN_RATE', 'REDUCE_SUM')
}

export interface TimeSeriesAnswer {
  timeSeries?: { points?: { interval?: { startTime?: string; endTime?: string }; value?: { doubleValue?: number; int64Value?: string } }[] }[]
}

/** Samples oldest first; CPU utilisation arrives as a fraction and is reported in percent. */
export function samplesFrom(answer: TimeSeriesAnswer, metric: Sample['metric']): Sample[] {
  const scale = metric === 'cpu' ? 100 : 1
  return (answer.timeSeries ?? []).flatMap((series) => series.points ?? [])
    .filter((point) => point.interval?.startTime && (point.value?.doubleValue !== undefined || point.value?.int64Value !== undefined))
    .map((point) => ({ at: point.interval!.startTime!, metric, value: Math.round(Number(point.value!.doubleValue ?? point.value!.int64Value) * scale * 1000) / 1000 }))
    .sort((a, b) => a.at.localeCompare(b.at))
}

export async function serviceSamples(api: GcpApi, project: string, service: string, windowSeconds: number, now: Date): Promise<Sample[]> {
  const window = { gcpProject: api.project, windowSeconds, now }
  const [cpu, requests] = await Promise.all([
    api.rest<TimeSeriesAnswer>('timeSeries.list', cpuRequest(window, project, service)),
    api.rest<TimeSeriesAnswer>('timeSeries.list', requestRateRequest(window, project, service)),
  ])
  return [...samplesFrom(cpu, 'cpu'), ...samplesFrom(requests, 'requests')]
}
