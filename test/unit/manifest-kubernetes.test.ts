import { describe, expect, it } from 'vitest'
import { checkManifest, formatProblem } from '../../src/manifest/load.js'

const VALID = `name: shop
services:
  users:
    image: registry.example.com/users:1.0.0
    port: 8080
    health: /healthz
targets:
  onprem: { provider: docker }
  k8s:
    provider: kubernetes
    context: prod-eu
    namespace: shop
    kubeconfig: ~/.kube/prod
    ingressClass: nginx
    domain: shop.example.com
    registry: registry.example.com/team
    requestsMetric: http_requests_per_second
    writableRoot: [users]
    cost: { monthly: 120, cpus: 8, memory: 32Gi }
placement:
  - { target: onprem, max: 2 }
  - { target: k8s }
`

const problems = (text: string) => checkManifest(text, 'strato.yaml').problems.map(formatProblem)

describe('kubernetes targets in strato.yaml', () => {
  it('accepts every setting of a kubernetes target', () => {
    expect(problems(VALID)).toEqual([])
  })

  it('reports a bad namespace, ingress class and unknown key with line and column', () => {
    const text = VALID.replace('namespace: shop', 'namespace: Shop_Prod').replace('ingressClass: nginx', 'ingressClass: NGINX!').replace('domain: shop.example.com', 'domian: shop.example.com')
    expect(problems(text)).toEqual([
      'strato.yaml:12:16 targets.k8s.namespace: must be a DNS label: 1-63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen, got "Shop_Prod"',
      'strato.yaml:14:19 targets.k8s.ingressClass: must be an IngressClass name such as nginx, got "NGINX!"',
      'strato.yaml:15:5 targets.k8s.domian: unknown key; did you mean "domain"?',
    ])
  })

  it('reports a writableRoot entry that names no service', () => {
    expect(problems(VALID.replace('writableRoot: [users]', 'writableRoot: [user]'))).toEqual([
      'strato.yaml:18:20 targets.k8s.writableRoot.0: unknown service "user"; known: users',
    ])
  })

  it('names kubernetes among the providers a target may have', () => {
    expect(problems(VALID.replace('provider: kubernetes', 'provider: kubernets'))[0]).toContain('did you mean "kubernetes"?')
  })
})
