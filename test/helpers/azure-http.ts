/**
 * HTTP plumbing for the Azure tests: a transport that answers from recorded
 * interactions (so the real SDK clients run on real Azure answers without a
 * network), one that records what a live server answered, and a static
 * credential for the fake.
 */
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline'
import type { TokenCredential } from '@azure/core-auth'
import { pathShape, type Interaction } from './recordings.js'

/**
 * Answers each request with the next unused recorded interaction of the same
 * method and path shape. Retry-After is set to 0: recorded waits of up to a
 * minute are timing, not shape, and would only slow the test.
 */
export function replayTransport(interactions: Interaction[]): HttpClient & { served: Interaction[] } {
  const used = new Set<number>()
  const served: Interaction[] = []
  return {
    served,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const shape = pathShape(request.url)
      const next = interactions.find((candidate) => !used.has(candidate.index) && candidate.method === request.method && pathShape(candidate.url) === shape)
      if (!next) throw new Error(`no recorded answer left for ${request.method} ${shape}`)
      used.add(next.index)
      served.push(next)
      const headers = createHttpHeaders({ ...next.headers, ...(next.headers['retry-after'] ? { 'retry-after': '0' } : {}) })
      return { request, status: next.status, headers, bodyAsText: next.body }
    },
  }
}

export interface Exchange { method: string; url: string; status: number; headers: Record<string, string>; body: string }

/** One request to a live server (the fake), trusting its CA, with a bearer token. */
export async function sendTo(ca: string, token: string, method: string, url: string, body?: string): Promise<Exchange> {
  const client = createDefaultHttpClient()
  const request = createPipelineRequest({
    url, method: method as PipelineRequest['method'], body: body || undefined,
    headers: createHttpHeaders({ authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }),
  })
  // createPipelineRequest does not copy tlsSettings from its options
  request.tlsSettings = { ca }
  const response = await client.sendRequest(request)
  return { method, url, status: response.status, headers: response.headers.toJSON({ preserveCase: false }), body: response.bodyAsText ?? '' }
}

export function staticCredential(token: () => { token: string; expiresOnTimestamp: number }): TokenCredential {
  return { getToken: async () => token() }
}
