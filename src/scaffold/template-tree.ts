/**
 * Reading the starter-repo templates shipped with strato. The folder is found
 * from this module's own location (src/ when tests run the TypeScript, dist/src/
 * when the built CLI runs), never from the working directory.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Template path (with / separators) -> file text. */
export type TemplateTree = Record<string, string>

export function templatesRoot(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from))
  for (;;) {
    const candidate = path.join(dir, 'templates')
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`strato's templates folder was not found above ${fileURLToPath(from)}`)
    dir = parent
  }
}

export function readTemplateTree(root: string): TemplateTree {
  const tree: TemplateTree = {}
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relative)
      else if (entry.isFile()) tree[relative] = readFileSync(path.join(dir, entry.name), 'utf8')
    }
  }
  walk(root, '')
  return tree
}
