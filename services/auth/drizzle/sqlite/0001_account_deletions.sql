CREATE TABLE `account_deletions` (
	`user_id` text PRIMARY KEY NOT NULL,
	`deleted_at` integer NOT NULL,
	`pending` text NOT NULL,
	`completed_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `account_deletions_due_idx` ON `account_deletions` (`completed_at`,`next_attempt_at`);