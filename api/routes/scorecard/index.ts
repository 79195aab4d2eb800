// The scorecard and the "50 best" (创范评优): every workstation or squad of the caller's unit over a period,
// measured, scored by the formula of policy/scorecard.json and ranked; as JSON and as CSV.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { thresholdsOf, loadDutiesPolicy } from '../../../platform/duties-policy.js';
import { loadScorecardPolicy } from '../../../platform/scorecard-policy.js';
import { csvAnswer, sendCsv } from '../../exports.js';
import { errorAnswers } from '../../schemas.js';
import { type ScorecardSettings, bestOf, scorecardCsv, scorecardFor } from '../../scorecard.js';
import { bestExportSchema, bestQuerySchema, bestSchema, scorecardExportSchema, scorecardQuerySchema, scorecardSchema } from './schemas.js';

export interface ScorecardRouteOptions {
  /** By default policy/scorecard.json and policy/duties.json, read once here. */
  settings?: Partial<ScorecardSettings>;
}

const FORMULA =
  'Measures, each 0–1: dutyCompliance (weeks whose visits met the weekly duty of policy/duties.json, of the ended Shanghai weeks whose Monday lies in the period; a squad: over all its workstations), ' +
  'onTimeRate (cases closed with no stage deadline missed, of those closed or already late), solvedOnSiteRate (resolved at the squad without escalation, of the cases filed), ' +
  'satisfaction (satisfied or basically satisfied, of the rated), publicityCompliance (months in which the squad released its monthly publicity, of the ended months whose 1st lies in the period; a workstation carries its squad\'s). ' +
  'Cases are those filed in the period. score = 100 × Σ weight × measure / Σ weight over the measures present (or with a missing one as 0, by the policy\'s `missing`), to two places. ' +
  'Ranked: rows with at least `minimumCases` cases, by score, then more cases, then id. Without a period: the last month that has ended.';

const scorecard: FastifyPluginAsyncZod<ScorecardRouteOptions> = async (app, options) => {
  const settings: ScorecardSettings = {
    policy: options.settings?.policy ?? loadScorecardPolicy(),
    duty: options.settings?.duty ?? thresholdsOf(loadDutiesPolicy()),
  };
  const answers = errorAnswers(400, 401, 403, 503);
  // The city's answer holds 6,000 rows of 30 figures, all computed here from typed counts: checking them
  // against the response schema again took a quarter of a second of the answer (measured at city scale),
  // so these two routes serialise with JSON.stringify. The schema still describes them (/openapi.json),
  // and the compiler still checks the handlers' return types against it.
  const plainJson = () => (data: unknown) => JSON.stringify(data);

  app.get(
    '/v1/scorecard',
    {
      config: { access: 'scorecard.read' },
      serializerCompiler: plainJson,
      schema: {
        operationId: 'getScorecard',
        tags: ['statistics'],
        summary: 'Every workstation or squad of a unit over a period: its duty compliance, cases, on-time rate, solved on site, satisfaction, publicity, score and rank',
        description: FORMULA,
        querystring: scorecardQuerySchema,
        response: { 200: scorecardSchema, ...answers },
        answers: { 200: 'Every row of the level in the unit, ranked ones first by rank, then the unranked by score.', 400: 'A parameter is wrong or unknown, or more than one period is given.' },
      },
    },
    async (request) => scorecardFor(app.services, settings, request.principal!, request.query),
  );

  app.get(
    '/v1/scorecard/best',
    {
      config: { access: 'scorecard.read' },
      serializerCompiler: plainJson,
      schema: {
        operationId: 'getScorecardBest',
        tags: ['statistics'],
        summary: 'The "50 best" (创范评优): the first ranked workstations (or squads) of a unit over a month',
        description: `The scorecard's ranked rows up to \`limit\` (the policy's \`best\`, 50, by default). ${FORMULA}`,
        querystring: bestQuerySchema,
        response: { 200: bestSchema, ...answers },
        answers: { 200: 'The ranked rows, best first; fewer when fewer are ranked.' },
      },
    },
    async (request) => bestOf(app.services, settings, request.principal!, request.query),
  );

  const csvDoc = (operationId: string, summary: string) => ({ operationId, tags: ['statistics'], summary, produces: ['text/csv'], response: { 200: csvAnswer, ...answers } });

  app.get(
    '/v1/scorecard.csv',
    { config: { access: 'scorecard.read' }, schema: { ...csvDoc('exportScorecard', 'The scorecard as CSV: a row per workstation or squad, in the order of the JSON'), querystring: scorecardExportSchema } },
    async (request, reply) => {
      const { lang, ...q } = request.query;
      return sendCsv(reply, scorecardCsv(await scorecardFor(app.services, settings, request.principal!, q), lang));
    },
  );

  app.get(
    '/v1/scorecard/best.csv',
    { config: { access: 'scorecard.read' }, schema: { ...csvDoc('exportScorecardBest', 'The "50 best" as CSV'), querystring: bestExportSchema } },
    async (request, reply) => {
      const { lang, ...q } = request.query;
      return sendCsv(reply, scorecardCsv(await bestOf(app.services, settings, request.principal!, q), lang, 'best'));
    },
  );
};

export default scorecard;
