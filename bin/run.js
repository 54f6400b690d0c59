#!/usr/bin/env node
// Start-up is most of what a short command costs, so two things make it faster:
// 1. Node's compile cache keeps compiled modules between runs (repeated invocations: CI steps,
//    shell loops). It lives in the user's cache folder, else the OS temp folder; a folder that
//    cannot be written only means no cache.
// 2. @oclif/core loads from the bundle the build writes (scripts/bundle-oclif-core.mjs): a few
//    chunks instead of ~54 modules to resolve and read. Every import of it, from strato's code or
//    oclif's plugins, resolves to that one copy. Without the bundle (a run from source), the
//    package loads as usual.
import module from 'node:module'
import { existsSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

if (module.enableCompileCache && !process.env.STRATO_NO_COMPILE_CACHE) {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? path.join(homedir(), '.cache') : tmpdir())
  try {
    const { status } = module.enableCompileCache(path.join(base, 'strato', 'compile-cache'))
    if (status === module.constants.compileCacheStatus.FAILED) module.enableCompileCache(path.join(tmpdir(), 'strato-compile-cache'))
  } catch {
    // no cache: slower, never broken
  }
}

const vendor = fileURLToPath(new URL('../dist/vendor/oclif-core/', import.meta.url))
if (module.registerHooks && existsSync(path.join(vendor, 'index.mjs'))) {
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier !== '@oclif/core' && !specifier.startsWith('@oclif/core/')) return nextResolve(specifier, context)
      const file = specifier === '@oclif/core' ? 'index' : specifier.slice('@oclif/core/'.length).replaceAll('/', '-')
      return { url: pathToFileURL(path.join(vendor, `${file}.mjs`)).href, format: 'module', shortCircuit: true }
    },
  })
}

// A reader that stops early (strato --help | head) ends the run quietly, not with an EPIPE error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

const { execute } = await import('@oclif/core/execute')
await execute({ dir: import.meta.url })
