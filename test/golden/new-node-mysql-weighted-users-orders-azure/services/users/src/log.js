/** Structured logs: one JSON object per line on stdout, for whatever collects container output. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 }

export function createLogger({ service, level = 'info', write = (line) => process.stdout.write(`${line}\n`), now = () => new Date() }) {
  const threshold = LEVELS[level] ?? LEVELS.info
  const emit = (name, msg, fields) => {
    if (LEVELS[name] < threshold) return
    write(JSON.stringify({ time: now().toISOString(), level: name, service, msg, ...fields }))
  }
  return {
    debug: (msg, fields = {}) => emit('debug', msg, fields),
    info: (msg, fields = {}) => emit('info', msg, fields),
    warn: (msg, fields = {}) => emit('warn', msg, fields),
    error: (msg, fields = {}) => emit('error', msg, fields),
  }
}
