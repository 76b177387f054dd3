CREATE TABLE `pet_health_entries` (
	`entry_id` varchar(36) NOT NULL,
	`user_id` varchar(36) NOT NULL,
	`pet_id` varchar(36) NOT NULL,
	`kind` varchar(16) NOT NULL,
	`recorded_on` varchar(10),
	`due_on` varchar(10),
	`details` json NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `pet_health_entries_entry_id` PRIMARY KEY(`entry_id`)
);
--> statement-breakpoint
ALTER TABLE `pet_health_entries` ADD CONSTRAINT `pet_health_entries_user_id_users_user_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`user_id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `pet_health_entries` ADD CONSTRAINT `pet_health_entries_pet_id_pets_pet_id_fk` FOREIGN KEY (`pet_id`) REFERENCES `pets`(`pet_id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `pet_health_entries_pet_idx` ON `pet_health_entries` (`user_id`,`pet_id`,`recorded_on`);--> statement-breakpoint
CREATE INDEX `pet_health_entries_due_idx` ON `pet_health_entries` (`user_id`,`due_on`);