import { defineConfig } from 'drizzle-kit';

// Migrations come from `npx drizzle-kit generate` and are applied at start-up by openMysql.
// Never `drizzle-kit push`: it fails on its second run against MariaDB.
export default defineConfig({
  dialect: 'mysql',
  schema: './src/db/schema.ts',
  out: './src/db/migrations',
  dbCredentials: {
    url: `${process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'}/${process.env.MYSQL_DATABASE ?? 'shop_shipping'}`,
  },
});
