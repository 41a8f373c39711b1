CREATE TABLE `known_orders` (
	`order_id` varchar(64) NOT NULL,
	`user_id` varchar(64) NOT NULL,
	`cancelled_at` datetime(3),
	`cancellation_reason` varchar(32),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `known_orders_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE TABLE `payments` (
	`id` varchar(36) NOT NULL,
	`order_id` varchar(64) NOT NULL,
	`user_id` varchar(64) NOT NULL,
	`status` enum('PENDING','SUCCEEDED','FAILED','REFUNDED') NOT NULL,
	`amount` int NOT NULL,
	`currency` char(3) NOT NULL,
	`provider` varchar(32) NOT NULL,
	`authorisation_id` varchar(100),
	`capture_id` varchar(100),
	`refund_id` varchar(100),
	`failure_reason` varchar(64),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`settled_at` datetime(3),
	`refunded_at` datetime(3),
	CONSTRAINT `payments_id` PRIMARY KEY(`id`),
	CONSTRAINT `payments_order_unique` UNIQUE(`order_id`)
);
--> statement-breakpoint
CREATE TABLE `simulated_provider_calls` (
	`idempotency_key` varchar(191) NOT NULL,
	`operation` enum('authorise','capture','refund') NOT NULL,
	`request` text NOT NULL,
	`ok` boolean NOT NULL,
	`reference` varchar(100),
	`parent_reference` varchar(100),
	`amount` int NOT NULL,
	`currency` char(3) NOT NULL,
	`reason` varchar(64),
	`replays` int NOT NULL DEFAULT 0,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `simulated_provider_calls_idempotency_key` PRIMARY KEY(`idempotency_key`)
);
--> statement-breakpoint
CREATE INDEX `payments_status_idx` ON `payments` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `simulated_calls_reference_idx` ON `simulated_provider_calls` (`reference`);--> statement-breakpoint
CREATE INDEX `simulated_calls_parent_idx` ON `simulated_provider_calls` (`parent_reference`,`operation`);