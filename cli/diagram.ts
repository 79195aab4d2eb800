// `npm run diagram`: writes what the README draws from the code — the lifecycle diagram (from
// workflows/lifecycle.ts) and the authorisation table (from domain/access.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withAccessTable } from '../domain/access-table.js';
import { withDiagram } from '../workflows/diagram.js';
import { REPO_ROOT } from '../platform/config.js';

const readme = path.join(REPO_ROOT, 'README.md');
const before = readFileSync(readme, 'utf8');
const after = withAccessTable(withDiagram(before));
writeFileSync(readme, after);
console.log(before === after ? 'README.md: the lifecycle diagram and the authorisation table were already current' : 'README.md: lifecycle diagram and authorisation table written');
