#!/usr/bin/env node
/**
 * `npm run fake -- <kind>`: runs a cloud fake from the test tree in the
 * foreground. Each entry loads a TypeScript module with Node's type
 * stripping (Node >= 22.18; npm scripts run the project's Node 24), so the
 * fakes need no build step.
 */
import { pathToFileURL } from 'node:url'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const fakes = {
  azure: 'test/fakes/azure/main.ts',
  gcp: 'test/fakes/gcp/main.ts',
}

const [kind, ...args] = process.argv.slice(2)
if (!kind || !(kind in fakes)) {
  console.error(`usage: npm run fake -- <kind> [options]\nkinds: ${Object.keys(fakes).join(', ')}`)
  process.exit(kind ? 2 : 0)
}
const module = await import(pathToFileURL(path.join(root, fakes[kind])).href)
await module.main(args)
