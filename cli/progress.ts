/** Progress lines on stderr, so stdout stays clean data for pipes and --json. */
import type { Progress } from '../src/model.js'
import { colorEnabled, createStyle } from './style.js'

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const style = createStyle(colorEnabled(stream))
  const started = Date.now()
  const stamp = () => style.dim(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`)
  return {
    step: (message) => stream.write(`${stamp()} ${style.cyan('•')} ${message}\n`),
    done: (message) => stream.write(`${stamp()} ${style.green('✓')} ${message}\n`),
    warn: (message) => stream.write(`${stamp()} ${style.yellow('!')} ${message}\n`),
  }
}
