// Preloaded with --import: counts the modules a strato command loads and
// writes them to STRATO_MODULE_LOG when the process exits.
import module from 'node:module'
import { writeFileSync } from 'node:fs'

const loaded = new Set()
module.registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url)
    return nextLoad(url, context)
  },
})
process.on('exit', () => {
  if (process.env.STRATO_MODULE_LOG) writeFileSync(process.env.STRATO_MODULE_LOG, [...loaded].join('\n'))
})
