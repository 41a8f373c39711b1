CREATE TABLE `outbox` (
	`seq` bigint unsigned AUTO_INCREMENT NOT NULL,
	`event_id` varchar(36) NOT NULL,
	`topic` varchar(200) NOT NULL,
	`event_key` varchar(200) NOT NULL,
	`event_type` varchar(100) NOT NULL,
	`envelope` longtext NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`sent_at` datetime(3),
	`attempts` int NOT NULL DEFAULT 0,
	`last_error` text,
	CONSTRAINT `outbox_seq` PRIMARY KEY(`seq`),
	CONSTRAINT `outbox_event_id_unique` UNIQUE(`event_id`)
);
--> statement-breakpoint
CREATE TABLE `processed_events` (
	`consumer` varchar(100) NOT NULL,
	`event_id` varchar(36) NOT NULL,
	`processed_at` datetime(3) NOT NULL,
	CONSTRAINT `processed_events_consumer_event_id_pk` PRIMARY KEY(`consumer`,`event_id`)
);
--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`sent_at`,`seq`);