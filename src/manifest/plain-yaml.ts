/**
 * The quick reading of strato.yaml: mappings, sequences and scalars, resolved
 * as the `yaml` library resolves them (YAML 1.2, core schema), from js-yaml's
 * event parser, which is many times faster than building the library's
 * Document with source positions. A text using anything beyond that (anchors,
 * aliases, tags, directives, a second document, empty, repeated or very long
 * keys, a lone carriage return) is not read here: the caller then reads it with
 * the `yaml` library, which reports every problem. Positions are worked out
 * from the kept events only when a problem is to be reported, and only where
 * they are certain to be the ones the `yaml` library gives.
 */
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, type Event, type ScalarEvent } from 'js-yaml'

export interface PlainYaml {
  data: Record<string, unknown>
  /**
   * Line and column (1-based) of the value at a path (with `atKey`, of the key
   * naming it), or of its deepest parent that exists; undefined where the
   * events cannot tell exactly what the `yaml` library would say.
   */
  locate(path: readonly (string | number)[], atKey: boolean): { line: number; col: number } | undefined
}

/** Not read here: the `yaml` library reads the text instead. */
class NotPlain extends Error {}

/** A key at least this long may break the 1,024-character limit on implicit keys that the `yaml` library enforces. */
const LONG_KEY = 1000

export function readPlainYaml(text: string): PlainYaml | undefined {
  if (hasLoneCarriageReturn(text) || hasDocumentMarker(text)) return undefined
  let events: Event[]
  try {
    events = parseEvents(text, {})
  } catch {
    return undefined
  }
  const document = events[0]
  if (events.length < 3 || document.type !== EVENT_ID.DOCUMENT || document.directives.length > 0 || events[1].type !== EVENT_ID.MAPPING) return undefined
  let at = 1
  const value = (): unknown => {
    const event = events[at++]
    if (event.type === EVENT_ID.SCALAR) {
      if (event.anchorStart !== -1 || event.tagStart !== -1) throw new NotPlain()
      const source = getScalarValue(text, event)
      return event.style === SCALAR_STYLE.PLAIN ? resolvePlain(source) : source
    }
    if (event.type === EVENT_ID.SEQUENCE) {
      if (event.anchorStart !== -1 || event.tagStart !== -1) throw new NotPlain()
      const items: unknown[] = []
      while (events[at].type !== EVENT_ID.POP) items.push(value())
      at++
      return items
    }
    if (event.type === EVENT_ID.MAPPING) {
      if (event.anchorStart !== -1 || event.tagStart !== -1) throw new NotPlain()
      const map: Record<string, unknown> = {}
      while (events[at].type !== EVENT_ID.POP) {
        const key = keyOf(text, events[at++])
        if (Object.hasOwn(map, key)) throw new NotPlain()
        map[key] = value()
      }
      at++
      return map
    }
    throw new NotPlain()
  }
  let data: Record<string, unknown>
  try {
    data = value() as Record<string, unknown>
  } catch (error) {
    if (error instanceof NotPlain) return undefined
    throw error
  }
  if (at !== events.length - 1 || events[at].type !== EVENT_ID.POP) return undefined
  let places: Places | undefined
  return {
    data,
    locate: (path, atKey) => {
      places ??= placesOf(text, events)
      return places.locate(path, atKey)
    },
  }
}

/**
 * A mapping key as the `yaml` library turns it into a property name. Keys it
 * would treat otherwise (null, collections, merge keys, __proto__, keys over
 * the implicit key limit or over several lines) are not read here.
 */
function keyOf(text: string, event: Event): string {
  if (event.type !== EVENT_ID.SCALAR || event.anchorStart !== -1 || event.tagStart !== -1) throw new NotPlain()
  if (event.style !== SCALAR_STYLE.PLAIN && event.style !== SCALAR_STYLE.SINGLE_QUOTED && event.style !== SCALAR_STYLE.DOUBLE_QUOTED) throw new NotPlain()
  if (event.valueStart === -1 || event.valueEnd - event.valueStart >= LONG_KEY) throw new NotPlain()
  const newline = text.indexOf('\n', event.valueStart)
  if (newline !== -1 && newline < event.valueEnd) throw new NotPlain()
  const source = getScalarValue(text, event)
  const key = event.style === SCALAR_STYLE.PLAIN ? resolvePlain(source) : source
  if (key === null || key === '<<' || key === '__proto__') throw new NotPlain()
  return String(key)
}

const NULL = /^(?:~|[Nn]ull|NULL)?$/
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/
const INT_OCT = /^0o[0-7]+$/
const INT = /^[-+]?[0-9]+$/
const INT_HEX = /^0x[0-9a-fA-F]+$/
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/

/** A plain scalar by the core schema's tags, tried in the `yaml` library's order with its own expressions and conversions. */
export function resolvePlain(source: string): unknown {
  if (source === '') return null
  const first = source.charCodeAt(0)
  // Only a digit, + - . ~ or n N t T f F can start a null, a boolean or a number; most scalars are names.
  const mayResolve = (first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46 || first === 126 ||
    first === 110 || first === 78 || first === 116 || first === 84 || first === 102 || first === 70
  if (!mayResolve) return source
  if (NULL.test(source)) return null
  if (BOOL.test(source)) return source[0] === 't' || source[0] === 'T'
  if (INT_OCT.test(source)) return parseInt(source.substring(2), 8)
  if (INT.test(source)) return parseInt(source, 10)
  if (INT_HEX.test(source)) return parseInt(source.substring(2), 16)
  if (FLOAT_NAN.test(source)) return source.slice(-3).toLowerCase() === 'nan' ? NaN : source[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  if (FLOAT_EXP.test(source) || FLOAT.test(source)) return parseFloat(source)
  return source
}

/** The `yaml` library ends lines only at \n (after an optional \r); js-yaml also at a lone \r. */
function hasLoneCarriageReturn(text: string): boolean {
  for (let at = text.indexOf('\r'); at !== -1; at = text.indexOf('\r', at + 1)) {
    if (text.charCodeAt(at + 1) !== 10) return true
  }
  return false
}

/** `---` or `...` at the start of a line, except a `---` opening the text: js-yaml and the `yaml` library count documents differently. */
function hasDocumentMarker(text: string): boolean {
  const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    if (match.index !== 0 || match[0] !== '---') return true
  }
  return false
}

interface Places {
  locate(path: readonly (string | number)[], atKey: boolean): { line: number; col: number } | undefined
}

/**
 * Positions from the events. Only the mappings and sequences a path goes
 * through are indexed (on first use): a manifest with thousands of problems
 * indexes what they need, once each, and nothing else.
 */
function placesOf(text: string, events: Event[]): Places {
  // The index just past each mapping or sequence, so lookups step over whole values.
  const after = new Int32Array(events.length)
  const open: number[] = []
  for (let at = 0; at < events.length; at++) {
    const type = events[at].type
    if (type === EVENT_ID.MAPPING || type === EVENT_ID.SEQUENCE || type === EVENT_ID.DOCUMENT) open.push(at)
    else if (type === EVENT_ID.POP) after[open.pop()!] = at + 1
  }
  const next = (at: number) => (after[at] === 0 ? at + 1 : after[at])
  /** A mapping's keys (key event index by name) or a sequence's items (event indexes), by the container's event index. */
  const children = new Map<number, Map<string, number> | number[]>()
  const childrenOf = (at: number): Map<string, number> | number[] => {
    let found = children.get(at)
    if (!found) {
      if (events[at].type === EVENT_ID.MAPPING) {
        const keys = new Map<string, number>()
        for (let key = at + 1; events[key].type !== EVENT_ID.POP; key = next(key + 1)) keys.set(keyOf(text, events[key]), key)
        found = keys
      } else {
        const items: number[] = []
        for (let item = at + 1; events[item].type !== EVENT_ID.POP; item = next(item)) items.push(item)
        found = items
      }
      children.set(at, found)
    }
    return found
  }
  const offsetOf = (at: number): number => {
    const event = events[at]
    if (event.type === EVENT_ID.SCALAR) return scalarOffset(event)
    return event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE ? event.start : -1
  }
  const lineStarts = [0]
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', newline + 1)) lineStarts.push(newline + 1)

  /** The offsets of the key and value a path leads to (for a sequence item, the item is both), or undefined where it leads nowhere. */
  const follow = (path: readonly (string | number)[], depth: number): { key: number; value: number } | undefined => {
    let current = 1
    let key = -1
    for (let index = 0; index < depth; index++) {
      const segment = path[index]
      const type = events[current].type
      let child: number | undefined
      if (type === EVENT_ID.MAPPING) {
        key = (childrenOf(current) as Map<string, number>).get(String(segment)) ?? -1
        child = key === -1 ? undefined : key + 1
      } else if (type === EVENT_ID.SEQUENCE && typeof segment === 'number') {
        child = (childrenOf(current) as number[])[segment]
        key = child ?? -1
      }
      if (child === undefined) return undefined
      current = child
    }
    return { key: key === -1 ? -1 : offsetOf(key), value: offsetOf(current) }
  }

  return {
    locate(path, atKey) {
      for (let depth = path.length; depth >= 0; depth--) {
        const offset = depth === 0 ? offsetOf(1) : (atKey ? follow(path, depth)?.key : follow(path, depth)?.value)
        if (offset === undefined) continue
        return offset === -1 ? undefined : linePos(lineStarts, offset)
      }
      return undefined
    },
  }
}

/** Plain scalars start at their first character and quoted ones at the quote; empty and block scalars are not known exactly. */
function scalarOffset(event: ScalarEvent): number {
  if (event.valueStart === -1) return -1
  if (event.style === SCALAR_STYLE.PLAIN) return event.valueStart
  if (event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED) return event.valueStart - 1
  return -1
}

/** 1-based line and column of an offset, counted as the `yaml` library's LineCounter does. */
function linePos(lineStarts: number[], offset: number): { line: number; col: number } {
  let low = 0
  let high = lineStarts.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (lineStarts[middle] < offset) low = middle + 1
    else high = middle
  }
  if (lineStarts[low] === offset) return { line: low + 1, col: 1 }
  return { line: low, col: offset - lineStarts[low - 1] + 1 }
}
