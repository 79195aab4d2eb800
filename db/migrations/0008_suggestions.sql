CREATE TABLE "suggestions" (
	"id" text PRIMARY KEY NOT NULL,
	"tracking_code" text NOT NULL,
	"channel" text NOT NULL,
	"external_id" text,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"deadline_at" timestamp with time zone,
	"overdue" boolean NOT NULL,
	"unit_id" text NOT NULL,
	"unit_path" text NOT NULL,
	"district_id" text,
	"squad_id" text,
	"workstation_id" text,
	"view" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"lapsed_at" timestamp with time zone,
	"version" integer NOT NULL,
	"projected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "suggestions_tracking_code_key" ON "suggestions" USING btree ("tracking_code");--> statement-breakpoint
CREATE UNIQUE INDEX "suggestions_channel_external_id_key" ON "suggestions" USING btree ("channel","external_id");--> statement-breakpoint
CREATE INDEX "suggestions_district_deadline_idx" ON "suggestions" USING btree ("district_id","deadline_at","id");--> statement-breakpoint
CREATE INDEX "suggestions_squad_deadline_idx" ON "suggestions" USING btree ("squad_id","deadline_at","id");--> statement-breakpoint
CREATE INDEX "suggestions_deadline_idx" ON "suggestions" USING btree ("deadline_at","id");--> statement-breakpoint
CREATE INDEX "suggestions_state_idx" ON "suggestions" USING btree ("state","deadline_at");