CREATE TABLE "dead_letters" (
	"notification_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"sender" text NOT NULL,
	"unit_path" text NOT NULL,
	"error" text NOT NULL,
	"attempts" integer NOT NULL,
	"first_attempt_at" timestamp with time zone NOT NULL,
	"dead_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redelivery_attempts" integer DEFAULT 0 NOT NULL,
	"last_tried_at" timestamp with time zone,
	"redelivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "dead_letters_waiting_idx" ON "dead_letters" USING btree ("dead_at","notification_id") WHERE "dead_letters"."redelivered_at" is null;--> statement-breakpoint
CREATE INDEX "dead_letters_case_idx" ON "dead_letters" USING btree ("case_id");