/**
 * Services from a compose file or from strato.yaml, normalised to one shape
 * with the line each setting is written on, so one set of rules covers both.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node, type YAMLMap } from 'yaml'
import { checkManifest } from '../manifest/load.js'
import type { Manifest } from '../manifest/schema.js'

export interface Located<T> {
  value: T
  line: number
}

export interface ServiceMount { source: string; target: string; readOnly: boolean }
/** hostIp '' means every interface; hostPort undefined means an ephemeral port */
export interface ServicePort { hostIp: string; hostPort?: string; containerPort: number }
export interface ServiceEnv { name: string; value?: string }

export interface ServiceSpec {
  name: string
  source: 'compose' | 'manifest'
  /** line of the service's key */
  line: number
  image?: string
  privileged?: Located<boolean>
  networkMode?: Located<string>
  mounts: Located<ServiceMount>[]
  ports: Located<ServicePort>[]
  env: Located<ServiceEnv>[]
  memoryLimit?: Located<string>
  cpuLimit?: Located<string>
  restart?: Located<string>
  healthcheck: 'defined' | 'disabled' | 'missing'
  user?: Located<string>
  /** the port a strato.yaml service listens on (it then needs a health path) */
  listenPort?: number
}

export interface ServiceFile {
  services: ServiceSpec[]
  /** the first reason the file could not be read, if any */
  error?: { line: number; message: string }
}

type Lines = (node: Node | null | undefined) => number

export function parseComposeFile(text: string): ServiceFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const error = doc.errors[0]
    return { services: [], error: { line: lineCounter.linePos(error.pos[0]).line, message: error.message.split('\n')[0] } }
  }
  const lineOf: Lines = (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1)
  // Compose files share settings through anchors (`<<: *defaults`): put the anchored node where each alias
  // stands, so a setting is read, and reported, at the line it is written on.
  visit(doc, { Alias: (_key, alias) => (alias.resolve(doc) as Node | undefined) ?? undefined })
  const root = doc.contents
  if (!isMap(root)) return { services: [], error: { line: lineOf(root), message: 'expected a mapping with a services key' } }
  const servicesNode = get(root, 'services')
  if (servicesNode === undefined) return { services: [] }
  if (!isMap(servicesNode)) return { services: [], error: { line: lineOf(servicesNode), message: 'services must be a mapping of service names' } }
  const services: ServiceSpec[] = []
  for (const pair of servicesNode.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue
    const name = String(pair.key.value)
    const node = pair.value as Node | null
    if (!isMap(node)) return { services, error: { line: lineOf(pair.key as Node), message: `service ${name} must be a mapping` } }
    services.push(composeService(name, node, lineOf(pair.key as Node), lineOf))
  }
  return { services }
}

function composeService(name: string, node: YAMLMap, line: number, lineOf: Lines): ServiceSpec {
  const spec: ServiceSpec = { name, source: 'compose', line, mounts: [], ports: [], env: [], healthcheck: 'missing' }
  const image = scalar(get(node, 'image'))
  if (image !== undefined) spec.image = image
  const located = (key: Node | undefined): Located<string> | undefined => {
    const value = scalar(key)
    return value === undefined ? undefined : { value, line: lineOf(key) }
  }
  const privileged = located(get(node, 'privileged'))
  if (privileged) spec.privileged = { value: privileged.value === 'true', line: privileged.line }
  spec.networkMode = located(get(node, 'network_mode'))
  spec.user = located(get(node, 'user'))

  for (const item of items(get(node, 'volumes'))) {
    if (isScalar(item)) {
      const parts = String(item.value).split(':')
      if (parts.length === 1) spec.mounts.push({ value: { source: '', target: parts[0], readOnly: false }, line: lineOf(item) })
      else spec.mounts.push({ value: { source: parts[0], target: parts[1], readOnly: (parts[2] ?? '').split(',').includes('ro') }, line: lineOf(item) })
    } else if (isMap(item)) {
      spec.mounts.push({
        value: { source: scalar(get(item, 'source')) ?? '', target: scalar(get(item, 'target')) ?? '', readOnly: scalar(get(item, 'read_only')) === 'true' },
        line: lineOf(item),
      })
    }
  }

  for (const item of items(get(node, 'ports'))) {
    if (isScalar(item)) {
      const port = shortPort(String(item.value))
      if (port) spec.ports.push({ value: port, line: lineOf(item) })
    } else if (isMap(item)) {
      const target = Number.parseInt(scalar(get(item, 'target')) ?? '', 10)
      if (Number.isFinite(target)) {
        spec.ports.push({ value: { hostIp: scalar(get(item, 'host_ip')) ?? '', hostPort: scalar(get(item, 'published')), containerPort: target }, line: lineOf(item) })
      }
    }
  }

  const environment = get(node, 'environment')
  if (isMap(environment)) {
    for (const pair of environment.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue
      const value = scalar(pair.value as Node | null)
      spec.env.push({ value: { name: String(pair.key.value), value }, line: lineOf(pair.key as Node) })
    }
  } else {
    for (const item of items(environment)) {
      if (!isScalar(item)) continue
      const [envName, ...rest] = String(item.value).split('=')
      spec.env.push({ value: { name: envName, value: rest.length ? rest.join('=') : undefined }, line: lineOf(item) })
    }
  }

  const deploy = get(node, 'deploy')
  const limits = isMap(deploy) ? get(get(deploy, 'resources'), 'limits') : undefined
  spec.memoryLimit = located(get(node, 'mem_limit')) ?? located(get(limits, 'memory'))
  spec.cpuLimit = located(get(node, 'cpus')) ?? located(get(node, 'cpu_quota')) ?? located(get(limits, 'cpus'))
  spec.restart = located(get(node, 'restart')) ?? located(get(get(deploy, 'restart_policy'), 'condition'))

  const health = get(node, 'healthcheck')
  if (isMap(health)) {
    const test = get(health, 'test')
    const testWords = isSeq(test) ? test.items.map((item) => scalar(item as Node)) : [scalar(test)]
    spec.healthcheck = scalar(get(health, 'disable')) === 'true' || testWords[0] === 'NONE' ? 'disabled' : 'defined'
  }
  return spec
}

/** "8080", "8080:80", "127.0.0.1:8080:80", "[::1]:8080:80/tcp", "127.0.0.1::80" */
export function shortPort(text: string): ServicePort | undefined {
  let rest = text.replace(/\/(tcp|udp|sctp)$/, '')
  let hostIp = ''
  const ipv6 = /^\[([^\]]*)\]:(.*)$/.exec(rest)
  if (ipv6) {
    hostIp = ipv6[1]
    rest = ipv6[2]
  }
  const parts = rest.split(':')
  if (!ipv6 && parts.length === 3) hostIp = parts.shift()!
  const containerPort = Number.parseInt(parts.at(-1)!, 10)
  if (!Number.isFinite(containerPort)) return undefined
  const hostPort = parts.length === 2 ? parts[0] : undefined
  return { hostIp, hostPort: hostPort === '' ? undefined : hostPort, containerPort }
}

/** The services of strato.yaml; a manifest that does not validate yields its first problem. */
export function parseManifestServices(text: string, displayName: string): ServiceFile & { manifest?: Manifest } {
  const checked = checkManifest(text, displayName)
  const problem = checked.problems[0]
  if (problem || !checked.manifest) {
    const where = problem?.path ? `${problem.path}: ` : ''
    return { services: [], error: { line: problem?.line ?? 1, message: `${where}${problem?.message ?? 'not a valid manifest'}` } }
  }
  const manifest = checked.manifest
  const { doc, lineCounter } = checked.document()
  const root = doc.contents
  const lineOf: Lines = (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1)
  const servicesNode = isMap(root) ? get(root, 'services') : undefined
  const services: ServiceSpec[] = []
  for (const [name, service] of Object.entries(manifest.services)) {
    const node = get(servicesNode, name)
    const keyLine = isMap(servicesNode) ? lineOf(keyNode(servicesNode, name)) : 1
    const at = (...path: string[]): number => {
      let current: Node | undefined = node
      for (const segment of path) current = get(current, segment) ?? current
      return current ? lineOf(current) : keyLine
    }
    const spec: ServiceSpec = {
      name, source: 'manifest', line: keyLine, mounts: [], ports: [], env: [],
      healthcheck: service.health ? 'defined' : 'missing',
    }
    if (service.image) spec.image = service.image
    if (service.port !== undefined) spec.listenPort = service.port
    if (service.privileged !== undefined) spec.privileged = { value: service.privileged, line: at('privileged') }
    if (service.network) spec.networkMode = { value: service.network, line: at('network') }
    if (service.user !== undefined) spec.user = { value: service.user, line: at('user') }
    if (service.restart) spec.restart = { value: service.restart, line: at('restart') }
    if (service.resources?.memory) spec.memoryLimit = { value: service.resources.memory, line: at('resources', 'memory') }
    if (service.resources?.cpu !== undefined) spec.cpuLimit = { value: String(service.resources.cpu), line: at('resources', 'cpu') }
    const volumes = get(node, 'volumes')
    ;(service.volumes ?? []).forEach((volume, index) => {
      const [source, target = '', mode = ''] = volume.split(':')
      const item = isSeq(volumes) ? volumes.items[index] as Node : undefined
      spec.mounts.push({ value: { source, target, readOnly: mode.split(',').includes('ro') }, line: item ? lineOf(item) : at('volumes') })
    })
    const envNode = get(node, 'env')
    for (const [envName, value] of Object.entries(service.env ?? {})) {
      const key = isMap(envNode) ? keyNode(envNode, envName) : undefined
      spec.env.push({ value: { name: envName, value: String(value) }, line: key ? lineOf(key) : at('env') })
    }
    services.push(spec)
  }
  return { services, manifest }
}

function keyNode(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key)
  return pair?.key as Node | undefined
}

/** The value at a key, including keys merged in with `<<:` (a mapping or a list of them; keys written directly win). */
function get(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined
  const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key)
  if (pair) return (pair.value ?? undefined) as Node | undefined
  const merge = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === '<<')?.value
  for (const source of isSeq(merge) ? merge.items : [merge]) {
    const found = get(source, key)
    if (found !== undefined) return found
  }
  return undefined
}

function items(node: Node | undefined): Node[] {
  return isSeq(node) ? node.items as Node[] : []
}

function scalar(node: Node | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined
  return String(node.value)
}
