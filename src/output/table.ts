/** Plain-text tables: pure, so commands and tests render the same way. */

const ANSI = /\u001B\[[0-9;]*m/g

export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length
}

export interface TableOptions {
  /** right-align these column indexes (numbers) */
  alignRight?: number[]
  /** style applied to the header row */
  header?: (text: string) => string
}

export function renderTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  // A loop, not Math.max(...rows): a report may have more rows than a call takes arguments.
  const widths = headers.map((header, column) => rows.reduce((widest, row) => Math.max(widest, visibleWidth(row[column] ?? '')), visibleWidth(header)))
  const pad = (cell: string, column: number) => {
    const gap = ' '.repeat(widths[column] - visibleWidth(cell))
    return options.alignRight?.includes(column) ? gap + cell : cell + gap
  }
  const line = (cells: string[]) => cells.map((cell, column) => pad(cell ?? '', column)).join('  ').trimEnd()
  const head = options.header ?? ((text: string) => text)
  return [head(line(headers)), ...rows.map(line)].join('\n')
}
