/**
 * Actual spend from the Cloud Billing export in BigQuery (the target names
 * its dataset and table): one jobs.query over plain REST that sums cost and
 * credits per day or month and per strato-service label, for the rows whose
 * resources carry the project's strato-project label (instances and their
 * disks do: the template labels both). The query and the reading of its
 * rows are pure.
 */
import type { CostLine, Period } from '../../src/model.js'
import type { GcpApi } from './api.js'

export interface BillingTable { dataset: string; table: string }

/** `project.dataset.table`; a dataset without a project is in the target's project. */
export function tableName(billing: BillingTable, gcpProject: string): string {
  return billing.dataset.includes('.') ? `${billing.dataset}.${billing.table}` : `${gcpProject}.${billing.dataset}.${billing.table}`
}

export function billingQuery(table: string): string {
  return [
    'SELECT',
    "  IF(@monthly, FORMAT_DATE('%Y-%m-01', DATE(usage_start_time)), FORMAT_DATE('%Y-%m-%d', DATE(usage_start_time))) AS period,",
    "  (SELECT value FROM UNNEST(labels) WHERE key = 'strato-service') AS service,",
    '  SUM(cost) + SUM(IFNULL((SELECT SUM(credit.amount) FROM UNNEST(credits) AS credit), 0)) AS cost,',
    '  currency',
    `FROM \`${table}\``,
    'WHERE usage_start_time >= TIMESTAMP(@start) AND usage_start_time < TIMESTAMP(@end)',
    "  AND EXISTS (SELECT 1 FROM UNNEST(labels) WHERE key = 'strato-project' AND value = @project)",
    'GROUP BY period, service, currency',
    'ORDER BY period, service',
  ].join('\n')
}

export function queryRequest(table: string, project: string, period: Period) {
  const parameter = (name: string, type: string, value: string) => ({ name, parameterType: { type }, parameterValue: { value } })
  return {
    query: billingQuery(table),
    useLegacySql: false,
    parameterMode: 'NAMED',
    queryParameters: [
      parameter('start', 'STRING', period.start.slice(0, 10)),
      parameter('end', 'STRING', period.end.slice(0, 10)),
      parameter('project', 'STRING', project),
      parameter('monthly', 'BOOL', String(period.granularity === 'monthly')),
    ],
    timeoutMs: 30_000,
  }
}

export interface QueryAnswer {
  jobComplete?: boolean
  jobReference?: { projectId?: string; jobId?: string; location?: string }
  rows?: { f: { v: string | null }[] }[]
  pageToken?: string
}

/** Rows as period, service, cost, currency: the columns of billingQuery. */
export function costLines(rows: QueryAnswer['rows'], target: string): CostLine[] {
  return (rows ?? []).map((row) => {
    const [period, service, cost, currency] = row.f.map((cell) => cell.v)
    return {
      provider: 'gcp', target, ...(service ? { service } : {}), date: String(period), amount: Number(cost ?? 0),
      currency: currency ?? 'USD', source: 'gcp billing export',
    }
  })
}

/** Runs the query; a query still running, or more rows than one page, is followed with getQueryResults. */
export async function actualCosts(api: GcpApi, billing: BillingTable, project: string, period: Period, target: string): Promise<CostLine[]> {
  const table = tableName(billing, api.project)
  let answer = await api.rest<QueryAnswer>('jobs.query', { method: 'POST', path: `/bigquery/v2/projects/${api.project}/queries`, data: queryRequest(table, project, period) })
  const rows = [...(answer.rows ?? [])]
  while (!answer.jobComplete || answer.pageToken) {
    const job = answer.jobReference
    answer = await api.rest<QueryAnswer>('jobs.getQueryResults', {
      path: `/bigquery/v2/projects/${api.project}/queries/${job?.jobId}`,
      params: { location: job?.location, pageToken: answer.jobComplete ? answer.pageToken : undefined, timeoutMs: 30_000 },
    })
    if (answer.jobComplete) rows.push(...(answer.rows ?? []))
  }
  return costLines(rows, target)
}
