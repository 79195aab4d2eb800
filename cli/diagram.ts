// `npm run diagram`: writes the lifecycle diagram, drawn from workflows/lifecycle.ts, into the README.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withDiagram } from '../workflows/diagram.js';
import { REPO_ROOT } from '../platform/config.js';

const readme = path.join(REPO_ROOT, 'README.md');
const before = readFileSync(readme, 'utf8');
const after = withDiagram(before);
writeFileSync(readme, after);
console.log(before === after ? 'README.md: the lifecycle diagram was already current' : 'README.md: lifecycle diagram written');
