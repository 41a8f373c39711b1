CREATE TABLE `promotions` (
	`code` varchar(32) NOT NULL,
	`kind` enum('PERCENT','FIXED_AMOUNT') NOT NULL,
	`value` int NOT NULL,
	`currency` char(3) NOT NULL,
	`min_subtotal` int,
	`usage_limit` int,
	`per_customer_limit` int,
	`times_used` int NOT NULL DEFAULT 0,
	`starts_at` datetime(3),
	`ends_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `promotions_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE TABLE `redemptions` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`order_id` varchar(64) NOT NULL,
	`code` varchar(32),
	`user_id` varchar(64),
	`discount` int NOT NULL DEFAULT 0,
	`currency` char(3),
	`state` enum('ACTIVE','RELEASED') NOT NULL,
	`redeemed_at` datetime(3),
	`released_at` datetime(3),
	CONSTRAINT `redemptions_id` PRIMARY KEY(`id`),
	CONSTRAINT `redemptions_order_unique` UNIQUE(`order_id`)
);
--> statement-breakpoint
CREATE INDEX `redemptions_code_state_user_idx` ON `redemptions` (`code`,`state`,`user_id`);