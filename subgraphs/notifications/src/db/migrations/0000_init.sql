CREATE TABLE `notifications` (
	`id` varchar(36) NOT NULL,
	`user_id` varchar(64) NOT NULL,
	`type` varchar(40) NOT NULL,
	`title` varchar(200) NOT NULL,
	`body` text NOT NULL,
	`order_id` varchar(64),
	`event_id` varchar(36) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`read_at` datetime(3),
	`delivery_status` enum('PENDING','SENT','FAILED') NOT NULL DEFAULT 'PENDING',
	`delivery_attempts` int NOT NULL DEFAULT 0,
	`next_delivery_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`delivery_claim` varchar(36),
	`delivered_at` datetime(3),
	`last_delivery_error` varchar(500),
	CONSTRAINT `notifications_id` PRIMARY KEY(`id`),
	CONSTRAINT `notifications_event_unique` UNIQUE(`event_id`)
);
--> statement-breakpoint
CREATE TABLE `order_owners` (
	`order_id` varchar(64) NOT NULL,
	`user_id` varchar(64) NOT NULL,
	`learned_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `order_owners_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE INDEX `notifications_inbox_idx` ON `notifications` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_delivery_idx` ON `notifications` (`delivery_status`,`next_delivery_at`);--> statement-breakpoint
CREATE INDEX `notifications_claim_idx` ON `notifications` (`delivery_claim`);