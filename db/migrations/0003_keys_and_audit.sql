CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"principal_id" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"principal_id" text NOT NULL,
	"role" text NOT NULL,
	"unit_path" text NOT NULL,
	"operation" text NOT NULL,
	"case_ids" text[] NOT NULL,
	"request_id" text,
	"ip" text
);
--> statement-breakpoint
ALTER TABLE "principals" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_principal_id_principals_id_fk" FOREIGN KEY ("principal_id") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_principal_idx" ON "api_keys" USING btree ("principal_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_principal_idx" ON "audit_log" USING btree ("principal_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_case_ids_idx" ON "audit_log" USING gin ("case_ids");--> statement-breakpoint
-- Every key issued so far becomes its principal's first key (its prefix unknown: only the hash was kept).
INSERT INTO "api_keys" ("id", "principal_id", "prefix", "key_hash", "created_at", "revoked_at")
SELECT 'key-' || "id", "id", 'bn_', "key_hash", "created_at", "revoked_at" FROM "principals";
