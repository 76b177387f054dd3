CREATE TABLE `account_deletions` (
	`user_id` varchar(36) NOT NULL,
	`deleted_at` datetime(3) NOT NULL,
	`pending` varchar(255) NOT NULL,
	`completed_at` datetime(3),
	`attempts` int NOT NULL DEFAULT 0,
	`last_error` varchar(500),
	`next_attempt_at` datetime(3) NOT NULL,
	CONSTRAINT `account_deletions_user_id` PRIMARY KEY(`user_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
--> statement-breakpoint
CREATE INDEX `account_deletions_due_idx` ON `account_deletions` (`completed_at`,`next_attempt_at`);