#!/usr/bin/env node
// Regenerates the golden files, the one way they change: test/golden/new-*/ from the
// templates, test/golden/autoscaling/*/*/native.json from the autoscaling compilers,
// test/golden/gate/*.md from the gate's report renderer, test/golden/kubernetes/*/objects.yaml
// from the Kubernetes renderer, and the gcp provider README's permission list from its table.
// Review the diff (git diff test/golden) before committing it.
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const vitest = path.join(root, 'node_modules', '.bin', 'vitest')
execFileSync(vitest, ['run', '--project', 'unit', 'test/unit/scaffold-golden.test.ts', 'test/unit/autoscaling-golden.test.ts', 'test/unit/gate-golden.test.ts', 'test/unit/kubernetes-render.test.ts', 'test/unit/gcp-readme.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, STRATO_UPDATE_GOLDEN: '1' },
})
console.log('Golden files rewritten under test/golden/; review them with git diff test/golden.')
