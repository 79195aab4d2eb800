// Smart dispatch (智能派单) in the API: the gazetteer and the phrase model built from the organisation in
// memory, the dispatch policy (policy/dispatch.json) and the lessons the last retraining left in
// PostgreSQL; rebuilt when the organisation reloads or the lessons change. Intake asks it for a suggestion
// synchronously — no query on the intake path — and whether the channel's auto-dispatch takes it.

import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import { type DispatchLesson, listDispatchLessons } from '../db/queries/dispatch.js';
import { CATEGORIES, type Category, type Channel } from '../domain/case.js';
import type { LearnedPhrase } from '../domain/dispatch/category.js';
import { type Complaint, type SuggestionParts, buildSuggester, suggest } from '../domain/dispatch/suggest.js';
import type { Suggestion } from '../domain/dispatch/types.js';
import type { DispatchPolicy } from '../platform/dispatch-policy.js';
import type { OrgDirectory } from './org.js';

/** How often the lessons are read again: a retraining reaches every API process within this. */
const LESSONS_REFRESH_MS = 60_000;

export class Dispatcher {
  private lessons: DispatchLesson[] = [];
  private lessonsVersion = 0;
  private lessonsReadAt = 0;
  private reading?: Promise<void>;
  private built?: { org: number; lessons: number; parts: SuggestionParts };

  constructor(
    private readonly db: Db,
    private readonly org: OrgDirectory,
    readonly policy: DispatchPolicy,
    private readonly log?: FastifyBaseLogger,
  ) {}

  /** Reads the lessons now (at start, and after a retraining in the same process); a failure keeps the last ones. */
  async reloadLessons(): Promise<void> {
    this.reading ??= listDispatchLessons(this.db)
      .then((lessons) => {
        this.lessons = lessons;
        this.lessonsVersion += 1;
      })
      .catch((err: unknown) => this.log?.warn({ err }, 'smart dispatch: the lessons could not be read; the last ones stay in use'))
      .finally(() => {
        this.lessonsReadAt = Date.now();
        this.reading = undefined;
      });
    return this.reading;
  }

  /** The suggestion for a complaint as filed. Never waits: stale lessons are refreshed in the background. */
  suggest(complaint: Complaint): Suggestion {
    if (Date.now() - this.lessonsReadAt > LESSONS_REFRESH_MS) void this.reloadLessons();
    return suggest(complaint, this.parts());
  }

  /** The system's own triage, when the channel's auto-dispatch is on and the suggestion is sure enough of a workstation. */
  autoDispatchOf(channel: Channel, s: Suggestion): { category: Category; workstationId: string; confidence: number } | undefined {
    const { channels, threshold } = this.policy.autoDispatch;
    if (!channels.includes(channel) || s.confidence < threshold || !s.workstationId || s.category === 'other') return undefined;
    return { category: s.category, workstationId: s.workstationId, confidence: s.confidence };
  }

  private parts(): SuggestionParts {
    const built = this.built;
    if (built && built.org === this.org.version && built.lessons === this.lessonsVersion) return built.parts;
    const parts = this.build();
    this.built = { org: this.org.version, lessons: this.lessonsVersion, parts };
    return parts;
  }

  private build(): SuggestionParts {
    const units = this.org.allUnits();
    const stations = this.org.allWorkstations();
    const squadStreet = new Map(stations.map((w) => [w.squadId, w.street]));
    const organisation = {
      districts: units.filter((u) => u.kind === 'district').map((u) => ({ id: u.id, name: u.name })),
      squads: units
        .filter((u) => u.kind === 'squad' && u.parentId && squadStreet.has(u.id))
        .map((u) => ({ id: u.id, districtId: u.parentId!, street: squadStreet.get(u.id)! })),
      workstations: stations.map((w) => ({ id: w.id, squadId: w.squadId, name: w.name, fullName: w.fullName })),
      learned: this.lessons.filter((l) => l.kind === 'place').map((l) => ({ key: l.key, workstationId: l.target, support: l.support })),
    };
    const phrases: LearnedPhrase[] = this.lessons
      .filter((l) => l.kind === 'phrase' && (CATEGORIES as readonly string[]).includes(l.target))
      .map((l) => ({ category: l.target as Category, phrase: l.key, weight: l.weight, support: l.support }));
    return buildSuggester(organisation, this.policy, phrases);
  }
}
