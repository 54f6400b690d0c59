/** What a service becomes on GCP, as request bodies: asserted exactly, security settings first. */
import { describe, expect, it } from 'vitest'
import { backendServiceBody, globalForwardingRuleBody, localityPolicy, proxyBody, regionalBackendServiceBody, regionalForwardingRuleBody, urlMapBody } from '../../providers/gcp/balancer-bodies.js'
import { firewallBody, groupBody, healthCheckBody } from '../../providers/gcp/group-bodies.js'
import { templateBody } from '../../providers/gcp/instance-template.js'
import { readStateDescription } from '../../providers/gcp/resource-state.js'

const identity = { project: 'shop', service: 'users', target: 'gcp' }

describe('gcp instance template', () => {
  const base = {
    ...identity, gcpProject: 'acme-prod', spec: { port: 8080, env: { LOG_LEVEL: 'info' } }, version: '3f9c2a1b4d5e', image: 'nginx:1.27',
    machineType: 'e2-small', network: 'global/networks/default', publicIp: false, deployedBy: 'ops@example.com', deployedAt: '2026-11-29T10:00:00.000Z', replicas: 2,
  }

  it('is Shielded, private, OS Login only, with no service account when none is needed', () => {
    const body = templateBody(base)
    const properties = body.properties!
    expect(body.name).toBe('strato-shop-users-3f9c2a1b4d5e')
    expect(properties.shieldedInstanceConfig).toEqual({ enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true })
    expect(properties.networkInterfaces).toEqual([{ network: 'global/networks/default' }])
    expect(properties.serviceAccounts).toEqual([])
    expect(properties.metadata!.items!.map((item) => [item.key, item.key === 'startup-script' ? '(script)' : item.value])).toEqual([
      ['startup-script', '(script)'], ['block-project-ssh-keys', 'TRUE'], ['enable-oslogin', 'TRUE'],
    ])
    expect(properties.tags).toEqual({ items: ['strato-shop-users'] })
    expect(properties.disks).toEqual([{
      boot: true, autoDelete: true, type: 'PERSISTENT', mode: 'READ_WRITE',
      initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12', diskSizeGb: '20', diskType: 'pd-balanced', labels: properties.labels },
    }])
  })

  it('labels what fits and keeps the whole state in the description', () => {
    const body = templateBody(base)
    expect(body.properties!.labels).toEqual({ 'strato-project': 'shop', 'strato-service': 'users', 'strato-version': '3f9c2a1b4d5e', 'strato-role': 'template', 'strato-target': 'gcp', 'strato-replicas': '2' })
    expect(readStateDescription(body.description)).toEqual({
      'strato.project': 'shop', 'strato.service': 'users', 'strato.version': '3f9c2a1b4d5e', 'strato.role': 'template',
      'strato.deployed-by': 'ops@example.com', 'strato.deployed-at': '2026-11-29T10:00:00.000Z', 'strato.image': 'nginx:1.27', 'strato.target': 'gcp', 'strato.replicas': '2',
    })
  })

  it('gets an external address and the project\'s own service account only when asked or needed', () => {
    const body = templateBody({ ...base, publicIp: true, serviceAccountEmail: 'strato-shop@acme-prod.iam.gserviceaccount.com' })
    expect(body.properties!.networkInterfaces).toEqual([{ network: 'global/networks/default', accessConfigs: [{ name: 'external-nat', type: 'ONE_TO_ONE_NAT' }] }])
    expect(body.properties!.serviceAccounts).toEqual([{ email: 'strato-shop@acme-prod.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }])
  })
})

describe('gcp group, health check and firewall', () => {
  it('spreads the group over the zones, autoheals and surges without unavailability', () => {
    expect(groupBody({
      ...identity, region: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c'], templateLink: 'global/instanceTemplates/t1',
      healthCheckLink: 'global/healthChecks/strato-shop-users', port: 8080, targetSize: 2,
    })).toEqual({
      name: 'strato-shop-users', baseInstanceName: 'strato-shop-users',
      description: 'strato {"strato.project":"shop","strato.role":"group","strato.service":"users","strato.target":"gcp"}',
      targetSize: 2, versions: [{ instanceTemplate: 'global/instanceTemplates/t1' }],
      distributionPolicy: { zones: [{ zone: 'zones/europe-west1-b' }, { zone: 'zones/europe-west1-c' }], targetShape: 'EVEN' },
      namedPorts: [{ name: 'http', port: 8080 }],
      autoHealingPolicies: [{ healthCheck: 'global/healthChecks/strato-shop-users', initialDelaySec: 300 }],
      updatePolicy: { type: 'PROACTIVE', minimalAction: 'REPLACE', replacementMethod: 'SUBSTITUTE', instanceRedistributionType: 'PROACTIVE', maxSurge: { fixed: 2 }, maxUnavailable: { fixed: 0 } },
    })
  })

  it('checks the health path over HTTP, or the port over TCP without one', () => {
    expect(healthCheckBody({ ...identity, port: 8080, path: '/healthz' })).toMatchObject({ type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/healthz', proxyHeader: 'NONE' } })
    expect(healthCheckBody({ ...identity, port: 8080, path: '' })).toMatchObject({ type: 'TCP', tcpHealthCheck: { port: 8080, proxyHeader: 'NONE' } })
  })

  it('opens only the service port, to Google\'s checkers and proxies, or to clients behind a passthrough balancer', () => {
    const body = firewallBody({ ...identity, network: 'global/networks/default', port: 8080, passthrough: false })
    expect(body).toMatchObject({ direction: 'INGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['8080'] }], sourceRanges: ['35.191.0.0/16', '130.211.0.0/22'], targetTags: ['strato-shop-users'] })
    expect(firewallBody({ ...identity, network: 'global/networks/default', port: 8080, passthrough: true }).sourceRanges).toEqual(['0.0.0.0/0'])
  })
})

describe('gcp balancers', () => {
  it('routes /<service>/ to each backend service, the first also by default', () => {
    const map = urlMapBody({ project: 'shop', target: 'gcp', backends: [{ service: 'users', link: 'global/backendServices/strato-shop-users' }, { service: 'orders', link: 'global/backendServices/strato-shop-orders' }] })
    expect(map.name).toBe('strato-shop-gcp-http')
    expect(map.defaultService).toBe('global/backendServices/strato-shop-orders')
    expect(map.pathMatchers![0].routeRules).toEqual([
      { priority: 1, matchRules: [{ prefixMatch: '/orders/' }], service: 'global/backendServices/strato-shop-orders', routeAction: { urlRewrite: { pathPrefixRewrite: '/' } } },
      { priority: 2, matchRules: [{ prefixMatch: '/users/' }], service: 'global/backendServices/strato-shop-users', routeAction: { urlRewrite: { pathPrefixRewrite: '/' } } },
    ])
    expect(proxyBody('shop', 'gcp', 'global/urlMaps/strato-shop-gcp-http')).toMatchObject({ name: 'strato-shop-gcp-http', urlMap: 'global/urlMaps/strato-shop-gcp-http' })
    expect(globalForwardingRuleBody('shop', 'gcp', 'global/targetHttpProxies/strato-shop-gcp-http')).toMatchObject({
      portRange: '80', loadBalancingScheme: 'EXTERNAL_MANAGED', labels: { 'strato-project': 'shop', 'strato-role': 'forwarding-rule', 'strato-target': 'gcp' },
    })
  })

  it('maps the manifest\'s algorithm and the autoscaler\'s capacity to the backend', () => {
    const body = backendServiceBody({ ...identity, instanceGroup: 'regions/europe-west1/instanceGroups/strato-shop-users', healthCheckLink: 'hc', capacity: { balancingMode: 'RATE', maxRatePerInstance: 62.5 }, balancing: { algorithm: 'least-conn' } })
    expect(body).toMatchObject({ loadBalancingScheme: 'EXTERNAL_MANAGED', portName: 'http', localityLbPolicy: 'LEAST_REQUEST', backends: [{ group: 'regions/europe-west1/instanceGroups/strato-shop-users', capacityScaler: 1, balancingMode: 'RATE', maxRatePerInstance: 62.5 }] })
    expect(localityPolicy({ algorithm: 'consistent-hash', hashOn: { header: 'x-user' } })).toEqual({ localityLbPolicy: 'RING_HASH', consistentHash: { httpHeaderName: 'x-user' } })
    expect(localityPolicy({ algorithm: 'consistent-hash', hashOn: { cookie: 'sid' } })).toEqual({ localityLbPolicy: 'RING_HASH', consistentHash: { httpCookie: { name: 'sid' } } })
    expect(localityPolicy(undefined)).toEqual({ localityLbPolicy: 'ROUND_ROBIN' })
  })

  it('builds a regional passthrough balancer on the service port when asked', () => {
    expect(regionalBackendServiceBody({ ...identity, instanceGroup: 'ig', healthCheckLink: 'regions/europe-west1/healthChecks/strato-shop-users' })).toMatchObject({ loadBalancingScheme: 'EXTERNAL', protocol: 'TCP', backends: [{ group: 'ig', balancingMode: 'CONNECTION' }] })
    expect(regionalForwardingRuleBody({ ...identity, port: 8080, backendServiceLink: 'bs' })).toMatchObject({ ports: ['8080'], loadBalancingScheme: 'EXTERNAL', backendService: 'bs' })
  })
})
