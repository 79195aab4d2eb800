CREATE TABLE "duty_shortfalls" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"squad_id" text NOT NULL,
	"district_id" text NOT NULL,
	"unit_path" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"details" jsonb NOT NULL,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "duty_visits" (
	"id" text PRIMARY KEY NOT NULL,
	"officer_id" text NOT NULL,
	"workstation_id" text NOT NULL,
	"squad_id" text NOT NULL,
	"district_id" text NOT NULL,
	"unit_path" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"minutes" integer NOT NULL,
	"activities" jsonb NOT NULL,
	"note" text,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "publicity_events" (
	"item_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"actor" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"payload" jsonb NOT NULL,
	CONSTRAINT "publicity_events_item_id_seq_pk" PRIMARY KEY("item_id","seq")
);
--> statement-breakpoint
CREATE TABLE "publicity_items" (
	"id" text PRIMARY KEY NOT NULL,
	"squad_id" text NOT NULL,
	"district_id" text NOT NULL,
	"unit_path" text NOT NULL,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"review_level" text,
	"deadline_at" timestamp with time zone,
	"overdue" boolean DEFAULT false NOT NULL,
	"view" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"taken_down_at" timestamp with time zone,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "duty_shortfalls_kind_subject_period_key" ON "duty_shortfalls" USING btree ("kind","subject_id","period_start");--> statement-breakpoint
CREATE INDEX "duty_shortfalls_squad_period_idx" ON "duty_shortfalls" USING btree ("squad_id","period_start");--> statement-breakpoint
CREATE INDEX "duty_shortfalls_district_period_idx" ON "duty_shortfalls" USING btree ("district_id","period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "duty_visits_officer_idempotency_key" ON "duty_visits" USING btree ("officer_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "duty_visits_workstation_started_idx" ON "duty_visits" USING btree ("workstation_id","started_at");--> statement-breakpoint
CREATE INDEX "duty_visits_squad_started_idx" ON "duty_visits" USING btree ("squad_id","started_at");--> statement-breakpoint
CREATE INDEX "duty_visits_district_started_idx" ON "duty_visits" USING btree ("district_id","started_at");--> statement-breakpoint
CREATE INDEX "publicity_items_squad_created_idx" ON "publicity_items" USING btree ("squad_id","created_at");--> statement-breakpoint
CREATE INDEX "publicity_items_state_deadline_idx" ON "publicity_items" USING btree ("state","deadline_at");--> statement-breakpoint
CREATE INDEX "publicity_items_released_idx" ON "publicity_items" USING btree ("squad_id","released_at");