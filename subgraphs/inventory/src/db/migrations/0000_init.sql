CREATE TABLE `reservations` (
	`order_id` varchar(64) NOT NULL,
	`product_id` varchar(64) NOT NULL,
	`quantity` int NOT NULL,
	`state` enum('RESERVED','RELEASED','COMMITTED','REJECTED') NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `reservations_order_id_product_id_pk` PRIMARY KEY(`order_id`,`product_id`),
	CONSTRAINT `reservations_quantity_positive` CHECK(`reservations`.`quantity` > 0)
);
--> statement-breakpoint
CREATE TABLE `stock` (
	`product_id` varchar(64) NOT NULL,
	`on_hand` int NOT NULL DEFAULT 0,
	`reserved` int NOT NULL DEFAULT 0,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `stock_product_id` PRIMARY KEY(`product_id`),
	CONSTRAINT `stock_on_hand_not_negative` CHECK(`stock`.`on_hand` >= 0),
	CONSTRAINT `stock_reserved_not_negative` CHECK(`stock`.`reserved` >= 0),
	CONSTRAINT `stock_reserved_within_on_hand` CHECK(`stock`.`reserved` <= `stock`.`on_hand`)
);
--> statement-breakpoint
CREATE INDEX `reservations_product_state_idx` ON `reservations` (`product_id`,`state`);