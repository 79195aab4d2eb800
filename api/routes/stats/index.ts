// Statistics: counts and times of the cases filed in a period, by one dimension, within the caller's unit.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorAnswers } from '../../schemas.js';
import { dashboardMatrix, dashboardOverview, dashboardSatisfaction, dashboardTrend, statsFor } from '../../stats.js';
import {
  matrixQuerySchema,
  matrixSchema,
  overviewQuerySchema,
  overviewSchema,
  satisfactionQuerySchema,
  satisfactionSchema,
  statsQuerySchema,
  statsSchema,
  trendQuerySchema,
  trendSchema,
  matrixExportSchema,
  overviewExportSchema,
  satisfactionExportSchema,
  trendExportSchema,
} from './schemas.js';
import { csvAnswer, matrixCsv, overviewCsv, satisfactionCsv, sendCsv, trendCsv } from '../../exports.js';

const stats: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/stats',
    {
      config: { access: 'stats.read' },
      schema: {
        operationId: 'getStats',
        tags: ['statistics'],
        summary: 'Counts and times of cases filed in a period, by one dimension',
        description: 'overdue: stage deadline passed now; resolvedAtSquad: resolved without escalation; avgHoursToResolution: filing to resolution.',
        querystring: statsQuerySchema,
        response: { 200: statsSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'One group per value of the dimension, largest first.' },
      },
    },
    async (request) => statsFor(app.services, request.principal!, request.query),
  );

  // The supervisors' dashboard: every view takes unit, category, channel and the period of filing.
  const answers = errorAnswers(400, 401, 403, 503);

  app.get(
    '/v1/stats/overview',
    {
      config: { access: 'stats.read' },
      schema: {
        operationId: 'getStatsOverview',
        tags: ['statistics'],
        summary: 'How cases ended, the overdue rate, and the time spent in each stage',
        description: 'Shares are of all cases filed; overdueRate is of the open ones, now. Stage times run from entering a state to leaving it (from the timeline), over the stays that ended: median and 90th percentile, in hours.',
        querystring: overviewQuerySchema,
        response: { 200: overviewSchema, ...answers },
        answers: { 200: 'The figures over the cases in scope; stages in lifecycle order.' },
      },
    },
    async (request) => dashboardOverview(app.services, request.principal!, request.query),
  );

  app.get(
    '/v1/stats/matrix',
    {
      config: { access: 'stats.read' },
      schema: {
        operationId: 'getStatsMatrix',
        tags: ['statistics'],
        summary: 'Counts by two dimensions: a heat table',
        description: 'rows: district, squad, category or channel; cols: category, channel or week (Shanghai weeks, Monday first). One cell per pair with cases.',
        querystring: matrixQuerySchema,
        response: { 200: matrixSchema, ...answers },
        answers: { 200: 'The cells, by row then column; unknown keys (null) last.' },
      },
    },
    async (request) => dashboardMatrix(app.services, request.principal!, request.query),
  );

  app.get(
    '/v1/stats/satisfaction',
    {
      config: { access: 'stats.read' },
      schema: {
        operationId: 'getStatsSatisfaction',
        tags: ['statistics'],
        summary: "Citizens' ratings by district or squad",
        description: 'satisfaction: satisfied or basically satisfied, of the rated; ratedShare: rated, of the closed.',
        querystring: satisfactionQuerySchema,
        response: { 200: satisfactionSchema, ...answers },
        answers: { 200: 'One group per unit, by id; cases not yet placed (null) last.' },
      },
    },
    async (request) => dashboardSatisfaction(app.services, request.principal!, request.query),
  );

  app.get(
    '/v1/stats/trend',
    {
      config: { access: 'stats.read' },
      schema: {
        operationId: 'getStatsTrend',
        tags: ['statistics'],
        summary: 'Counts and satisfaction week by week around a date: before and after a campaign',
        description: 'The `weeks` Shanghai weeks before the week of `around`, and `weeks` weeks from it on, each with its count and ratings; before and after summed, and the change.',
        querystring: trendQuerySchema,
        response: { 200: trendSchema, ...answers },
        answers: { 200: 'Every week of the window, empty ones with zeros.' },
      },
    },
    async (request) => dashboardTrend(app.services, request.principal!, request.query),
  );

  // The same views as CSV files, for a spreadsheet: the query of the view, and the language of the file.
  const csvDoc = (operationId: string, summary: string) => ({
    operationId,
    tags: ['statistics'],
    summary,
    produces: ['text/csv'],
    response: { 200: csvAnswer, ...answers },
  });

  app.get(
    '/v1/stats/overview.csv',
    { config: { access: 'stats.read' }, schema: { ...csvDoc('exportStatsOverview', 'The overview as CSV: a row per figure, then a row per stage'), querystring: overviewExportSchema } },
    async (request, reply) => {
      const { lang, ...q } = request.query;
      return sendCsv(reply, overviewCsv(await dashboardOverview(app.services, request.principal!, q), lang));
    },
  );

  app.get(
    '/v1/stats/matrix.csv',
    { config: { access: 'stats.read' }, schema: { ...csvDoc('exportStatsMatrix', 'The heat table as CSV: a row per row value, a column per column value, and the total'), querystring: matrixExportSchema } },
    async (request, reply) => {
      const { lang, ...q } = request.query;
      return sendCsv(reply, matrixCsv(app.services, await dashboardMatrix(app.services, request.principal!, q), lang));
    },
  );

  app.get(
    '/v1/stats/satisfaction.csv',
    { config: { access: 'stats.read' }, schema: { ...csvDoc('exportStatsSatisfaction', 'Ratings by unit as CSV'), querystring: satisfactionExportSchema } },
    async (request, reply) => {
      const { lang, ...q } = request.query;
      return sendCsv(reply, satisfactionCsv(app.services, await dashboardSatisfaction(app.services, request.principal!, q), lang));
    },
  );

  app.get(
    '/v1/stats/trend.csv',
    { config: { access: 'stats.read' }, schema: { ...csvDoc('exportStatsTrend', 'The weeks around a date as CSV, then before, after and the change'), querystring: trendExportSchema } },
    async (request, reply) => {
      const { lang, ...q } = request.query;
      return sendCsv(reply, trendCsv(await dashboardTrend(app.services, request.principal!, q), lang));
    },
  );
};

export default stats;
