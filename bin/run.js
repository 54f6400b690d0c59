#!/usr/bin/env node
// Cache compiled modules between runs: repeated invocations (CI steps, shell loops) start faster.
import module from 'node:module'
if (module.enableCompileCache && !process.env.STRATO_NO_COMPILE_CACHE) module.enableCompileCache()
const { execute } = await import('@oclif/core/execute')
await execute({ dir: import.meta.url })
