#!/usr/bin/env node
// Bundles @oclif/core into dist/vendor/oclif-core (part of `npm run build`). Loaded as ~54
// separate modules, resolving and reading them is most of what `strato --help` costs; as a
// few bundled chunks it starts about a third faster (bench/startup). bin/run.js maps
// '@oclif/core' and its subpaths to these files, so strato, its commands and oclif's plugins
// all share this one copy. Without the folder (a run from source), the package loads as is.
import { rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.join(root, 'dist/vendor/oclif-core')
const require = createRequire(path.join(root, 'package.json'))
const pkg = require('@oclif/core/package.json')
const coreRoot = path.dirname(require.resolve('@oclif/core/package.json'))

/** './help' -> 'help', '.' -> 'index': the file name of a subpath export. */
const fileOf = (subpath) => (subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-'))
const targetOf = (target) => (typeof target === 'string' ? target : targetOf(target.require ?? target.node ?? target.default))

const subpaths = Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json')
const input = Object.fromEntries(subpaths.map((subpath) => [fileOf(subpath), path.join(coreRoot, targetOf(pkg.exports[subpath]).replace(/\.d\.ts$/, '.js'))]))

rmSync(out, { recursive: true, force: true })
await build({
  input,
  platform: 'node',
  // oclif loads these only to run TypeScript sources in development, which a built CLI never does
  external: ['typescript', 'ts-node', 'tsx', /^@swc\//],
  logLevel: 'warn',
  output: { format: 'cjs', dir: out, entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
})

// ES module faces with the same named exports as the package: Node cannot read the names of a
// bundled CommonJS entry, and strato's code imports them by name.
for (const subpath of subpaths) {
  const names = Object.keys(require(subpath === '.' ? '@oclif/core' : `@oclif/core/${subpath.slice(2)}`)).filter((name) => name !== 'default' && name !== '__esModule')
  const file = fileOf(subpath)
  writeFileSync(path.join(out, `${file}.mjs`), `import core from './${file}.cjs'\nexport default core\n${names.length ? `export const { ${names.join(', ')} } = core\n` : ''}`)
}
console.log(`bundled @oclif/core ${pkg.version} into ${path.relative(root, out)} (${subpaths.length} entry points)`)
