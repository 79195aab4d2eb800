// Fills the read model with `count` cases spread over every squad of the seed, one in ten overdue,
// in one INSERT … SELECT: the supervisor-list benchmark needs city scale, not the workflows behind it.

import type postgres from 'postgres';

export async function seedCases(sql: postgres.Sql, count: number): Promise<void> {
  await sql`
    with squads as (
      select id, path, parent_id, row_number() over (order by id) - 1 as rn, count(*) over () as total
      from units where kind = 'squad'
    ),
    gen as (
      select g as i,
             (array['triage','dispatched','investigating','escalated','resolved'])[1 + g % 5] as state,
             g % 10 = 0 as overdue,
             now() - interval '30 days' + (g % 43200) * interval '1 minute' as created,
             case when g % 10 = 0 then now() - (g % 5000) * interval '1 minute' else now() + (g % 5000) * interval '1 minute' end as deadline
      from generate_series(1, ${count}) g
    ),
    rows as (
      select 'seed' || lpad(i::text, 12, '0') as id, 'BS' || lpad(i::text, 10, '0') as tracking, gen.*, s.id as squad_id, s.path as squad_path, s.parent_id as district_id
      from gen join squads s on s.rn = gen.i % s.total
    )
    insert into cases (id, tracking_code, channel, external_id, title, category, urgent, state, stage, deadline_at, overdue, overdue_since,
                       escalation_level, district_id, squad_id, assigned_unit_id, assigned_unit_path, media_status, view, created_at, updated_at, version)
    select id, tracking, 'hotline', 'seed-' || i, '噪音扰民 ' || i, 'night_construction_noise', false, state, 'investigation', deadline, overdue,
           case when overdue then deadline end, 'squad', district_id, squad_id, squad_id, squad_path, 'not_applicable',
           jsonb_build_object(
             'id', id, 'trackingCode', tracking, 'channel', 'hotline', 'externalId', 'seed-' || i, 'title', '噪音扰民 ' || i,
             'description', '夜间施工', 'category', 'night_construction_noise', 'urgent', false,
             'location', jsonb_build_object('address', '上海市'), 'attachments', '[]'::jsonb,
             'state', state, 'stage', 'investigation', 'deadlineAt', to_char(deadline at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'overdue', overdue, 'escalationLevel', 'squad', 'squadPath', squad_path, 'assignedUnitPath', squad_path,
             'arrived', false, 'evidenceCount', 0, 'supplementCount', 0,
             'media', jsonb_build_object('status', 'not_applicable', 'accompany', 'none', 'overdue', false),
             'answered', false, 'reopenCount', 0,
             'createdAt', to_char(created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'updatedAt', to_char(created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'version', 3),
           created, created, 3
    from rows
    on conflict (id) do nothing`;
  await sql`analyze cases`;
}
