-- The shop's shipping methods and prices (minor units, USD). Change them with a new migration.
INSERT INTO `shipping_methods` (`code`, `name`, `carrier`, `position`) VALUES
	('STANDARD', 'Standard shipping', 'USPS', 1),
	('EXPRESS', 'Express shipping', 'UPS', 2),
	('INTERNATIONAL', 'International tracked shipping', 'DHL', 3);
--> statement-breakpoint
INSERT INTO `shipping_zone_countries` (`country`, `zone`) VALUES ('US', 'DOMESTIC');
--> statement-breakpoint
INSERT INTO `shipping_rates` (`method_code`, `zone`, `price_amount`, `currency`, `estimated_days`) VALUES
	('STANDARD', 'DOMESTIC', 499, 'USD', 5),
	('EXPRESS', 'DOMESTIC', 1499, 'USD', 2),
	('STANDARD', 'INTERNATIONAL', 499, 'USD', 5),
	('EXPRESS', 'INTERNATIONAL', 1499, 'USD', 2),
	('INTERNATIONAL', 'INTERNATIONAL', 2999, 'USD', 7);
