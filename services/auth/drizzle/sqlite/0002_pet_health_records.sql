CREATE TABLE `pet_health_entries` (
	`entry_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`pet_id` text NOT NULL,
	`kind` text NOT NULL,
	`recorded_on` text,
	`due_on` text,
	`details` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`user_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`pet_id`) REFERENCES `pets`(`pet_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pet_health_entries_pet_idx` ON `pet_health_entries` (`user_id`,`pet_id`,`recorded_on`);--> statement-breakpoint
CREATE INDEX `pet_health_entries_due_idx` ON `pet_health_entries` (`user_id`,`due_on`);