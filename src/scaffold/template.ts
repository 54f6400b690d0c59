/**
 * The placeholder syntax of the starter-repo templates, kept small on purpose:
 *
 *   {{=name}}            the value of `name` (a missing value is an error)
 *   {{#if flag}}         on a line of its own: keep the lines up to {{else}}
 *   {{#unless flag}}       or {{/if}} when flag is true (false for unless)
 *   {{else}}  {{/if}}
 *
 * The `{{=` and `{{#` openers never occur in the languages the templates hold,
 * not even in GitHub Actions expressions (`${{ matrix.x }}`), which pass through.
 *
 * File names carry conditions too: `db@postgres.js` is written as `db.js`, and
 * only when the `postgres` flag is set; `dot-gitignore` is written as
 * `.gitignore` (packages drop some dotfiles, so the templates hold none).
 */

export type TemplateValues = Record<string, string | number>
export type TemplateFlags = Record<string, boolean>

const BLOCK = /^\s*\{\{(#if|#unless|else|\/if)(?:\s+([A-Za-z][\w-]*))?\}\}\s*$/
const VALUE = /\{\{=\s*([A-Za-z][\w]*)\s*\}\}/g

export class TemplateError extends Error {
  override readonly name = 'TemplateError'
}

export function renderTemplate(text: string, values: TemplateValues, flags: TemplateFlags, source = 'template'): string {
  const out: string[] = []
  // One frame per open block: is this branch kept, and was the enclosing one kept?
  const stack: { keep: boolean; outer: boolean; cond: boolean; sawElse: boolean; line: number }[] = []
  const lines = text.split('\n')
  lines.forEach((line, index) => {
    const where = `${source}:${index + 1}`
    const block = BLOCK.exec(line)
    const keeping = stack.length === 0 || stack[stack.length - 1].keep
    if (block) {
      const [, kind, flag] = block
      if (kind === '#if' || kind === '#unless') {
        if (!flag) throw new TemplateError(`${where}: ${kind} needs a flag name`)
        if (!(flag in flags)) throw new TemplateError(`${where}: unknown flag "${flag}"`)
        const cond = kind === '#if' ? flags[flag] : !flags[flag]
        stack.push({ keep: keeping && cond, outer: keeping, cond, sawElse: false, line: index + 1 })
      } else if (kind === 'else') {
        const top = stack.at(-1)
        if (!top || top.sawElse) throw new TemplateError(`${where}: {{else}} without an open {{#if}}`)
        top.sawElse = true
        top.keep = top.outer && !top.cond
      } else {
        if (!stack.pop()) throw new TemplateError(`${where}: {{/if}} without an open {{#if}}`)
      }
      return
    }
    if (!keeping) return
    if (line.includes('{{#') || line.includes('{{/if') || line.includes('{{else')) {
      throw new TemplateError(`${where}: a block tag must stand on a line of its own`)
    }
    out.push(line.replace(VALUE, (_, name: string) => {
      if (!(name in values)) throw new TemplateError(`${where}: no value for "${name}"`)
      return String(values[name])
    }))
  })
  if (stack.length > 0) throw new TemplateError(`${source}:${stack.at(-1)!.line}: {{#if}} is never closed`)
  return out.join('\n')
}

/**
 * The output path of a template file, or undefined when its conditions are
 * not met. Conditions are `@flag` parts before the extension; `dot-` at the
 * start of a path segment becomes a dot.
 */
export function renderTemplatePath(templatePath: string, flags: TemplateFlags): string | undefined {
  const segments = templatePath.split('/').map((segment) => {
    const match = /^([^@]*)((?:@[A-Za-z][\w-]*)+)(\.[^@]*)?$/.exec(segment)
    if (!match) return { name: segment, conditions: [] as string[] }
    const [, base, tags, extension = ''] = match
    return { name: base + extension, conditions: tags.slice(1).split('@') }
  })
  for (const { conditions } of segments) {
    for (const condition of conditions) {
      if (!(condition in flags)) throw new TemplateError(`${templatePath}: unknown flag "${condition}" in the file name`)
      if (!flags[condition]) return undefined
    }
  }
  return segments.map(({ name }) => name.replace(/^dot-/, '.')).join('/')
}
