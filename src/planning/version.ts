/**
 * A service's version: a content hash of what would run. For build: services
 * it covers every file of the build context (sorted, so the order files are
 * listed in never matters) plus the service's config; for image: services the
 * image reference plus the config. Replicas and autoscaling are left out: they
 * change how many run, not what runs; so are the weight and route, which only
 * the balancer in front of the replicas reads.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { usageError } from '../errors.js'
import type { Service } from '../manifest/schema.js'

/** Folders that never belong in an image and can be huge. */
const SKIPPED = new Set(['.git', 'node_modules', '__pycache__', '.venv'])

export function buildContextOf(service: Service): { context: string; dockerfile?: string; args?: Record<string, string> } | undefined {
  if (service.build === undefined) return undefined
  return typeof service.build === 'string' ? { context: service.build } : service.build
}

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) listFiles(root, full, out)
    else if (entry.isFile()) out.push(path.relative(root, full).split(path.sep).join('/'))
  }
  return out
}

/** sha256 of the build context's files, by relative path and content. */
export function hashBuildContext(contextDir: string): string {
  let stat
  try {
    stat = statSync(contextDir)
  } catch {
    throw usageError(`The build context ${contextDir} does not exist.`, 'Fix the service\'s build: path in strato.yaml; it is relative to the folder of strato.yaml.')
  }
  if (!stat.isDirectory()) throw usageError(`The build context ${contextDir} is not a folder.`, 'Point build: at the folder that holds the Dockerfile.')
  const hash = createHash('sha256')
  for (const file of listFiles(contextDir).sort()) {
    hash.update(file).update('\0').update(readFileSync(path.join(contextDir, file))).update('\0')
  }
  return hash.digest('hex')
}

/** The parts of a service that change what a replica runs, in a stable order. */
export function runtimeConfig(service: Service): unknown {
  const { replicas: _replicas, autoscale: _autoscale, targets: _targets, weight: _weight, route: _route, ...rest } = service
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted)
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]))
    }
    return value
  }
  return sorted(rest)
}

/** 12 hex characters: short enough for a tag and a label, long enough never to collide in one project. */
export function serviceVersion(projectDir: string, name: string, service: Service): string {
  const hash = createHash('sha256').update(JSON.stringify(runtimeConfig(service)))
  const build = buildContextOf(service)
  if (build) hash.update(hashBuildContext(path.resolve(projectDir, build.context)))
  else if (service.image) hash.update(service.image)
  else throw usageError(`Service "${name}" has neither build nor image.`, `Add build: ./path/to/${name} (a folder with a Dockerfile) or image: REF to services.${name} in strato.yaml.`)
  return hash.digest('hex').slice(0, 12)
}
