#!/usr/bin/env node
// Runs one benchmark (`npm run bench -- startup`) or lists them.
import { existsSync, readdirSync } from 'node:fs'
import { execa } from 'execa'

const root = new URL('./', import.meta.url)
const available = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/run.mjs`, root)))
  .map((entry) => entry.name)

const [name, ...rest] = process.argv.slice(2)
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]\nbenchmarks: ${available.join(', ')}`)
  process.exit(name ? 2 : 0)
}
const result = await execa(process.execPath, [new URL(`${name}/run.mjs`, root).pathname, ...rest], { stdio: 'inherit', reject: false })
process.exit(result.exitCode ?? 1)
