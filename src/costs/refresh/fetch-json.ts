/** HTTP for price sources: an injectable fetch, and errors that say which source failed. */
import { UserError } from '../../errors.js'

export type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>

export async function fetchOk(fetcher: Fetch, url: string, source: string, signal?: AbortSignal): Promise<Response> {
  let response: Response
  try {
    response = await fetcher(url, { signal })
  } catch (error) {
    throw new UserError(`Cannot reach the ${source} at ${new URL(url).origin}: ${(error as Error).message}.`, {
      code: 'unreachable', fix: 'Check the network connection, or pass --provider to refresh only the other providers.',
    })
  }
  if (!response.ok) {
    throw new UserError(`The ${source} answered ${response.status} ${response.statusText} for ${new URL(url).pathname}.`, {
      code: 'failure', fix: 'Try again later, or pass --provider to refresh only the other providers.',
    })
  }
  return response
}

export async function fetchJson<T>(fetcher: Fetch, url: string, source: string, signal?: AbortSignal): Promise<T> {
  const response = await fetchOk(fetcher, url, source, signal)
  try {
    return (await response.json()) as T
  } catch {
    throw new UserError(`The ${source} sent a body that is not JSON for ${new URL(url).pathname}.`, { code: 'failure' })
  }
}

/** The prices found for one region of one provider. */
export interface RegionRefresh {
  instances: Record<string, number>
  loadBalancerHourly?: number
  capacityUnitHourly?: number
  internalLoadBalancerHourly?: number
  internalCapacityUnitHourly?: number
  diskMonthly?: number
}
