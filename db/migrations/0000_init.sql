CREATE TABLE "case_events" (
	"case_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"actor" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"payload" jsonb NOT NULL,
	CONSTRAINT "case_events_case_id_seq_pk" PRIMARY KEY("case_id","seq")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" text PRIMARY KEY NOT NULL,
	"tracking_code" text NOT NULL,
	"channel" text NOT NULL,
	"external_id" text,
	"title" text NOT NULL,
	"category" text,
	"urgent" boolean NOT NULL,
	"state" text NOT NULL,
	"outcome" text,
	"stage" text,
	"deadline_at" timestamp with time zone,
	"overdue" boolean NOT NULL,
	"overdue_since" timestamp with time zone,
	"escalation_level" text NOT NULL,
	"district_id" text,
	"squad_id" text,
	"assigned_unit_id" text NOT NULL,
	"assigned_unit_path" text NOT NULL,
	"assigned_officer_id" text,
	"workstation_id" text,
	"media_status" text NOT NULL,
	"rating" text,
	"view" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"recipient" text NOT NULL,
	"to" text NOT NULL,
	"kind" text NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"sender" text
);
--> statement-breakpoint
CREATE TABLE "principals" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"unit_id" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "principals_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"parent_id" text,
	"path" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"full_name" text NOT NULL,
	"kind" text NOT NULL,
	"district" text NOT NULL,
	"street" text NOT NULL,
	"squad_id" text NOT NULL,
	"pilot_seq" integer
);
--> statement-breakpoint
ALTER TABLE "principals" ADD CONSTRAINT "principals_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstations" ADD CONSTRAINT "workstations_squad_id_units_id_fk" FOREIGN KEY ("squad_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_tracking_code_key" ON "cases" USING btree ("tracking_code");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_channel_external_id_key" ON "cases" USING btree ("channel","external_id");--> statement-breakpoint
CREATE INDEX "cases_overdue_district_idx" ON "cases" USING btree ("district_id","deadline_at","id") WHERE "cases"."overdue";--> statement-breakpoint
CREATE INDEX "cases_overdue_squad_idx" ON "cases" USING btree ("squad_id","deadline_at","id") WHERE "cases"."overdue";--> statement-breakpoint
CREATE INDEX "cases_overdue_idx" ON "cases" USING btree ("deadline_at","id") WHERE "cases"."overdue";--> statement-breakpoint
CREATE INDEX "cases_state_idx" ON "cases" USING btree ("state","deadline_at");--> statement-breakpoint
CREATE INDEX "cases_created_idx" ON "cases" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "notifications_case_idx" ON "notifications" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "notifications_unsent_idx" ON "notifications" USING btree ("created_at") WHERE "notifications"."sent_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "units_path_key" ON "units" USING btree ("path");--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "units" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "workstations_squad_idx" ON "workstations" USING btree ("squad_id");--> statement-breakpoint
CREATE INDEX "workstations_district_street_idx" ON "workstations" USING btree ("district","street");