/**
 * Actual spend from Cost Explorer: GetCostAndUsage filtered to the project's
 * strato.project tag and grouped by strato.service, per day or month. The tags
 * must be activated as cost allocation tags in the billing console.
 */
import { GetCostAndUsageCommand, type GetCostAndUsageCommandInput, type ResultByTime } from '@aws-sdk/client-cost-explorer'
import { type CostLine, type Period } from '../../src/model.js'
import { TAG } from './label-codec.js'
import type { AwsClients } from './clients.js'

export function costRequest(project: string, period: Period, nextPageToken?: string): GetCostAndUsageCommandInput {
  return {
    TimePeriod: { Start: period.start.slice(0, 10), End: period.end.slice(0, 10) },
    Granularity: period.granularity === 'daily' ? 'DAILY' : 'MONTHLY',
    Metrics: ['UnblendedCost'],
    Filter: { Tags: { Key: TAG.project, Values: [project], MatchOptions: ['EQUALS'] } },
    GroupBy: [{ Type: 'TAG', Key: TAG.service }],
    NextPageToken: nextPageToken,
  }
}

/** Cost lines from Cost Explorer's answer; pure. Group keys look like "strato.service$users". */
export function costLines(results: ResultByTime[], target: string): CostLine[] {
  const lines: CostLine[] = []
  for (const result of results) {
    const date = result.TimePeriod?.Start ?? ''
    const groups = result.Groups ?? []
    if (groups.length === 0 && result.Total?.UnblendedCost) {
      const total = result.Total.UnblendedCost
      lines.push({ provider: 'aws', target, date, amount: Number(total.Amount ?? 0), currency: total.Unit ?? 'USD', source: 'aws cost explorer' })
    }
    for (const group of groups) {
      const key = group.Keys?.[0] ?? ''
      const value = key.includes('$') ? key.slice(key.indexOf('$') + 1) : key
      const cost = group.Metrics?.UnblendedCost
      if (!cost) continue
      lines.push({
        provider: 'aws', target, service: value === '' ? undefined : value, date,
        amount: Number(cost.Amount ?? 0), currency: cost.Unit ?? 'USD', source: 'aws cost explorer',
      })
    }
  }
  return lines
}

export async function actualCosts(clients: AwsClients, project: string, period: Period, target: string): Promise<CostLine[]> {
  const results: ResultByTime[] = []
  let token: string | undefined
  do {
    const answer = await clients.costExplorer.send(new GetCostAndUsageCommand(costRequest(project, period, token)))
    results.push(...(answer.ResultsByTime ?? []))
    token = answer.NextPageToken
  } while (token)
  return costLines(results, target)
}
