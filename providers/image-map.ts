/**
 * The image map: public image references rewritten to local or mirrored ones,
 * for air-gapped sites that cannot pull from a public registry. It reaches the
 * provider as a setting (--image-map or STRATO_IMAGE_MAP, read by the cli
 * layer): inline "from=to,from=to", or the path of a YAML/JSON mapping file.
 * A key without a tag ("node") maps every tag of that repository.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { usageError } from '../src/errors.js'

export type ImageMap = Record<string, string>

export function parseImageMap(text: string, origin: string): ImageMap {
  const trimmed = text.trim()
  if (trimmed === '') return {}
  if (/^[^\s:=,]+(:[^\s=,]+)?=\S+(,\s*[^\s:=,]+(:[^\s=,]+)?=\S+)*$/.test(trimmed) && !trimmed.includes('\n')) {
    return Object.fromEntries(trimmed.split(',').map((pair) => pair.trim().split('=') as [string, string]))
  }
  let data: unknown
  try {
    data = parse(trimmed)
  } catch (error) {
    throw usageError(`The image map ${origin} is not valid YAML: ${(error as Error).message.split('\n')[0]}.`, 'Write one "public: local" pair per line, e.g. "postgres:16.4-bookworm: local/postgres:15".')
  }
  if (!data || typeof data !== 'object' || Array.isArray(data) || Object.values(data).some((value) => typeof value !== 'string')) {
    throw usageError(`The image map ${origin} must map image names to image names.`, 'Write one "public: local" pair per line, e.g. "node:24.11.1-bookworm-slim: local/node:24".')
  }
  return data as ImageMap
}

/** Reads the image map setting: the path of a mapping file, or an inline "from=to,..." list. */
export function imageMapFrom(setting: string | undefined): ImageMap {
  const value = setting?.trim()
  if (!value) return {}
  if (value.includes('=')) return parseImageMap(value, '--image-map')
  let text: string
  try {
    text = readFileSync(value, 'utf8')
  } catch {
    throw usageError(`The image map file ${value} cannot be read.`, 'Check the path given to --image-map or STRATO_IMAGE_MAP.')
  }
  return parseImageMap(text, value)
}

function repository(ref: string): string {
  const lastSlash = ref.lastIndexOf('/')
  const colon = ref.indexOf(':', lastSlash + 1)
  return colon === -1 ? ref : ref.slice(0, colon)
}

/** The reference to use for an image: an exact match first, then a repository-wide one. */
export function mapImage(map: ImageMap, ref: string): string {
  if (map[ref]) return map[ref]
  const repo = repository(ref)
  if (map[repo]) return map[repo]
  const official = repo.replace(/^(docker\.io\/)?(library\/)?/, '')
  return map[official] ?? ref
}

/** Build args whose default names an image the map rewrites, read from a Dockerfile's ARG lines. */
export function mappedBuildArgs(dockerfile: string, map: ImageMap): Record<string, string> {
  const out: Record<string, string> = {}
  for (const match of dockerfile.matchAll(/^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=("?)([^\s"]+)\2\s*$/gim)) {
    const [, name, , value] = match
    const mapped = mapImage(map, value)
    if (mapped !== value) out[name] = mapped
  }
  return out
}
