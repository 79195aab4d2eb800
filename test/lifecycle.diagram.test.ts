// The README's state diagram is the one the lifecycle table draws: a change to the table that is not
// drawn (or a hand edit of the picture) fails here. `npm run diagram` writes the current one.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../platform/config.js';
import { lifecycleDiagram, withDiagram } from '../workflows/diagram.js';
import { STATES } from '../domain/case.js';
import { ACTION_TYPES } from '../workflows/lifecycle.js';

it('When the lifecycle table changes, then the README shows the diagram it draws', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  expect(withDiagram(readme), 'the README diagram is stale: run `npm run diagram`').toBe(readme);
  const drawn = lifecycleDiagram();
  // Every state appears, and every action either moves a case somewhere or is listed as taken in place.
  for (const state of STATES) expect(drawn).toMatch(new RegExp(`\\b${state} -->`));
  for (const type of ACTION_TYPES) expect(drawn).toContain(type);
});
