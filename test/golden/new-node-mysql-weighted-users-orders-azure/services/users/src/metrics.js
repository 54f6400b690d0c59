/**
 * Request metrics in the Prometheus text format: a counter per method, route
 * and status, and a latency histogram per method and route. Routes are the
 * patterns (/users/:id), never raw paths, so the number of series stays bounded.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

export function createMetrics() {
  const requests = new Map()
  const durations = new Map()
  return {
    observe({ method, route, status, seconds }) {
      const counterKey = JSON.stringify([method, route, String(status)])
      requests.set(counterKey, (requests.get(counterKey) ?? 0) + 1)
      const histogramKey = JSON.stringify([method, route])
      let histogram = durations.get(histogramKey)
      if (!histogram) {
        histogram = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }
        durations.set(histogramKey, histogram)
      }
      BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) histogram.buckets[index] += 1
      })
      histogram.sum += seconds
      histogram.count += 1
    },
    render() {
      const lines = [
        '# HELP http_requests_total HTTP requests handled, by method, route and status.',
        '# TYPE http_requests_total counter',
      ]
      for (const [key, count] of requests) {
        const [method, route, status] = JSON.parse(key)
        lines.push(`http_requests_total{method="${method}",route="${escape(route)}",status="${status}"} ${count}`)
      }
      lines.push(
        '# HELP http_request_duration_seconds Time to handle an HTTP request.',
        '# TYPE http_request_duration_seconds histogram',
      )
      for (const [key, histogram] of durations) {
        const [method, route] = JSON.parse(key)
        const labels = `method="${method}",route="${escape(route)}"`
        BUCKETS.forEach((bound, index) => {
          lines.push(`http_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.buckets[index]}`)
        })
        lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`)
        lines.push(`http_request_duration_seconds_sum{${labels}} ${histogram.sum}`)
        lines.push(`http_request_duration_seconds_count{${labels}} ${histogram.count}`)
      }
      return `${lines.join('\n')}\n`
    },
  }
}

function escape(value) {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}
