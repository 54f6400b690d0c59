/** The project's EC2 instances, found by the tags their group propagates at launch. */
import { paginateDescribeInstances, type Instance } from '@aws-sdk/client-ec2'
import type { AwsClients } from './clients.js'
import { projectFilter } from './naming.js'

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down']

export async function listInstances(clients: AwsClients, project: string): Promise<Instance[]> {
  // keyed by id: a reservation can straddle two pages, and some endpoints then repeat its instances
  const instances = new Map<string, Instance>()
  const paginator = paginateDescribeInstances({ client: clients.ec2, pageSize: 1000 }, {
    Filters: [projectFilter(project), { Name: 'instance-state-name', Values: LIVE_STATES }],
  })
  for await (const page of paginator) {
    for (const reservation of page.Reservations ?? []) for (const instance of reservation.Instances ?? []) instances.set(instance.InstanceId!, instance)
  }
  return [...instances.values()]
}
