/** Runs the FOCUS side of `strato cost actual` in process, as the command does, for unit tests. */
import { actualReport } from '../../src/costs/actual.js'
import { actualJson } from '../../src/costs/actual-report.js'
import { parseQuery, type QueryFlags } from '../../src/costs/focus-query.js'
import { readFocusSpend } from '../../src/costs/focus-spend.js'
import { exitCodeFor } from '../../src/errors.js'
import type { Progress } from '../../src/model.js'

export const quiet: Progress = { step() {}, done() {}, warn() {} }

/** Reads files with the same flags as the command; returns the report, what was read and the --json shape. */
export async function actual(files: string[], flags: QueryFlags = {}, progress: Progress = quiet) {
  const query = parseQuery(flags)
  const spend = await readFocusSpend(files, query, progress)
  const report = actualReport(spend, query.by, query.metrics)
  return { report, spend, json: actualJson(report, spend.notes) }
}

/** The exit code, message and details a failing read ends with. */
export async function refusal(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    return { code: exitCodeFor(error), message: (error as Error).message, details: (error as { options?: { details?: string[] } }).options?.details ?? [] }
  }
  throw new Error('the read succeeded')
}
