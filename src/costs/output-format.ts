/** The output formats every cost command offers besides the table and --json. */
import { usageError } from '../errors.js'

export const COST_FORMATS = ['table', 'csv', 'markdown'] as const
export type CostFormat = (typeof COST_FORMATS)[number]

export function costFormat(value: string | undefined): CostFormat {
  const format = (value ?? 'table') as CostFormat
  if (!COST_FORMATS.includes(format)) throw usageError(`Unknown format "${value}".`, `Use one of: ${COST_FORMATS.join(', ')}.`)
  return format
}
