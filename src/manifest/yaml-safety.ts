/**
 * What a hostile or broken strato.yaml can do to a YAML reader, checked
 * before the document is turned into data, each reported at its line and
 * column: aliases without an anchor, aliases that expand without bound (the
 * "billion laughs"), aliases that refer to a node containing them (a cycle),
 * and duplicate keys (checked here in one pass per mapping: the yaml
 * library's own check compares every key with every other).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml'

export interface YamlProblem {
  /** offset in the text */
  offset: number
  message: string
}

/** Nodes that aliases may add beyond the document's own, before it counts as a resource-exhaustion attack. */
export const MAX_ALIAS_EXPANSION = 10_000

export function yamlStructureProblems(doc: Document): YamlProblem[] {
  const problems: YamlProblem[] = []
  // Only anchored nodes can be the target of an alias: only they are memoised and tracked for cycles.
  const sizes = new Map<Node, number>()
  const visiting = new Set<Node>()
  let expanded = 0
  let ownNodes = 0
  let budgetReported = false

  /** The number of nodes a node stands for once every alias in it is expanded; aliases are counted once per use. */
  const sizeOf = (node: unknown, viaAlias: boolean): number => {
    if (isAlias(node)) {
      const target = node.resolve(doc) as Node | undefined
      if (!target) {
        problems.push({ offset: node.range?.[0] ?? 0, message: `alias *${node.source} has no anchor &${node.source} before it` })
        return 1
      }
      if (visiting.has(target)) {
        problems.push({ offset: node.range?.[0] ?? 0, message: `alias *${node.source} refers to a node that contains it, which never ends` })
        return 1
      }
      const size = sizes.get(target) ?? sizeOf(target, true)
      if (!viaAlias) {
        expanded += size
        const limit = Math.max(MAX_ALIAS_EXPANSION, ownNodes)
        if (expanded > limit && !budgetReported) {
          budgetReported = true
          problems.push({ offset: node.range?.[0] ?? 0, message: `aliases expand the document to more than ${limit} extra nodes (an alias bomb?); write the values out instead` })
        }
      }
      return size
    }
    if (!node || typeof node !== 'object') return 0
    const anchored = Boolean((node as { anchor?: string }).anchor)
    if (anchored) {
      const known = sizes.get(node as Node)
      if (known !== undefined) return known
      visiting.add(node as Node)
    }
    let size = 1
    if (isMap(node)) {
      const keys = node.items.length > 8 ? new Set<string>() : undefined
      const few: string[] = []
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        if (isScalar(pair.key)) {
          const key = String(pair.key.value)
          const duplicate = keys ? keys.has(key) : few.includes(key)
          if (duplicate) problems.push({ offset: pair.key.range?.[0] ?? 0, message: `duplicate key "${key}": a key may appear once in a mapping` })
          if (keys) keys.add(key)
          else few.push(key)
        }
        size += sizeOf(pair.key, viaAlias) + sizeOf(pair.value, viaAlias)
      }
    } else if (isSeq(node)) {
      for (const item of node.items) size += sizeOf(item, viaAlias)
    }
    if (anchored) {
      visiting.delete(node as Node)
      sizes.set(node as Node, size)
    }
    if (!viaAlias) ownNodes++
    return size
  }

  sizeOf(doc.contents, false)
  return problems
}
