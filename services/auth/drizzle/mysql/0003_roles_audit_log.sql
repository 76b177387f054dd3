CREATE TABLE `audit_log` (
	`audit_id` varchar(36) NOT NULL,
	`at` datetime(3) NOT NULL,
	`actor_user_id` varchar(36),
	`actor` varchar(254) NOT NULL,
	`action` varchar(32) NOT NULL,
	`target` varchar(500),
	`detail` text NOT NULL,
	`client_ip` varchar(100),
	`client_user_agent` varchar(500),
	CONSTRAINT `audit_log_audit_id` PRIMARY KEY(`audit_id`)
);
--> statement-breakpoint
ALTER TABLE `users` ADD `role` varchar(16) DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `last_sign_in_at` datetime(3);--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`at`);--> statement-breakpoint
CREATE INDEX `users_role_idx` ON `users` (`role`,`disabled`);