ALTER TABLE "principals" DROP CONSTRAINT "principals_key_hash_unique";--> statement-breakpoint
ALTER TABLE "principals" DROP COLUMN "key_hash";