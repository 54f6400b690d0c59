/**
 * Loading strato.yaml: parse with positions, validate against the schema and
 * the cross-field rules, and report every problem at once with file:line:col,
 * the manifest path, what was expected and a "did you mean".
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml'
import type { z } from 'zod'
import { capabilityIssues, locationSuggestion, type DescriptorLookup } from '../capabilities.js'
import { usageError, UserError } from '../errors.js'
import { closest, didYouMean } from '../suggest.js'
import { crossFieldIssues, type RawIssue } from './rules.js'
import { ManifestSchema, PROVIDER_KINDS, type Manifest, type ProviderKind } from './schema.js'
import { yamlStructureProblems } from './yaml-safety.js'

export const MANIFEST_NAMES = ['strato.yaml', 'strato.yml'] as const

export interface ManifestProblem {
  file: string
  line: number
  col: number
  /** dotted manifest path, e.g. services.orders.autoscale.max */
  path: string
  message: string
}

export interface LoadedManifest {
  manifest: Manifest
  /** absolute path of the file */
  file: string
  /** folder holding the manifest: relative paths in it (build:) resolve from here */
  dir: string
  text: string
  /** line and column (1-based) of the value at a manifest path, or of its nearest existing parent */
  locate(path: (string | number)[]): { line: number; col: number }
}

/** Finds strato.yaml in `start` or the nearest parent folder, like git finds .git. */
export function findManifest(start: string): string | undefined {
  let dir = path.resolve(start)
  for (;;) {
    for (const name of MANIFEST_NAMES) {
      const candidate = path.join(dir, name)
      if (existsSync(candidate)) return candidate
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** Resolves -f/--manifest (or the upward search) to a file, with a usage error when none is there. */
export function resolveManifestPath(flag: string | undefined, cwd: string): string {
  if (flag) {
    const file = path.resolve(cwd, flag)
    if (!existsSync(file)) {
      throw usageError(`No manifest at ${flag}.`, 'Check the path given to -f/--manifest, or run `strato new` to scaffold a project.')
    }
    return file
  }
  const found = findManifest(cwd)
  if (!found) {
    throw usageError(
      `No strato.yaml in ${cwd} or any parent folder.`,
      'Run strato inside a project, pass -f path/to/strato.yaml, or scaffold one with `strato new`.',
    )
  }
  return found
}

/**
 * Reads and validates a manifest file. With `descriptors`, it is also checked
 * against what each target's provider can do (commands always pass them).
 */
export function loadManifestFile(file: string, displayName = path.relative(process.cwd(), file) || file, descriptors?: DescriptorLookup): LoadedManifest {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw usageError(`Cannot read ${displayName}: ${(error as Error).message}.`, 'Check that the file exists and is readable.')
  }
  return parseManifest(decodeManifest(bytes, displayName), displayName, file, descriptors)
}

/** The file's text; bytes that are not UTF-8 are a manifest problem at their line and column, not a silent U+FFFD. */
export function decodeManifest(bytes: Uint8Array, displayName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    const offset = firstInvalidUtf8(bytes)
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset))
    const line = before.split('\n').length
    const col = before.length - before.lastIndexOf('\n')
    const byte = bytes[offset].toString(16).toUpperCase().padStart(2, '0')
    throw manifestError(displayName, [{ file: displayName, line, col, path: '', message: `the file is not valid UTF-8 (byte 0x${byte}); save it as UTF-8` }])
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let at = 0
  while (at < bytes.length) {
    const byte = bytes[at]
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0
    if (length === 0) return at
    for (let next = 1; next < length; next++) {
      if (at + next >= bytes.length || (bytes[at + next] & 0xc0) !== 0x80) return at
    }
    // overlong forms and surrogates the decoder refuses
    if (length === 3 && ((byte === 0xe0 && bytes[at + 1] < 0xa0) || (byte === 0xed && bytes[at + 1] >= 0xa0))) return at
    if (length === 4 && ((byte === 0xf0 && bytes[at + 1] < 0x90) || (byte === 0xf4 && bytes[at + 1] >= 0x90))) return at
    at += length
  }
  return Math.max(0, bytes.length - 1)
}

/** Parses and validates manifest text; throws a usage error listing every problem. */
export function parseManifest(text: string, displayName: string, file = path.resolve(displayName), descriptors?: DescriptorLookup): LoadedManifest {
  const result = checkManifest(text, displayName, descriptors)
  if (result.problems.length > 0) throw manifestError(displayName, result.problems)
  const { doc, lineCounter } = result
  return {
    manifest: result.manifest!,
    file,
    dir: path.dirname(file),
    text,
    locate: (at) => nodePosition(doc, lineCounter, at),
  }
}

export function manifestError(displayName: string, problems: ManifestProblem[]): UserError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  return usageError(
    `${displayName} is not valid (${count}).`,
    'Correct the lines listed above; `strato schema` prints the full schema.',
    problems.map(formatProblem),
    { problems },
  )
}

export function formatProblem(problem: ManifestProblem): string {
  const where = problem.path ? `${problem.path}: ` : ''
  return `${problem.file}:${problem.line}:${problem.col} ${where}${problem.message}`
}

/**
 * Every problem in a manifest text, sorted by position; never throws for bad
 * input. With `descriptors`, what a target's provider cannot do is a problem
 * too (an unknown region, step rules on a target without them).
 */
export function checkManifest(text: string, displayName: string, descriptors?: DescriptorLookup): {
  problems: ManifestProblem[]
  manifest?: Manifest
  doc: Document
  lineCounter: LineCounter
} {
  const lineCounter = new LineCounter()
  // Duplicate keys are found by yamlStructureProblems in one pass: the library's own check is quadratic in a mapping's size.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  const problems: ManifestProblem[] = []
  for (const error of doc.errors) {
    const [start] = error.pos
    const { line, col } = lineCounter.linePos(start)
    problems.push({ file: displayName, line, col, path: '', message: yamlMessage(error.message) })
  }
  if (problems.length === 0) {
    for (const problem of yamlStructureProblems(doc)) problems.push({ file: displayName, ...lineCounter.linePos(problem.offset), path: '', message: `YAML: ${problem.message}` })
  }
  if (problems.length > 0) return { problems: problems.sort((a, b) => a.line - b.line || a.col - b.col), doc, lineCounter }

  // Aliases were bounded above (unresolved, cyclic and exploding ones are problems), so none is refused here.
  const data = doc.toJS({ maxAliasCount: -1 }) as unknown
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file: displayName, line: 1, col: 1, path: '', message: 'expected a mapping with at least name and services' })
    return { problems, doc, lineCounter }
  }

  const parsed = ManifestSchema.safeParse(data)
  const raw: RawIssue[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, data, descriptors))
  raw.push(...crossFieldIssues(data))
  if (parsed.success && descriptors) raw.push(...capabilityIssues(parsed.data, descriptors))

  const seen = new Set<string>()
  for (const issue of raw) {
    const { line, col } = issue.atKey ? keyPosition(doc, lineCounter, issue.path) : nodePosition(doc, lineCounter, issue.path)
    const problem = { file: displayName, line, col, path: issue.path.join('.'), message: issue.message }
    const key = `${problem.path}\0${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col)
  return { problems, manifest: problems.length === 0 && parsed.success ? parsed.data : undefined, doc, lineCounter }
}

function yamlMessage(message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
  return `YAML syntax: ${first.charAt(0).toLowerCase()}${first.slice(1)}`
}

type Issue = z.core.$ZodIssue

/** Turns one zod issue into strato's wording: what was expected, what was found, a suggestion. */
function describeIssue(issue: Issue, data: unknown, descriptors?: DescriptorLookup): RawIssue[] {
  const at = issue.path as (string | number)[]
  const actual = valueAt(data, at)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(ManifestSchema, at, data)
      return issue.keys.map((key) => ({
        path: [...at, key],
        atKey: true,
        message: `unknown key${didYouMean(key, allowed)}${allowed.length && !closest(key, allowed) ? ` (allowed: ${allowed.join(', ')})` : ''}`,
      }))
    }
    case 'invalid_type':
      if (actual === undefined) return [{ path: at, atKey: true, message: `is required (${describeExpected(issue.expected)})` }]
      return [{ path: at, message: `expected ${describeExpected(issue.expected)}, got ${describeValue(actual)}` }]
    case 'invalid_value': {
      const values = issue.values.map(String)
      const suggestion = typeof actual === 'string' ? didYouMean(actual, values) : ''
      return [{ path: at, message: `expected one of ${values.join(' | ')}, got ${describeValue(actual)}${suggestion}` }]
    }
    case 'invalid_union': {
      const discriminated = issue as Issue & { discriminator?: string; options?: unknown[] }
      if (discriminated.discriminator) {
        const options = (discriminated.options ?? []).map(String)
        const got = valueAt(data, at)
        if (got === undefined) return [{ path: at.slice(0, -1), atKey: true, message: `needs ${discriminated.discriminator}: one of ${options.join(' | ')}` }]
        const suggestion = typeof got === 'string' ? didYouMean(got, options) : ''
        return [{ path: at, message: `expected one of ${options.join(' | ')}, got ${describeValue(got)}${suggestion}` }]
      }
      // Report the branch that got furthest, so the message is about the user's intent.
      const branches = issue.errors.filter((branch) => branch.length > 0)
      const best = branches.sort((a, b) => a.length - b.length)[0]
      if (best && best.every((inner) => inner.code !== 'invalid_type' || inner.path.length > 0)) {
        return best.flatMap((inner) => describeIssue({ ...inner, path: [...at, ...inner.path] } as Issue, data, descriptors))
      }
      return [{ path: at, message: `has the wrong shape: got ${describeValue(actual)}` }]
    }
    case 'too_small': {
      const bound = Number(issue.minimum)
      if (issue.origin === 'array') return [{ path: at, message: `needs at least ${bound} item${bound === 1 ? '' : 's'}` }]
      if (issue.origin === 'string') return [{ path: at, message: bound === 1 ? 'must not be empty' : `must be at least ${bound} characters` }]
      return [{ path: at, message: `must be ${issue.inclusive ? '>=' : '>'} ${bound}, got ${describeValue(actual)}` }]
    }
    case 'too_big':
      return [{ path: at, message: `must be ${issue.inclusive ? '<=' : '<'} ${Number(issue.maximum)}, got ${describeValue(actual)}` }]
    case 'invalid_format': {
      const hint = typeof actual === 'string' ? suggestionFor(data, at, actual, descriptors) : ''
      return [{ path: at, message: `${issue.message}, got ${describeValue(actual)}${hint}` }]
    }
    case 'not_multiple_of':
      return [{ path: at, message: `must be a multiple of ${issue.divisor}` }]
    case 'invalid_key':
      return [{ path: at, atKey: true, message: issue.issues.map((inner) => inner.message).join('; ') }]
    case 'custom':
      return [{ path: at, message: actual !== undefined && typeof actual !== 'object' ? `${issue.message}, got ${describeValue(actual)}` : issue.message }]
    default:
      return [{ path: at, message: issue.message }]
  }
}

const EXPECTED_WORDS: Record<string, string> = {
  number: 'a number', int: 'a whole number', string: 'a string', boolean: 'true or false',
  object: 'a mapping', array: 'a list', record: 'a mapping',
}
function describeExpected(expected: string): string {
  return EXPECTED_WORDS[expected] ?? expected
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return JSON.stringify(value)
  return String(value)
}

/** A "did you mean" for a target's location, from its provider's one list of locations. */
function suggestionFor(data: unknown, at: (string | number)[], value: string, descriptors?: DescriptorLookup): string {
  if (!descriptors || at.length !== 3 || at[0] !== 'targets') return ''
  const kind = (valueAt(data, at.slice(0, 2)) as { provider?: unknown } | undefined)?.provider
  if (typeof kind !== 'string' || !PROVIDER_KINDS.includes(kind as ProviderKind)) return ''
  return locationSuggestion(descriptors(kind as ProviderKind), String(at[2]), value)
}

function valueAt(data: unknown, at: (string | number)[]): unknown {
  let current = data
  for (const segment of at) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[segment]
  }
  return current
}

interface ZodLike { _zod: { def: Record<string, unknown> & { type: string } } }

/** The keys the schema allows for the mapping at a path, for "did you mean". */
function allowedKeysAt(schema: unknown, at: (string | number)[], data: unknown): string[] {
  let nodes: ZodLike[] = [schema as ZodLike]
  const walked: (string | number)[] = []
  const expand = (list: ZodLike[]): ZodLike[] => list.flatMap((node) => {
    const def = node._zod.def
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') return expand([def.innerType as ZodLike])
    if (def.type === 'pipe') return expand([def.in as ZodLike])
    if (def.type === 'union') {
      const options = def.options as ZodLike[]
      const discriminator = def.discriminator as string | undefined
      const actual = discriminator ? (valueAt(data, walked) as Record<string, unknown> | undefined)?.[discriminator] : undefined
      const matching = discriminator && actual !== undefined
        ? options.filter((option) => {
          const field = (option._zod.def.shape as Record<string, ZodLike> | undefined)?.[discriminator]
          return (field?._zod.def.values as unknown[] | undefined)?.includes(actual)
        })
        : options
      return expand(matching.length ? matching : options)
    }
    return [node]
  })
  nodes = expand(nodes)
  for (const segment of at) {
    walked.push(segment)
    nodes = expand(nodes.flatMap((node) => {
      const def = node._zod.def
      if (def.type === 'object') {
        const field = (def.shape as Record<string, ZodLike>)[segment as string]
        return field ? [field] : []
      }
      if (def.type === 'record') return [def.valueType as ZodLike]
      if (def.type === 'array') return [def.element as ZodLike]
      return []
    }))
  }
  const keys = new Set<string>()
  for (const node of nodes) {
    if (node._zod.def.type === 'object') for (const key of Object.keys(node._zod.def.shape as object)) keys.add(key)
  }
  keys.delete('$schema')
  return [...keys]
}

const pairIndexes = new WeakMap<object, Map<string, Pair>>()

/** The first pair with this key; indexed once per mapping, so locating every problem of a large manifest stays linear. */
function pairByKey(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndexes.get(map)
  if (!index) {
    index = new Map()
    for (const item of map.items) {
      if (isPair(item) && isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), item)
    }
    pairIndexes.set(map, index)
  }
  return index.get(key)
}

function pairFor(doc: Document, at: (string | number)[]): { key?: Node; value?: Node; parent?: Node } {
  let current: unknown = doc.contents
  let key: Node | undefined
  let parent: Node | undefined
  for (const segment of at) {
    parent = current as Node
    if (isMap(current)) {
      const pair = pairByKey(current, String(segment))
      if (!pair) return { parent }
      key = pair.key as Node
      current = pair.value
    } else if (isSeq(current) && typeof segment === 'number') {
      current = current.items[segment]
      key = current as Node
      if (current === undefined) return { parent }
    } else {
      return { parent }
    }
  }
  return { key, value: (current ?? undefined) as Node | undefined, parent }
}

function position(lineCounter: LineCounter, node: Node | undefined): { line: number; col: number } | undefined {
  const offset = node?.range?.[0]
  return offset === undefined ? undefined : lineCounter.linePos(offset)
}

/** Position of the value at a path; if it is missing, of the deepest parent that exists. */
function nodePosition(doc: Document, lineCounter: LineCounter, at: (string | number)[]): { line: number; col: number } {
  for (let depth = at.length; depth >= 0; depth--) {
    const { key, value } = pairFor(doc, at.slice(0, depth))
    const found = depth === 0 ? position(lineCounter, doc.contents as Node) : position(lineCounter, value ?? key)
    if (found) return found
  }
  return { line: 1, col: 1 }
}

/** Position of the key naming a path (for unknown and missing keys). */
function keyPosition(doc: Document, lineCounter: LineCounter, at: (string | number)[]): { line: number; col: number } {
  for (let depth = at.length; depth >= 0; depth--) {
    const { key } = pairFor(doc, at.slice(0, depth))
    const found = depth === 0 ? position(lineCounter, doc.contents as Node) : position(lineCounter, key)
    if (found) return found
  }
  return { line: 1, col: 1 }
}
