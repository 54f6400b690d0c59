/**
 * Comparing JSON bodies by shape: every path (arrays collapsed to []) and the
 * type found there. Values (ids, names, times, GUIDs) are left out, which is
 * what "normalised ids and times" comes to for a structural comparison.
 */
export type Shape = Map<string, string>

export function shapeOf(text: string): Shape {
  const shape: Shape = new Map()
  if (!text.trim()) return shape
  let value: unknown
  try { value = JSON.parse(text) } catch { shape.set('', 'text'); return shape }
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      shape.set(path, 'array')
      for (const item of node) walk(item, `${path}[]`)
    } else if (node !== null && typeof node === 'object') {
      shape.set(path, 'object')
      for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key)
    } else {
      const type = node === null ? 'null' : typeof node
      const before = shape.get(path)
      if (!before || before === 'null') shape.set(path, type)
    }
  }
  walk(value, '')
  return shape
}

/** Paths the fake answers that Azure did not (or with another type; null matches anything). */
export function invented(fake: Shape, recorded: Shape): string[] {
  const out: string[] = []
  for (const [path, type] of fake) {
    if (path === '') continue
    const real = recorded.get(path)
    if (real === undefined) out.push(path)
    else if (real !== type && real !== 'null' && type !== 'null') out.push(`${path} (${type}, recorded ${real})`)
  }
  return out.sort()
}

/** Paths (from `required`) missing in a shape. */
export function missing(shape: Shape, required: string[]): string[] {
  return required.filter((path) => !shape.has(path))
}
