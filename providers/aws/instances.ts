/** The project's EC2 instances, found by the tags their group propagates at launch. */
import { paginateDescribeInstances, type Instance } from '@aws-sdk/client-ec2'
import type { AwsClients } from './clients.js'
import { projectFilter } from './naming.js'

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down']

export async function listInstances(clients: AwsClients, project: string): Promise<Instance[]> {
  const instances: Instance[] = []
  const paginator = paginateDescribeInstances({ client: clients.ec2, pageSize: 1000 }, {
    Filters: [projectFilter(project), { Name: 'instance-state-name', Values: LIVE_STATES }],
  })
  for await (const page of paginator) for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []))
  return instances
}
