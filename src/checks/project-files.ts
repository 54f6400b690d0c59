/**
 * Finds the files static checks read under a project folder: Dockerfiles,
 * compose files, strato.yaml, .env files not ignored by git, and source and
 * config files scanned for credentials.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { LoadedManifest } from '../manifest/load.js'
import type { FileRole, ProjectFile } from './engine.js'
import { globToRegExp, type SkipEntry } from './suppressions.js'

export const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', '.venv', 'venv', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache', 'coverage', '.next', 'target', 'vendor'])

const SOURCE_EXTENSIONS = new Set([
  '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx', '.py', '.go', '.java', '.kt', '.rb', '.php', '.cs', '.rs', '.scala', '.swift',
  '.sh', '.bash', '.ps1', '.json', '.yaml', '.yml', '.toml', '.ini', '.cfg', '.conf', '.properties', '.tf', '.tfvars', '.xml', '.sql',
  // key material committed by mistake
  '.pem', '.key',
])
const LOCK_FILES = new Set(['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'poetry.lock', 'Pipfile.lock', 'composer.lock', 'Cargo.lock', 'go.sum'])
const MiB = 1024 * 1024
/** Files with their own rules are read whole up to this size (rules and parser are linear in it); larger ones are reported. */
export const MAX_STRUCTURED_BYTES = 64 * MiB
/** Source files are only scanned for credentials; beyond this they are bundles or data, and are reported unread. */
export const MAX_SOURCE_BYTES = MiB

/** The role a file plays, from its name; undefined for files the checks do not read. */
export function roleOf(name: string): FileRole | undefined {
  if (/^(Dockerfile|Containerfile)(\.[\w.-]+)?$/.test(name) || /\.(dockerfile|Dockerfile|containerfile)$/.test(name)) return 'dockerfile'
  if (/^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(name)) return 'compose'
  if (name === 'strato.yaml' || name === 'strato.yml') return 'manifest'
  if (/^\.env(\.[\w-]+)?$/.test(name)) return /\.(example|sample|template|dist|defaults?|tmpl)$/.test(name) ? undefined : 'env'
  if (LOCK_FILES.has(name) || /\.min\.(js|css)$/.test(name)) return undefined
  if (/^id_(rsa|dsa|ecdsa|ed25519)$/.test(name)) return 'source'
  return SOURCE_EXTENSIONS.has(path.extname(name)) ? 'source' : undefined
}

/** Walks a folder; returns files with paths relative to it (forward slashes), sorted. Files too large to read come back with `unread`. */
export function collectProjectFiles(root: string, limits: { structured?: number; source?: number } = {}): ProjectFile[] {
  const maxStructured = limits.structured ?? MAX_STRUCTURED_BYTES
  const maxSource = limits.source ?? MAX_SOURCE_BYTES
  const ignored = gitignoreMatcher(root)
  const files: ProjectFile[] = []
  const walk = (dir: string, relative: string) => {
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        // Dependencies, build output, virtualenvs and ignored folders are not the project's own files.
        if (SKIPPED_FOLDERS.has(entry.name) || /^\.?venv/.test(entry.name) || ignored(rel) || existsSync(path.join(full, 'pyvenv.cfg'))) continue
        walk(full, rel)
        continue
      }
      if (!entry.isFile()) continue
      const role = roleOf(entry.name)
      if (!role) continue
      // A .env file that git ignores is not committed: it is where secrets belong locally.
      if (role === 'env' && ignored(rel)) continue
      try {
        const size = statSync(full).size
        const limit = role === 'source' ? maxSource : maxStructured
        if (size > limit) {
          files.push({ path: rel, text: '', role, unread: `it is ${formatBytes(size)}, over the ${formatBytes(limit)} strato reads for ${ROLE_NAMES[role]}.` })
          continue
        }
        const text = readFileSync(full, 'utf8')
        if (role === 'source' && text.includes('\u0000')) continue
        files.push({ path: rel, text, role })
      } catch {
        // unreadable files (permissions, races with deletion) are not the project's to check
      }
    }
  }
  walk(root, '')
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

const ROLE_NAMES: Record<FileRole, string> = { dockerfile: 'a Dockerfile', compose: 'a compose file', manifest: 'a manifest', env: 'an .env file', source: 'a source file' }

function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`
}

/** A small .gitignore reader: root .gitignore, plain and * patterns, negations, anchored and folder patterns. */
export function gitignoreMatcher(root: string): (relative: string) => boolean {
  let text = ''
  try {
    text = readFileSync(path.join(root, '.gitignore'), 'utf8')
  } catch {
    return () => false
  }
  return gitignoreFromText(text)
}

export function gitignoreFromText(text: string): (relative: string) => boolean {
  const patterns = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => {
    const negate = line.startsWith('!')
    let glob = negate ? line.slice(1) : line
    const anchored = glob.startsWith('/') || glob.slice(0, -1).includes('/')
    glob = glob.replace(/^\//, '').replace(/\/$/, '')
    return { negate, anchored, regex: globToRegExp(glob) }
  })
  return (relative) => {
    const parts = relative.split('/')
    let ignored = false
    for (const pattern of patterns) {
      const hit = pattern.anchored
        ? parts.some((_part, index) => pattern.regex.test(parts.slice(0, index + 1).join('/')))
        : parts.some((part) => pattern.regex.test(part))
      if (hit) ignored = !pattern.negate
    }
    return ignored
  }
}

/** checks.skip entries with the line each is written on. */
export function skipEntries(loaded: LoadedManifest, displayPath: string): SkipEntry[] {
  return (loaded.manifest.checks?.skip ?? []).map((entry, index) => ({
    ...entry,
    file: displayPath,
    line: loaded.locate(['checks', 'skip', index]).line,
  }))
}
