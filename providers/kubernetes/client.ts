/**
 * The connection to a cluster. @kubernetes/client-node (loaded lazily, only
 * for kubernetes targets) reads the kubeconfig and applies its credentials:
 * tokens, client certificates, exec plugins, OIDC. Requests then go out as
 * plain HTTPS with JSON parsed once, which keeps listing thousands of pods as
 * fast as kubectl. Throttling, 5xx and dropped connections are retried.
 */
import { existsSync } from 'node:fs'
import { request, type RequestOptions } from 'node:https'
import { request as httpRequest } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { UserError } from '../../src/errors.js'
import type { KubernetesTargetConfig } from '../../src/manifest/schema.js'
import { translateKubeError, type ErrorScope } from './errors.js'
import { FIELD_MANAGER } from './labels.js'
import type { KubeObject } from './objects.js'

export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly body: string, what: string) {
    super(`HTTP ${statusCode} from ${what}`)
  }
}

export interface KubeList<T> {
  items: T[]
  metadata?: { continue?: string; resourceVersion?: string }
}

export interface RequestSettings {
  /** attempts for throttled, 5xx and dropped requests (default 4) */
  maxAttempts?: number
  /** first back-off in ms, doubled each attempt (default 250) */
  backoffMs?: number
  signal?: AbortSignal
}

export interface KubeApi {
  readonly server: string
  readonly context: string
  readonly namespace: string
  readonly scope: ErrorScope
  get<T>(urlPath: string, query?: Record<string, string | number | boolean | undefined>): Promise<T>
  /** every page of a list */
  list<T>(urlPath: string, query?: Record<string, string | number | boolean | undefined>): Promise<T[]>
  /** server-side apply with field manager `strato`, taking over fields others own (as the source of truth) */
  apply(object: KubeObject, options?: { dryRun?: boolean }): Promise<KubeObject>
  patch<T>(urlPath: string, body: unknown, type: 'merge' | 'strategic' | 'json'): Promise<T>
  post<T>(urlPath: string, body: unknown): Promise<T>
  delete(urlPath: string, query?: Record<string, string | number | boolean | undefined>): Promise<void>
  /** a streamed GET (logs, watches): each chunk of text as it arrives, until the server closes or `signal` aborts */
  stream(urlPath: string, query: Record<string, string | number | boolean | undefined>, onText: (text: string) => void, signal?: AbortSignal): Promise<void>
}

/** The kubeconfig a target uses: its own, else KUBECONFIG (first file that exists), else ~/.kube/config. */
export function kubeconfigPath(target: KubernetesTargetConfig, projectDir: string, env: NodeJS.ProcessEnv): string | undefined {
  if (target.kubeconfig) return path.resolve(projectDir, target.kubeconfig.replace(/^~(?=\/)/, env.HOME ?? os.homedir()))
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean)
  const candidates = fromEnv.length ? fromEnv : [path.join(env.HOME ?? os.homedir(), '.kube', 'config')]
  return candidates.find((file) => existsSync(file))
}

const RETRIED_STATUS = new Set([429, 500, 502, 503, 504])
const RETRIED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])

function queryString(query: Record<string, string | number | boolean | undefined> = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value))
  const text = params.toString()
  return text ? `?${text}` : ''
}

export interface ConnectInput {
  target: KubernetesTargetConfig
  targetName: string
  namespace: string
  projectDir: string
  env: NodeJS.ProcessEnv
  settings?: RequestSettings
}

export async function connect(input: ConnectInput): Promise<KubeApi> {
  const { target, targetName } = input
  const file = kubeconfigPath(target, input.projectDir, input.env)
  if (!file) {
    throw new UserError(`No kubeconfig was found for target "${targetName}".`, {
      code: 'denied',
      fix: `Set targets.${targetName}.kubeconfig, export KUBECONFIG, or create ~/.kube/config (your cluster provider's CLI writes it, e.g. \`aws eks update-kubeconfig\`).`,
    })
  }
  const { KubeConfig } = await import('@kubernetes/client-node')
  const kc = new KubeConfig()
  try {
    kc.loadFromFile(file)
  } catch (error) {
    throw new UserError(`The kubeconfig ${file} could not be read: ${(error as Error).message}.`, { code: 'usage', fix: 'Check the file, or point targets.<name>.kubeconfig at another one.' })
  }
  if (target.context) {
    if (!kc.getContexts().some((context) => context.name === target.context)) {
      throw new UserError(`The kubeconfig ${file} has no context "${target.context}" (target "${targetName}").`, {
        code: 'usage',
        fix: `Use one of: ${kc.getContexts().map((context) => context.name).join(', ') || 'none'}; or fix targets.${targetName}.context.`,
      })
    }
    kc.setCurrentContext(target.context)
  }
  const cluster = kc.getCurrentCluster()
  if (!cluster) throw new UserError(`The kubeconfig ${file} has no current cluster.`, { code: 'usage', fix: `Set targets.${targetName}.context to one of its contexts.` })
  const server = cluster.server.replace(/\/+$/, '')
  const scope: ErrorScope = { targetName, server, namespace: input.namespace }
  const base: RequestOptions = {}
  await kc.applyToHTTPSOptions(base as never)
  const maxAttempts = Math.max(1, input.settings?.maxAttempts ?? 4)
  const backoffMs = input.settings?.backoffMs ?? 250
  const signal = input.settings?.signal

  const once = (method: string, urlPath: string, body: string | undefined, contentType: string | undefined, onText?: (text: string) => void, abort?: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(server + urlPath)
      const plain = url.protocol === 'http:'
      const send = plain ? httpRequest : request
      // A plain-HTTP server (a local proxy) takes the credentials' headers but not the TLS agent.
      const { agent: _agent, ...headersOnly } = base
      const req = send(url, {
        ...(plain ? headersOnly : base),
        method,
        signal: abort,
        headers: {
          ...(base.headers ?? {}),
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
      }, (res) => {
        const status = res.statusCode ?? 0
        res.setEncoding('utf8')
        let text = ''
        res.on('data', (chunk: string) => {
          if (onText && status < 300) onText(chunk)
          else text += chunk
        })
        res.on('end', () => (status >= 300 ? reject(new ApiError(status, text, `${method} ${urlPath}`)) : resolve(text)))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(body)
    })

  const call = async (what: string, method: string, urlPath: string, body?: unknown, contentType?: string): Promise<string> => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(method, urlPath, payload, contentType, undefined, signal)
      } catch (error) {
        const status = error instanceof ApiError ? error.statusCode : 0
        const code = (error as { code?: string }).code
        const transient = RETRIED_STATUS.has(status) || (code !== undefined && RETRIED_CODES.has(code))
        if (!transient || attempt >= maxAttempts || signal?.aborted) throw translateKubeError(error, what, scope)
        await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)))
      }
    }
  }
  const json = <T>(text: string): T => (text ? JSON.parse(text) : {}) as T

  return {
    server,
    context: kc.getCurrentContext(),
    namespace: input.namespace,
    scope,
    async get<T>(urlPath: string, query?: Record<string, string | number | boolean | undefined>) {
      return json<T>(await call(`read ${urlPath}`, 'GET', urlPath + queryString(query)))
    },
    async list<T>(urlPath: string, query: Record<string, string | number | boolean | undefined> = {}) {
      const items: T[] = []
      let next: string | undefined
      do {
        const page = json<KubeList<T>>(await call(`list ${urlPath}`, 'GET', urlPath + queryString({ ...query, limit: 500, continue: next })))
        items.push(...(page.items ?? []))
        next = page.metadata?.continue || undefined
      } while (next)
      return items
    },
    async apply(object: KubeObject, options: { dryRun?: boolean } = {}) {
      const urlPath = objectPath(object.kind, object.metadata.namespace, object.metadata.name)
      const query = queryString({ fieldManager: FIELD_MANAGER, force: true, dryRun: options.dryRun ? 'All' : undefined })
      return json<KubeObject>(await call(`apply ${object.kind} ${object.metadata.name}`, 'PATCH', urlPath + query, object, 'application/apply-patch+yaml'))
    },
    async patch<T>(urlPath: string, body: unknown, type: 'merge' | 'strategic' | 'json') {
      const contentType = { merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', json: 'application/json-patch+json' }[type]
      return json<T>(await call(`patch ${urlPath}`, 'PATCH', `${urlPath}?fieldManager=${FIELD_MANAGER}`, body, contentType))
    },
    async post<T>(urlPath: string, body: unknown) {
      return json<T>(await call(`create ${urlPath}`, 'POST', `${urlPath}?fieldManager=${FIELD_MANAGER}`, body))
    },
    async delete(urlPath: string, query?: Record<string, string | number | boolean | undefined>) {
      await call(`delete ${urlPath}`, 'DELETE', urlPath + queryString(query))
    },
    async stream(urlPath, query, onText, abort) {
      try {
        await once('GET', urlPath + queryString(query), undefined, undefined, onText, abort)
      } catch (error) {
        if (abort?.aborted) return
        throw translateKubeError(error, `read ${urlPath}`, scope)
      }
    },
  }
}

interface KindPath { prefix: string; plural: string; namespaced: boolean }

/** Where each kind strato reads or writes lives in the API. */
export const KIND_PATHS: Record<string, KindPath> = {
  Namespace: { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  Node: { prefix: '/api/v1', plural: 'nodes', namespaced: false },
  Pod: { prefix: '/api/v1', plural: 'pods', namespaced: true },
  Event: { prefix: '/api/v1', plural: 'events', namespaced: true },
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps', namespaced: true },
  Secret: { prefix: '/api/v1', plural: 'secrets', namespaced: true },
  Service: { prefix: '/api/v1', plural: 'services', namespaced: true },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  PersistentVolumeClaim: { prefix: '/api/v1', plural: 'persistentvolumeclaims', namespaced: true },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  ReplicaSet: { prefix: '/apis/apps/v1', plural: 'replicasets', namespaced: true },
  PodDisruptionBudget: { prefix: '/apis/policy/v1', plural: 'poddisruptionbudgets', namespaced: true },
  HorizontalPodAutoscaler: { prefix: '/apis/autoscaling/v2', plural: 'horizontalpodautoscalers', namespaced: true },
  Ingress: { prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  NetworkPolicy: { prefix: '/apis/networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  RoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  ClusterRoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  PodMetrics: { prefix: '/apis/metrics.k8s.io/v1beta1', plural: 'pods', namespaced: true },
}

/** The collection path of a kind (in a namespace when it is namespaced), or one object's path with a name. */
export function objectPath(kind: string, namespace: string | undefined, name?: string): string {
  const where = KIND_PATHS[kind]
  if (!where) throw new Error(`strato does not know where ${kind} lives in the API`)
  const collection = where.namespaced ? `${where.prefix}/namespaces/${encodeURIComponent(namespace ?? 'default')}/${where.plural}` : `${where.prefix}/${where.plural}`
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`
}
