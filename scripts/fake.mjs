#!/usr/bin/env node
// `npm run fake -- <kind> [flags]`: starts a provider's fake API in the foreground and prints one
// JSON line {"endpoint": ..., "caFile": ...}; point a target's `endpoint:` at it (see the provider's README).
// The fakes live in the test tree as TypeScript: Node runs them with its type stripping, and this hook
// resolves their `./x.js` imports to the `./x.ts` files.
import { existsSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'

/** One entry per kind: the fake's entry module, exporting run(args). */
const fakes = {
  gcp: '../test/fakes/gcp/main.ts',
}

registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      const source = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL)
      if (existsSync(fileURLToPath(source))) return next(source.href, context)
    }
    return next(specifier, context)
  },
})

const [kind, ...args] = process.argv.slice(2)
if (!kind || !(kind in fakes)) {
  process.stderr.write(`Usage: npm run fake -- <kind> [--port N]\nKinds: ${Object.keys(fakes).join(', ')}\n`)
  process.exit(2)
}
const { run } = await import(new URL(fakes[kind], import.meta.url).href)
await run(args)
