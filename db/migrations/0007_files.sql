CREATE TABLE "files" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"preview_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "files_case_owner_sha256_key" ON "files" USING btree ("case_id","owner_id","sha256");--> statement-breakpoint
CREATE INDEX "files_case_idx" ON "files" USING btree ("case_id","created_at");