/**
 * Start-up cost of @google-cloud/compute. Every client file requires the
 * package's 12 MB protos.json (all of compute v1, v1beta and v1small) and its
 * constructor turns it into a protobuf root: together 1-2 s before the first
 * request. A client needs only the types its own service reaches (a few
 * dozen of 2,000), so strato hands each client file, as it loads, a tree
 * pruned to its service, through require's cache under the big file's path.
 * The build writes the pruned trees next to this module
 * (scripts/gcp-protos.mjs); without them (tests run from source) they are
 * pruned in memory, which still skips the slow part. Each client file also
 * requires google-gax whole (gRPC included) though it runs on its REST half:
 * it gets that half instead, the same way.
 */
import { existsSync, readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import path from 'node:path'

/** The compute v1 services strato calls, by their proto name. */
export const COMPUTE_SERVICES = [
  'RegionInstanceGroupManagers', 'InstanceTemplates', 'RegionOperations', 'GlobalOperations', 'RegionAutoscalers',
  'HealthChecks', 'RegionHealthChecks', 'Firewalls', 'BackendServices', 'RegionBackendServices', 'UrlMaps',
  'TargetHttpProxies', 'GlobalForwardingRules', 'ForwardingRules', 'Instances', 'Disks', 'Addresses', 'Networks', 'Subnetworks',
] as const

export type ComputeService = (typeof COMPUTE_SERVICES)[number]

interface ProtoNode {
  nested?: Record<string, ProtoNode>
  fields?: Record<string, { type: string; keyType?: string }>
  methods?: Record<string, { requestType: string; responseType: string }>
  [key: string]: unknown
}

const V1_PATH = ['google', 'cloud', 'compute', 'v1'] as const
export const PRUNED_FILE = 'compute-protos.json'

function v1Of(root: ProtoNode): Record<string, ProtoNode> {
  let node = root
  for (const name of V1_PATH) node = node.nested![name]
  return node.nested!
}

/**
 * The protos tree with only compute v1 and, inside it, the given services and
 * every message they reach; google.api and google.protobuf stay whole. Pure.
 */
export function pruneComputeProtos(full: ProtoNode, services: readonly string[]): ProtoNode {
  const v1 = v1Of(full)
  const keep = new Set<string>()
  const queue: string[] = []
  const reach = (typeName: string) => {
    // references are relative ("Operation") or absolute (".google.cloud.compute.v1.Operation"); nested ones name their parent first
    const local = typeName.replace(/^\.?google\.cloud\.compute\.v1\./, '').split('.')[0]
    if (v1[local] && !keep.has(local)) {
      keep.add(local)
      queue.push(local)
    }
  }
  for (const service of services) {
    if (!v1[service]?.methods) throw new Error(`compute v1 has no service ${service}`)
    keep.add(service)
    for (const method of Object.values(v1[service].methods!)) {
      reach(method.requestType)
      reach(method.responseType)
    }
  }
  const visit = (node: ProtoNode) => {
    for (const field of Object.values(node.fields ?? {})) reach(field.type)
    for (const child of Object.values(node.nested ?? {})) visit(child)
  }
  while (queue.length > 0) visit(v1[queue.pop()!])

  const compute = full.nested!.google.nested!.cloud.nested!.compute
  const v1Node = compute.nested!.v1
  return {
    ...full,
    nested: {
      ...full.nested,
      google: {
        ...full.nested!.google,
        nested: {
          ...full.nested!.google.nested,
          cloud: {
            ...full.nested!.google.nested!.cloud,
            nested: {
              ...full.nested!.google.nested!.cloud.nested,
              compute: { ...compute, nested: { v1: { ...v1Node, nested: Object.fromEntries([...keep].sort().map((name) => [name, v1[name]])) } } },
            },
          },
        },
      },
    },
  }
}

const requireHere = createRequire(import.meta.url)

/** Where the installed package keeps its protos, and its version (a pruned file from another version is not used). */
export function computePackage(): { protosPath: string; version: string } {
  const packageJson = requireHere.resolve('@google-cloud/compute/package.json')
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }
  return { protosPath: path.join(path.dirname(packageJson), 'build/protos/protos.json'), version }
}

let pruned: Record<string, ProtoNode> | undefined
let full: ProtoNode | undefined

/** The pruned tree of one service: from the build's file when it matches the installed package, else pruned now. */
function prunedFor(service: ComputeService): ProtoNode {
  const { protosPath, version } = computePackage()
  if (!pruned) {
    const file = path.join(import.meta.dirname, PRUNED_FILE)
    const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as { version: string; services: Record<string, ProtoNode> } : undefined
    pruned = stored?.version === version ? stored.services : {}
  }
  if (!pruned[service]) {
    full ??= JSON.parse(readFileSync(protosPath, 'utf8')) as ProtoNode
    pruned[service] = pruneComputeProtos(full, [service])
  }
  return pruned[service]
}

let leanGax: { fallback: unknown; loggingUtils: unknown; decodeAnyProtosInArray: unknown } | undefined

/**
 * What a client file takes from google-gax at load time, without its index
 * (which loads gRPC too, some 50 ms): the REST half, its logger and the error
 * decoder. The clients run on the REST half (`fallback: true`) anyway.
 */
function leanGaxModule() {
  if (!leanGax) {
    const fromGax = createRequire(requireHere.resolve('google-gax'))
    leanGax = {
      fallback: requireHere('google-gax/fallback'),
      loggingUtils: fromGax('google-logging-utils'),
      decodeAnyProtosInArray: (fromGax('./util.js') as { decodeAnyProtosInArray: unknown }).decodeAnyProtosInArray,
    }
  }
  return leanGax
}

/** Puts `exports` in require's cache under `file` until `run` returns; an entry already there stays. */
function withCached<T>(file: string, exports: () => unknown, run: () => T): T {
  if (requireHere.cache[file]) return run()
  const cached = new Module(file)
  cached.filename = file
  cached.exports = exports()
  cached.loaded = true
  requireHere.cache[file] = cached
  try {
    return run()
  } finally {
    delete requireHere.cache[file]
  }
}

/**
 * Loads one compute client file with its service's pruned protos in place of
 * protos.json, and the lean google-gax in place of the whole; the cache entries
 * are removed afterwards, so nothing else sees them.
 */
export function requireComputeClient(file: string, service: ComputeService): unknown {
  const { protosPath } = computePackage()
  return withCached(protosPath, () => prunedFor(service), () =>
    withCached(requireHere.resolve('google-gax'), leanGaxModule, () => requireHere(`@google-cloud/compute/build/src/v1/${file}`)))
}

/** The google-gax REST half, for the clients' constructors (so they do not require the whole). */
export function gaxFallback(): unknown {
  return leanGaxModule().fallback
}
