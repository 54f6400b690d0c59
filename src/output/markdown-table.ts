/** GitHub-flavoured Markdown tables, for pull-request comments. */

export function markdownCell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, '<br>')
}

/** alignRight: column indexes to right-align (numbers). */
export function renderMarkdownTable(headers: string[], rows: string[][], alignRight: number[] = []): string {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`
  const rule = `|${headers.map((_, column) => (alignRight.includes(column) ? '---:' : '---')).join('|')}|`
  return [line(headers), rule, ...rows.map(line)].join('\n')
}
