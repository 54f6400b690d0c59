/**
 * The subset of Google's list filter syntax the fake understands: terms
 * `FIELD = VALUE`, `FIELD != VALUE`, `FIELD eq REGEX`, `FIELD ne REGEX` and
 * `FIELD : VALUE`, joined by AND (or by juxtaposition), each optionally in
 * parentheses. Field paths may quote a part (`metadata.user_labels."strato-project"`).
 * Anything else (OR, NOT, functions) is answered with 400, never guessed.
 */

export interface FilterTerm {
  path: string[]
  op: '=' | '!=' | 'eq' | 'ne' | ':'
  value: string
}

export class FilterSyntaxError extends Error {}

const TOKEN = /\s*(\(|\)|!=|=|:|(?:[^\s()=:!"]|"(?:[^"\\]|\\.)*")+)/y

function tokenize(filter: string): string[] {
  const tokens: string[] = []
  const text = filter.trimEnd()
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    const match = TOKEN.exec(text)
    if (!match) throw new FilterSyntaxError(`Invalid list filter expression: ${filter}`)
    tokens.push(match[1])
  }
  return tokens
}

const unquote = (token: string) => (token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, '$1') : token)

function parsePath(token: string): string[] {
  const parts: string[] = []
  const part = /("(?:[^"\\]|\\.)*"|[^."]+)(\.|$)/y
  part.lastIndex = 0
  while (part.lastIndex < token.length) {
    const match = part.exec(token)
    if (!match) throw new FilterSyntaxError(`Invalid field path in list filter: ${token}`)
    parts.push(unquote(match[1]))
  }
  return parts
}

export function parseFilter(filter: string | undefined): FilterTerm[] {
  if (!filter || !filter.trim()) return []
  const tokens = tokenize(filter).filter((token) => token !== '(' && token !== ')')
  const terms: FilterTerm[] = []
  for (let i = 0; i < tokens.length;) {
    if (tokens[i] === 'AND') { i++; continue }
    if (tokens[i] === 'OR' || tokens[i] === 'NOT') throw new FilterSyntaxError(`The fake does not support ${tokens[i]} in list filters: ${filter}`)
    const [field, op, value] = tokens.slice(i, i + 3)
    if (value === undefined || !['=', '!=', 'eq', 'ne', ':'].includes(op)) throw new FilterSyntaxError(`Invalid list filter expression: ${filter}`)
    terms.push({ path: parsePath(field), op: op as FilterTerm['op'], value: unquote(value) })
    i += 3
  }
  return terms
}

function lookup(value: unknown, path: string[]): unknown {
  let current = value
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/** Whether one term holds for a value read by `read` (a path lookup on the resource by default). */
export function termHolds(term: FilterTerm, actual: unknown): boolean {
  const text = actual === undefined || actual === null ? undefined : String(actual)
  switch (term.op) {
    case '=': return text === term.value
    case '!=': return text !== term.value
    case 'eq': return text !== undefined && new RegExp(`^(?:${term.value})$`).test(text)
    case 'ne': return text === undefined || !new RegExp(`^(?:${term.value})$`).test(text)
    case ':': return term.value === '*' ? text !== undefined : text !== undefined && text.includes(term.value.replace(/\*$/, ''))
  }
}

export function matchesFilter(resource: unknown, terms: FilterTerm[]): boolean {
  return terms.every((term) => termHolds(term, lookup(resource, term.path)))
}
