CREATE TABLE `shipment_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`shipment_id` varchar(36) NOT NULL,
	`status` enum('LABEL_CREATED','IN_TRANSIT','DELIVERED') NOT NULL,
	`at` datetime(3) NOT NULL,
	CONSTRAINT `shipment_events_id` PRIMARY KEY(`id`),
	CONSTRAINT `shipment_events_status_unique` UNIQUE(`shipment_id`,`status`)
);
--> statement-breakpoint
CREATE TABLE `shipments` (
	`id` varchar(36) NOT NULL,
	`order_id` varchar(64) NOT NULL,
	`user_id` varchar(64) NOT NULL,
	`method_code` varchar(64) NOT NULL,
	`carrier` varchar(50) NOT NULL,
	`tracking_number` varchar(40) NOT NULL,
	`status` enum('LABEL_CREATED','IN_TRANSIT','DELIVERED') NOT NULL,
	`ship_to` text NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `shipments_id` PRIMARY KEY(`id`),
	CONSTRAINT `shipments_order_unique` UNIQUE(`order_id`),
	CONSTRAINT `shipments_tracking_unique` UNIQUE(`tracking_number`)
);
--> statement-breakpoint
CREATE TABLE `shipping_methods` (
	`code` varchar(32) NOT NULL,
	`name` varchar(100) NOT NULL,
	`carrier` varchar(50) NOT NULL,
	`position` int NOT NULL DEFAULT 0,
	CONSTRAINT `shipping_methods_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE TABLE `shipping_rates` (
	`method_code` varchar(32) NOT NULL,
	`zone` enum('DOMESTIC','INTERNATIONAL') NOT NULL,
	`price_amount` int NOT NULL,
	`currency` char(3) NOT NULL,
	`estimated_days` int NOT NULL,
	CONSTRAINT `shipping_rates_method_code_zone_pk` PRIMARY KEY(`method_code`,`zone`),
	CONSTRAINT `shipping_rates_price_not_negative` CHECK(`shipping_rates`.`price_amount` >= 0),
	CONSTRAINT `shipping_rates_days_positive` CHECK(`shipping_rates`.`estimated_days` > 0)
);
--> statement-breakpoint
CREATE TABLE `shipping_zone_countries` (
	`country` char(2) NOT NULL,
	`zone` enum('DOMESTIC','INTERNATIONAL') NOT NULL,
	CONSTRAINT `shipping_zone_countries_country` PRIMARY KEY(`country`)
);
--> statement-breakpoint
ALTER TABLE `shipment_events` ADD CONSTRAINT `shipment_events_shipment_id_shipments_id_fk` FOREIGN KEY (`shipment_id`) REFERENCES `shipments`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `shipping_rates` ADD CONSTRAINT `shipping_rates_method_code_shipping_methods_code_fk` FOREIGN KEY (`method_code`) REFERENCES `shipping_methods`(`code`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `shipment_events_at_idx` ON `shipment_events` (`shipment_id`,`at`);