import { createConnection } from 'node:net';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { endpoints, ensureInfra, infraStatus } from '../src/index.js';
import { unique } from './helpers.js';

it('Redis answers PING on REDIS_URL', async () => {
  await ensureInfra({ services: ['redis'] });
  const { host, port } = endpoints().redis;
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = createConnection({ host, port }, () => socket.write('PING\r\n'));
    socket.setTimeout(3_000, () => reject(new Error('no reply')));
    socket.once('error', reject);
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString());
    });
  });
  expect(reply).toBe('+PONG\r\n');
});

it('ensureInfra brings up all four services and is fast and idempotent when they are up', async () => {
  const first = await ensureInfra();
  expect(first.map((s) => [s.service, s.state])).toEqual([
    ['mariadb', 'up'],
    ['redis', 'up'],
    ['kafka', 'up'],
    ['mongo', 'up'],
  ]);
  const t0 = Date.now();
  const again = await ensureInfra();
  expect(Date.now() - t0).toBeLessThan(3_000);
  expect(again.map((s) => s.startedBy)).toEqual(first.map((s) => s.startedBy));
  const status = await infraStatus();
  expect(status.every((s) => s.state === 'up')).toBe(true);
});

it('MariaDB answers queries on MYSQL_URL', async () => {
  await ensureInfra({ services: ['mariadb'] });
  const conn = await mysql.createConnection(endpoints().mysqlUrl);
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT 1 + 1 AS two');
    expect(rows[0]?.two).toBe(2);
  } finally {
    await conn.end();
  }
});

it('the MongoDB wire server works with the official driver (v7)', async () => {
  await ensureInfra({ services: ['mongo'] });
  const client = new MongoClient(endpoints().mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  const db = client.db(unique('db').replace(/\./g, '_'));
  try {
    const col = db.collection<{ sku: string; qty: number }>('items');
    await col.createIndex({ sku: 1 }, { unique: true });
    await col.insertMany([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 2 },
    ]);
    await expect(col.insertOne({ sku: 'a', qty: 3 })).rejects.toThrow(/duplicate key/i);
    await col.updateOne({ sku: 'b' }, { $inc: { qty: 5 } });
    expect(await col.find({}, { projection: { _id: 0 } }).sort({ sku: 1 }).toArray()).toEqual([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 7 },
    ]);
  } finally {
    await db.dropDatabase();
    await client.close();
  }
});
