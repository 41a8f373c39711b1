CREATE TABLE `order_items` (
	`order_id` varchar(36) NOT NULL,
	`line_no` int NOT NULL,
	`product_id` varchar(64) NOT NULL,
	`quantity` int NOT NULL,
	`unit_price` int NOT NULL,
	`line_total` int NOT NULL,
	`line_discount` int NOT NULL,
	`line_tax` int NOT NULL,
	CONSTRAINT `order_items_order_id_line_no_pk` PRIMARY KEY(`order_id`,`line_no`)
);
--> statement-breakpoint
CREATE TABLE `order_status_history` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`order_id` varchar(36) NOT NULL,
	`status` enum('PENDING','CONFIRMED','PAID','SHIPPED','DELIVERED','CANCELLED','REFUNDED') NOT NULL,
	`at` datetime(3) NOT NULL,
	CONSTRAINT `order_status_history_id` PRIMARY KEY(`id`),
	CONSTRAINT `order_status_history_once` UNIQUE(`order_id`,`status`)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` varchar(36) NOT NULL,
	`user_id` varchar(36) NOT NULL,
	`status` enum('PENDING','CONFIRMED','PAID','SHIPPED','DELIVERED','CANCELLED','REFUNDED') NOT NULL,
	`cancellation_reason` varchar(32),
	`currency` char(3) NOT NULL,
	`subtotal` int NOT NULL,
	`discount` int NOT NULL,
	`tax` int NOT NULL,
	`shipping_cost` int NOT NULL,
	`total` int NOT NULL,
	`coupon_code` varchar(64),
	`payment_token` varchar(200) NOT NULL,
	`ship_line1` varchar(200) NOT NULL,
	`ship_line2` varchar(200),
	`ship_city` varchar(100) NOT NULL,
	`ship_region` varchar(100),
	`ship_postal_code` varchar(20) NOT NULL,
	`ship_country` char(2) NOT NULL,
	`shipping_method` varchar(64) NOT NULL,
	`idempotency_key` varchar(100),
	`placed_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `orders_id` PRIMARY KEY(`id`),
	CONSTRAINT `orders_user_idempotency_unique` UNIQUE(`user_id`,`idempotency_key`)
);
--> statement-breakpoint
ALTER TABLE `order_items` ADD CONSTRAINT `order_items_order_id_orders_id_fk` FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `order_status_history` ADD CONSTRAINT `order_status_history_order_id_orders_id_fk` FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `orders_user_placed_idx` ON `orders` (`user_id`,`placed_at`,`id`);