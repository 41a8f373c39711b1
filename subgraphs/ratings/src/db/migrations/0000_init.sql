CREATE TABLE `purchases` (
	`user_id` varchar(64) NOT NULL,
	`product_id` varchar(64) NOT NULL,
	`order_id` varchar(64) NOT NULL,
	`delivered_at` datetime(3) NOT NULL,
	CONSTRAINT `purchases_user_id_product_id_pk` PRIMARY KEY(`user_id`,`product_id`)
);
--> statement-breakpoint
CREATE TABLE `rating_summaries` (
	`product_id` varchar(64) NOT NULL,
	`review_count` int NOT NULL DEFAULT 0,
	`rating_total` int NOT NULL DEFAULT 0,
	CONSTRAINT `rating_summaries_product_id` PRIMARY KEY(`product_id`)
);
--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` varchar(36) NOT NULL,
	`product_id` varchar(64) NOT NULL,
	`user_id` varchar(64) NOT NULL,
	`rating` tinyint NOT NULL,
	`title` varchar(120) NOT NULL,
	`body` text NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `reviews_id` PRIMARY KEY(`id`),
	CONSTRAINT `reviews_product_user_unique` UNIQUE(`product_id`,`user_id`)
);
--> statement-breakpoint
CREATE INDEX `reviews_product_page_idx` ON `reviews` (`product_id`,`created_at`,`id`);