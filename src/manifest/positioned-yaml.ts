/**
 * The full reading of strato.yaml with the `yaml` library: a Document with
 * every node's source range, which explains every YAML-level problem and
 * locates any path. It is many times slower than the quick reading
 * (plain-yaml.ts), so it is read only when positions are needed.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml'

export interface PositionedDocument {
  doc: Document
  lineCounter: LineCounter
  /** line and column (1-based) of the value at a path (with atKey, of the key naming it), or of its nearest existing parent */
  locate(path: (string | number)[], atKey?: boolean): { line: number; col: number }
}

export function readPositioned(text: string): PositionedDocument {
  const lineCounter = new LineCounter()
  // Duplicate keys are found by yamlStructureProblems in one pass: the library's own check is quadratic in a mapping's size.
  // logLevel error: what the library would print as a warning (a mapping used as a key) is no concern of strato's output.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' })
  return { doc, lineCounter, locate: (at, atKey = false) => (atKey ? keyPosition(doc, lineCounter, at) : nodePosition(doc, lineCounter, at)) }
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
