/** The startup script parses as bash, whatever the env values hold. */
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { renderStartupScript } from '../../providers/gcp/startup-script.js'

describe('gcp startup script', () => {
  it('is valid bash with awkward values, secrets and a registry login', async () => {
    const script = renderStartupScript({
      project: 'shop', gcpProject: 'acme-prod', service: 'orders', image: 'europe-west1-docker.pkg.dev/acme-prod/shop/orders:2.0.0',
      spec: { port: 8080, env: { QUOTE: "it's \"quoted\" $HOME `x`", EMPTY: '' }, secrets: ['DB_PASSWORD', 'API_KEY'], command: ['sh', '-c', 'echo "$PORT"'] },
      hosts: { db: '10.132.1.2', cache: '10.132.1.2' },
    })
    const result = await execa('bash', ['-n'], { input: script, reject: false })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
  })
})
