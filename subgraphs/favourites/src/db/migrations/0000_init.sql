CREATE TABLE `favourites` (
	`user_id` varchar(64) NOT NULL,
	`product_id` varchar(64) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `favourites_user_id_product_id_pk` PRIMARY KEY(`user_id`,`product_id`)
);
--> statement-breakpoint
CREATE INDEX `favourites_user_page_idx` ON `favourites` (`user_id`,`created_at`,`product_id`);