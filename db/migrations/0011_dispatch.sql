CREATE TABLE "dispatch_lessons" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"target" text NOT NULL,
	"weight" double precision NOT NULL,
	"support" integer NOT NULL,
	"learned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dispatch_lessons_kind_key_target_pk" PRIMARY KEY("kind","key","target")
);
--> statement-breakpoint
CREATE INDEX "case_events_triage_at_idx" ON "case_events" USING btree ("at") WHERE "case_events"."type" in ('triage', 'joint_decision');