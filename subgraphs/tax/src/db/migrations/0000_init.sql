CREATE TABLE `tax_rates` (
	`country` char(2) NOT NULL,
	`region` varchar(100) NOT NULL DEFAULT '',
	`category` varchar(100) NOT NULL DEFAULT '',
	`rate_basis_points` int NOT NULL,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `tax_rates_pk` PRIMARY KEY(`country`,`region`,`category`)
);
