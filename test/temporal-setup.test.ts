import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import pino from 'pino';
import { expect, inject, it } from 'vitest';
import { present } from '../api/cases.js';
import { ensureSearchAttributes } from '../platform/temporal.js';
import { openCase } from '../workflows/lifecycle.js';
import { defaultPolicy, intakeFixture } from './support.js';

it('When a namespace lacks the case search attributes, then start-up registers them, once', async () => {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const namespace = `sa-${Date.now()}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  const list = async () => (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  // A new namespace takes a moment to be known to every service of the dev server.
  for (let i = 0; i < 50 && !(await list().then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  expect(Object.keys(await list())).not.toContain('BangnongState');
  const log = pino({ level: 'silent' });
  await ensureSearchAttributes(connection, namespace, log);
  await ensureSearchAttributes(connection, namespace, log);
  const attributes = await list();
  expect(attributes).toMatchObject({ BangnongState: 2, BangnongUnit: 2, BangnongDeadline: 6, BangnongOverdue: 5 });
  await connection.close();
});

it('When a deadline has passed but the workflow has not yet reacted, then the API already shows the case overdue', () => {
  const { view } = openCase(
    intakeFixture({ receivedAt: '2026-11-20T00:00:00.000Z', citizen: { name: '王小明', phone: '13812345678' } }),
    defaultPolicy(),
  );
  const desk = { id: 'd', name: 'd', role: 'desk' as const, unitId: '310000', unitPath: '310000' };
  const before = present(view, desk, Date.parse('2026-11-20T23:59:59.000Z'));
  expect(before).toMatchObject({ overdue: false });
  const after = present(view, desk, Date.parse('2026-11-21T00:00:00.000Z'));
  expect(after).toMatchObject({ overdue: true, overdueSince: '2026-11-21T00:00:00.000Z', citizen: { name: '王小明' } });
  // Whoever is not named sees the citizen masked; a reporter, not at all.
  expect(present(view).citizen).toEqual({ name: '王**', phone: '138****5678' });
  const reporter = present(view, { id: 'r', name: 'r', role: 'reporter', unitId: '310000', unitPath: '310000' });
  expect(reporter.citizen).toBeUndefined();
});
