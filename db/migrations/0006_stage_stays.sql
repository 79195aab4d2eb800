-- Stage times without a window over every timeline: each event that leaves a state carries the seconds
-- the case spent in it. A trigger sets it at insert, whoever writes the event (the projection, a backfill,
-- a test), from the event that moved the case into that state; existing events are filled in below.
ALTER TABLE "case_events" ADD COLUMN "stay_seconds" double precision;--> statement-breakpoint
CREATE FUNCTION "case_events_stay"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.from_state IS NOT NULL AND NEW.from_state IS DISTINCT FROM NEW.to_state THEN
    SELECT extract(epoch FROM NEW.at - p.at) INTO NEW.stay_seconds
    FROM case_events p
    WHERE p.case_id = NEW.case_id AND p.seq < NEW.seq AND p.from_state IS DISTINCT FROM p.to_state
    ORDER BY p.seq DESC
    LIMIT 1;
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "case_events_stay" BEFORE INSERT ON "case_events" FOR EACH ROW EXECUTE FUNCTION "case_events_stay"();--> statement-breakpoint
UPDATE "case_events" e SET "stay_seconds" = extract(epoch FROM e.at - m.entered_at)
FROM (
  SELECT case_id, seq, lag(at) OVER (PARTITION BY case_id ORDER BY seq) AS entered_at
  FROM case_events
  WHERE from_state IS DISTINCT FROM to_state
) m
WHERE e.case_id = m.case_id AND e.seq = m.seq AND e.from_state IS NOT NULL AND m.entered_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "case_events_stays_idx" ON "case_events" USING btree ("case_id","from_state","stay_seconds") WHERE "case_events"."stay_seconds" is not null;
