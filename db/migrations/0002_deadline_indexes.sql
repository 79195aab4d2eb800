DROP INDEX "cases_overdue_district_idx";--> statement-breakpoint
DROP INDEX "cases_overdue_squad_idx";--> statement-breakpoint
DROP INDEX "cases_overdue_idx";--> statement-breakpoint
CREATE INDEX "cases_district_deadline_idx" ON "cases" USING btree ("district_id","deadline_at","id");--> statement-breakpoint
CREATE INDEX "cases_squad_deadline_idx" ON "cases" USING btree ("squad_id","deadline_at","id");--> statement-breakpoint
CREATE INDEX "cases_deadline_idx" ON "cases" USING btree ("deadline_at","id");