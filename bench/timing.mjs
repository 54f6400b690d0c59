// What the inventory benchmarks share: timing a command as a whole process and reporting medians.
import { execa } from 'execa'

export const median = (list) => { const sorted = [...list].sort((a, b) => a - b); return sorted[Math.floor(sorted.length / 2)] }
export const ms = (value) => `${Math.round(value)} ms`

/** Runs a command to its end; its wall time in ms and its output. A failure stops the benchmark with the command's error. */
export async function timed(file, args, options) {
  const started = performance.now()
  const result = await execa(file, args, { ...options, reject: false })
  const elapsed = performance.now() - started
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.exitCode}): ${String(result.stderr).slice(-800)}`)
  return { elapsed, stdout: result.stdout }
}
