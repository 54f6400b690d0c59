/**
 * Spend from the FOCUS export files given to `strato cost actual --focus`:
 * each read in turn (after checking that none is given twice), with a note per
 * file that says what was read, summed, left out and why, and one warning per
 * kind of problem rather than one per row.
 */
import type { Progress } from '../model.js'
import type { SourceNote } from './actual-report.js'
import type { Spend } from './actual.js'
import { badRowPlace, checkFocusFiles, readFocusFile, type FocusFileSummary } from './focus-file.js'
import type { FocusQuery } from './focus-query.js'
import { centsNumber, formatMoney, nanosToCents } from './money.js'

const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`

export async function readFocusSpend(files: string[], query: FocusQuery, progress: Progress): Promise<Spend & { notes: SourceNote[] }> {
  await checkFocusFiles(files)
  const spend: Spend = { groups: [], split: [], months: [] }
  const notes: SourceNote[] = []
  for (const file of files) {
    progress.step(`Reading ${file}`)
    const summary = await readFocusFile(file, query)
    // One at a time: a fine grouping (ResourceId by day) has more groups than a call may take arguments.
    for (const group of summary.groups) spend.groups.push(group)
    spend.split.push(...summary.split)
    spend.months.push(...summary.months)
    const note = focusNote(summary)
    notes.push(note)
    for (const warning of note.figures?.warnings as string[]) progress.warn(warning)
  }
  return { ...spend, notes }
}

export function focusNote(summary: FocusFileSummary): SourceNote & { figures: { warnings: string[] } } {
  const { file, bad, unreadableTags, metrics } = summary
  const remarks: string[] = []
  const warnings: string[] = []
  const left = [summary.filtered ? `${plural(summary.filtered, 'row')} outside the period or filters` : '', bad.count ? `${plural(bad.count, 'bad row')} skipped` : ''].filter(Boolean)
  const detail = `FOCUS ${summary.format}, ${summary.flavour} flavour: ${plural(summary.rows, 'row')}, ${summary.counted.toLocaleString('en')} summed${left.length ? `, ${left.join(', ')}` : ''}`
  for (const column of summary.missing) remarks.push(`No ${column} column in this file: its rows count as having no ${column}.`)
  const withoutValue = metrics.map((_, metric) => summary.groups.reduce((sum, group) => sum + group.nulls[metric], 0))
  metrics.forEach((metric, index) => {
    if (withoutValue[index] > 0 && !summary.missing.includes(metric)) remarks.push(`${metric} is empty on ${plural(withoutValue[index], 'row')}: they add nothing to its figures.`)
  })
  if (summary.missing.length) warnings.push(`${file} has no ${summary.missing.join(', ')} column: those figures leave its rows out.`)
  if (unreadableTags.count > 0) {
    const text = `Tags could not be read on ${plural(unreadableTags.count, 'row')} of ${file} (first at ${summary.format === 'parquet' ? 'row' : 'line'} ${unreadableTags.line}: ${unreadableTags.reason}); their spend counts as untagged.`
    remarks.push(text)
    warnings.push(text)
  }
  if (bad.count > 0) {
    const held = bad.skipped.map((skipped) => `${formatMoney(nanosToCents(skipped.nanos[0]), skipped.currency)} of ${metrics[0]} on ${plural(skipped.rows, 'row')}`)
    const text = `Skipped ${plural(bad.count, 'bad row')} of ${file} (--skip-bad-rows): ${held.length ? `they held ${held.join(', ')}` : 'none had a readable cost'}${bad.uncounted ? `; the cost of ${plural(bad.uncounted, 'row')} could not be read, so how much they held is unknown` : ''}.`
    remarks.push(text, ...bad.rows.slice(0, 20).map((row) => `  ${badRowPlace(row, summary.format)}: ${row.reason}`))
    if (bad.count > 20) remarks.push(`  ... and ${bad.count - 20} more (up to 100 in --json).`)
    warnings.push(text)
  }
  return {
    source: file,
    detail,
    remarks,
    figures: {
      warnings,
      format: summary.format,
      flavour: summary.flavour,
      rows: summary.rows,
      counted: summary.counted,
      filtered: summary.filtered,
      withoutValue: Object.fromEntries(metrics.map((metric, index) => [metric, withoutValue[index]])),
      missingColumns: summary.missing,
      unreadableTags: unreadableTags.count ? unreadableTags : { count: 0 },
      badRows: {
        count: bad.count,
        uncounted: bad.uncounted,
        skipped: bad.skipped.map((skipped) => ({ currency: skipped.currency, rows: skipped.rows, amounts: Object.fromEntries(metrics.map((metric, index) => [metric, centsNumber(nanosToCents(skipped.nanos[index]))])) })),
        rows: bad.rows,
      },
    },
  }
}
