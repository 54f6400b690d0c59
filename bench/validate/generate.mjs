// strato.yaml files of any size for the validate benchmark and the linear-growth test.

/**
 * A manifest with `count` services written as `strato new` writes them (block
 * style, flow mappings for short settings), each depending on another. With
 * `problems`, every other service carries a misspelt key (`colour`), so half
 * the services have a problem to locate and explain.
 */
export function manifestOf(count, { problems = false } = {}) {
  const lines = ['name: shop', 'services:']
  for (let index = 0; index < count; index++) {
    lines.push(
      `  s${index}:`,
      `    image: registry.example/s${index}:1.${index % 100}.0`,
      '    port: 8080',
      '    health: /healthz',
      '    replicas: 2',
      `    env: { LOG_LEVEL: info, SERVICE_NAME: s${index} }`,
      '    resources: { cpu: 0.5, memory: 256Mi }',
      `    dependsOn: [s${count - 1 - index}]`,
    )
    if (problems && index % 2 === 0) lines.push('    colour: red')
  }
  lines.push('targets:', '  local: { provider: docker }')
  return `${lines.join('\n')}\n`
}
