import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { dataDir, ensureInfra, infraStatus, startKafka, stopKafka } from '../src/index.js';
import { kafkaClient, startRecordingConsumer, unique, waitFor, type Received } from './helpers.js';

// Stops the shared broker: named *.faults.test.ts so the root vitest config runs it after every
// other test file, never in parallel with them.

async function kafkaStartedByInfra(): Promise<void> {
  const [status] = await ensureInfra({ services: ['kafka'] });
  // stopKafka() only stops a broker infra started; with an externally run Kafka this test fails.
  expect(status, 'Kafka must have been started by @shop/infra for the stop/start test').toMatchObject({
    state: 'up',
    startedBy: 'infra',
  });
}

afterAll(async () => {
  await startKafka(); // never leave the broker down for whoever runs next
});

it('stopKafka() stops the broker cleanly; startKafka() brings it back from the same storage, data intact', async () => {
  await kafkaStartedByInfra();
  const topic = unique('persist');
  const groupId = unique('persist-group');
  const clusterIdFile = join(dataDir(), 'kafka', 'data', 'meta.properties');
  const metaBefore = readFileSync(clusterIdFile, 'utf8');

  const kafka = kafkaClient(unique('restart'));
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: Array.from({ length: 9 }, (_, i) => ({ partition: i % 3, value: `before-${i}` })) });
  await producer.disconnect();

  // consume and commit everything with one group
  const read: Received[] = [];
  const c1 = await startRecordingConsumer(kafka, { name: 'c1', groupId, topic, into: read });
  await waitFor(() => read.length >= 9, 30_000, () => `read ${read.length}/9 before the restart`);
  await waitFor(
    async () => {
      const [o] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (o?.partitions ?? []).reduce((n, p) => n + Number(p.offset), 0) === 9;
    },
    10_000,
    () => 'offsets not committed',
  );
  await c1.disconnect();
  await admin.disconnect();

  const pidBefore = (await infraStatus(['kafka']))[0]?.pid;
  const stopStarted = Date.now();
  await stopKafka();
  const stopMs = Date.now() - stopStarted;
  expect(stopMs).toBeLessThan(30_000);
  expect((await infraStatus(['kafka']))[0]).toMatchObject({ state: 'down', startedBy: null });

  // The broker really is gone: a client with no retries cannot connect.
  const probe = kafkaClient(unique('probe'), { retries: 0, connectionTimeout: 500 }).admin();
  await expect(probe.connect()).rejects.toThrow();
  await probe.disconnect().catch(() => undefined);

  const startStarted = Date.now();
  const status = await startKafka();
  const startMs = Date.now() - startStarted;
  expect(status).toMatchObject({ state: 'up', startedBy: 'infra' });
  expect(status.pid).not.toBe(pidBefore);
  // reused the formatted storage: same cluster id / meta.properties
  expect(readFileSync(clusterIdFile, 'utf8')).toBe(metaBefore);

  const kafka2 = kafkaClient(unique('after'));
  const admin2 = kafka2.admin();
  await admin2.connect();
  expect(await admin2.listTopics()).toContain(topic);
  // After a restart the broker re-elects partition leaders (and loads the group coordinator) for a
  // moment: wait until every partition of the topic has a leader before using it.
  await waitFor(
    async () => {
      try {
        const { topics } = await admin2.fetchTopicMetadata({ topics: [topic] });
        return topics[0]!.partitions.length === 3 && topics[0]!.partitions.every((p) => p.leader >= 0);
      } catch {
        return false;
      }
    },
    30_000,
    () => 'partitions got no leader after the restart',
  );
  // Right after a restart the partitions may still be electing their leader: ask until they answer.
  let high = -1;
  await waitFor(
    async () => {
      try {
        const hw = await admin2.fetchTopicOffsets(topic);
        high = hw.reduce((n, p) => n + Number(p.high), 0);
        return true;
      } catch {
        return false;
      }
    },
    30_000,
    () => 'partitions got no leader after the restart',
  );
  expect(high).toBe(9);
  // The group coordinator also moves in after the restart: ask until it answers.
  let committedTotal = -1;
  await waitFor(
    async () => {
      try {
        const [committed] = await admin2.fetchOffsets({ groupId, topics: [topic] });
        committedTotal = committed?.partitions.reduce((n, p) => n + Number(p.offset), 0) ?? -1;
        return true;
      } catch {
        return false;
      }
    },
    30_000,
    () => 'group coordinator not available after the restart',
  );
  expect(committedTotal).toBe(9);
  await admin2.disconnect();

  // the old group resumes after its committed offsets: it only sees what was sent after the restart
  const producer2 = kafka2.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer2.connect();
  await producer2.send({ topic, acks: -1, messages: [0, 1, 2].map((p) => ({ partition: p, value: `after-${p}` })) });
  await producer2.disconnect();
  const resumed: Received[] = [];
  const c2 = await startRecordingConsumer(kafka2, { name: 'c2', groupId, topic, into: resumed });
  await waitFor(() => resumed.length >= 3, 30_000, () => `resumed ${resumed.length}/3`);
  await new Promise((r) => setTimeout(r, 1_000));
  await c2.disconnect();
  expect(resumed.map((r) => r.value).sort()).toEqual(['after-0', 'after-1', 'after-2']);

  // and a new group still reads the messages written before the restart
  const all: Received[] = [];
  const c3 = await startRecordingConsumer(kafka2, { name: 'c3', groupId: unique('fresh'), topic, into: all });
  await waitFor(() => all.length >= 12, 30_000, () => `fresh group read ${all.length}/12`);
  await c3.disconnect();
  expect(all.filter((r) => r.value.startsWith('before-'))).toHaveLength(9);

  console.info(`kafka stop took ${stopMs} ms, start took ${startMs} ms`);
});
