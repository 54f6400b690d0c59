/** The output formats every cost command offers besides the table and --json. */

export const COST_FORMATS = ['table', 'csv', 'markdown'] as const
export type CostFormat = (typeof COST_FORMATS)[number]

