/** Markdown for pull-request comments and generated docs: tables, headings, collapsible sections. Pure. */

/** Makes text safe inside a table cell: pipes escaped, newlines as <br>. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}

/** Inline code that survives backticks in the text. */
export function inlineCode(text: string): string {
  const fence = text.includes('`') ? '``' : '`'
  return `${fence}${fence === '``' ? ` ${text} ` : text}${fence}`
}

export type Align = 'left' | 'right' | 'center'

export function markdownTable(headers: string[], rows: string[][], align: Align[] = []): string {
  const rule = headers.map((_header, index) => {
    const side = align[index] ?? 'left'
    return side === 'right' ? '---:' : side === 'center' ? ':---:' : '---'
  })
  const line = (cells: string[]) => `| ${cells.map((cell) => escapeCell(cell ?? '')).join(' | ')} |`
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n')
}

/** A section a reader expands on demand: long lists stay out of the way in a PR comment. */
export function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary.replace(/</g, '&lt;')}</summary>\n\n${body}\n\n</details>`
}
