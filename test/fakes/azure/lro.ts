/**
 * Long-running operations the way ARM answers them and @azure/core-lro reads
 * them: the first answer is 201/200 (PUT) or 202 (DELETE, POST actions) with
 * an Azure-AsyncOperation URL (and, for 202, a Location URL with
 * monitor=true); polling the first gives `{ status: InProgress | Succeeded |
 * Failed }`, polling the second gives 202 until done, then 200. Resource group
 * deletion uses Location only (subscriptions/{s}/operationresults/{token}).
 * No Retry-After header is sent, so clients poll at their own interval.
 */
import { armError, type FakeRequest, type FakeResponse } from './http.ts'
import type { FakeState, Operation } from './state.ts'

const API_VERSION = (request: FakeRequest) => request.query.get('api-version') ?? '2024-01-01'

export interface StartOperation {
  subscription: string
  namespace: string
  location: string
  /** the first answer's status: 200 or 201 for PUT, 202 for DELETE and actions */
  status: 200 | 201 | 202
  body?: unknown
  /** add a Location (monitor) header too: DELETE and POST actions do */
  withLocation?: boolean
  /** fail with this error instead of succeeding (a failLro fault) */
  failure?: { code: string; message: string }
  finish(succeeded: boolean): void
}

export function startOperation(state: FakeState, request: FakeRequest, start: StartOperation): FakeResponse {
  const id = crypto.randomUUID()
  const operation: Operation = {
    id, subscription: start.subscription, namespace: start.namespace, location: start.location.toLowerCase().replaceAll(' ', ''),
    status: 'InProgress', startTime: new Date().toISOString(), startedAt: Date.now(), polls: 0, error: start.failure,
    finish: start.finish,
  }
  state.operations.set(id, operation)
  const base = `${request.origin}/subscriptions/${start.subscription}/providers/${start.namespace}/locations/${operation.location}/operations/${id}`
  const headers: Record<string, string> = { 'Azure-AsyncOperation': `${base}?api-version=${API_VERSION(request)}`, 'Azure-AsyncNotification': 'Enabled' }
  if (start.withLocation) headers.Location = `${base}?monitor=true&api-version=${API_VERSION(request)}`
  return { status: start.status, headers, body: start.body }
}

/** Ends operations that were polled enough, or that nobody polled for a while. */
export function tick(state: FakeState, now = Date.now()): void {
  for (const operation of state.operations.values()) {
    if (operation.status !== 'InProgress') continue
    if (now - operation.startedAt >= state.options.lroAutoCompleteMs) complete(operation)
  }
}

function complete(operation: Operation): void {
  const succeeded = !operation.error
  operation.status = succeeded ? 'Succeeded' : 'Failed'
  operation.endTime = new Date().toISOString()
  operation.finish(succeeded)
}

/** GET .../providers/{ns}/locations/{loc}/operations/{id}[?monitor=true] */
export function pollOperation(state: FakeState, request: FakeRequest, id: string): FakeResponse {
  const operation = state.operations.get(id)
  if (!operation) return armError(404, 'OperationNotFound', `The operation '${id}' was not found.`)
  if (operation.status === 'InProgress') {
    operation.polls++
    if (operation.polls > state.options.lroPolls) complete(operation)
  }
  if (request.query.get('monitor') === 'true') {
    if (operation.status === 'InProgress') return { status: 202, headers: { Location: `${request.origin}${request.path}?${request.query}` } }
    if (operation.status === 'Failed') return armError(500, operation.error!.code, operation.error!.message)
    return { status: 200 }
  }
  // Network operations answer with the status alone; Compute's carry name and times too.
  if (operation.namespace.toLowerCase() === 'microsoft.network') {
    return { status: 200, body: operation.status === 'Failed' ? { status: 'Failed', error: operation.error } : { status: operation.status } }
  }
  return {
    status: 200,
    body: {
      startTime: operation.startTime,
      ...(operation.endTime ? { endTime: operation.endTime } : {}),
      status: operation.status,
      ...(operation.error ? { error: operation.error } : {}),
      name: operation.id,
    },
  }
}

/** Resource group deletion: 202 with a Location on subscriptions/{s}/operationresults/{token}. */
export function startLocationOperation(state: FakeState, request: FakeRequest, subscription: string, finish: () => void): FakeResponse {
  const id = crypto.randomUUID()
  state.operations.set(id, {
    id, subscription, namespace: 'Microsoft.Resources', location: 'global', status: 'InProgress', startTime: new Date().toISOString(),
    startedAt: Date.now(), polls: 0, finish: (succeeded) => { if (succeeded) finish() },
  })
  const token = Buffer.from(JSON.stringify({ jobId: id })).toString('base64url')
  return { status: 202, headers: { Location: `${request.origin}/subscriptions/${subscription}/operationresults/${token}?api-version=${API_VERSION(request)}` } }
}

/** GET subscriptions/{s}/operationresults/{token} */
export function pollLocationOperation(state: FakeState, request: FakeRequest, token: string): FakeResponse {
  let id = ''
  try { id = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { jobId: string }).jobId } catch { /* unknown token */ }
  const operation = state.operations.get(id)
  if (!operation) return armError(404, 'OperationNotFound', 'The operation was not found.')
  if (operation.status === 'InProgress') {
    operation.polls++
    if (operation.polls > state.options.lroPolls) complete(operation)
  }
  if (operation.status === 'InProgress') return { status: 202, headers: { Location: `${request.origin}${request.path}?${request.query}` } }
  return { status: 200 }
}
