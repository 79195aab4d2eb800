// Cases whose projection the database refused (see workflows/case.ts): operators list them and, once
// the cause is fixed, have them try again. Temporal is the source: a parked case's workflow carries the
// BangnongParked search attribute and answers the caseParked query with the database's reason.

import type { Client } from '@temporalio/client';
import { type ParkedProjection, SEARCH_ATTRIBUTES, caseParkedQuery, caseWorkflowId, retryProjectionSignal } from '../workflows/messages.js';

export const PARKED_QUERY = `${SEARCH_ATTRIBUTES.parked.name} = true AND ExecutionStatus = 'Running'`;

export interface ParkedCase extends ParkedProjection {
  caseId: string;
}

/** The parked cases, with why and since when; visibility may lag a parking by a second or so. */
export async function listParkedCases(client: Client, limit = 1000): Promise<ParkedCase[]> {
  const found: ParkedCase[] = [];
  for await (const execution of client.workflow.list({ query: PARKED_QUERY })) {
    const caseId = execution.workflowId.replace(/^case-/, '');
    const parked = await client.workflow.getHandle(execution.workflowId).query(caseParkedQuery);
    if (parked) found.push({ caseId, ...parked });
    if (found.length >= limit) break;
  }
  return found;
}

export async function countParkedCases(client: Client): Promise<number> {
  return (await client.workflow.count(PARKED_QUERY)).count;
}

/** Asks a parked case to project again now (it also tries hourly by itself). */
export async function retryParkedCase(client: Client, caseId: string): Promise<void> {
  await client.workflow.getHandle(caseWorkflowId(caseId)).signal(retryProjectionSignal);
}
