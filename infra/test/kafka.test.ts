import { Partitioners, type Admin, type Consumer, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInfra } from '../src/index.js';
import { kafkaClient, startRecordingConsumer, unique, waitFor, type Received } from './helpers.js';

// Runs against the real broker that ensureInfra starts (or reuses). If Kafka cannot be reached,
// every test here fails with ensureInfra's error (it names the log to look at): nothing is skipped.
let kafka: Kafka;
let admin: Admin;
const consumers: Consumer[] = [];
let ready: Promise<void> | undefined;

function kafkaUp(): Promise<void> {
  ready ??= (async () => {
    const [status] = await ensureInfra({ services: ['kafka'] });
    expect(status?.state).toBe('up');
    kafka = kafkaClient(unique('client'));
    admin = kafka.admin();
    await admin.connect();
  })();
  return ready;
}

// Each test awaits kafkaUp() itself; this only starts it early.
beforeAll(() => kafkaUp().catch(() => undefined));

afterAll(async () => {
  await Promise.allSettled(consumers.map((c) => c.disconnect()));
  await admin?.disconnect();
});

async function createTopic(topic: string, numPartitions = 3): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
}

describe('consumer groups', () => {
  it('two consumers of one group share a 3-partition topic; committed offsets are not re-read', async () => {
    await kafkaUp();
    const topic = unique('shared');
    const groupId = unique('group');
    await createTopic(topic);

    const received: Received[] = [];
    const assigned: Record<string, number[]> = {};
    const c1 = await startRecordingConsumer(kafka, {
      name: 'c1',
      groupId,
      topic,
      into: received,
      onAssign: (p) => (assigned.c1 = p),
    });
    consumers.push(c1);
    const c2 = await startRecordingConsumer(kafka, {
      name: 'c2',
      groupId,
      topic,
      into: received,
      onAssign: (p) => (assigned.c2 = p),
    });
    consumers.push(c2);

    // Wait until the group settled with both members, partitions split between them.
    await waitFor(
      () => {
        const a = assigned.c1 ?? [];
        const b = assigned.c2 ?? [];
        return a.length > 0 && b.length > 0 && new Set([...a, ...b]).size === 3 && a.length + b.length === 3;
      },
      30_000,
      () => `assignments ${JSON.stringify(assigned)}`,
    );
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]?.state === 'Stable' && groups[0].members.length === 2;
      },
      30_000,
      () => 'group did not become Stable with 2 members',
    );

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const first = Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `first-${i}` }));
    await producer.send({ topic, acks: -1, messages: first });

    await waitFor(() => received.length >= 30, 30_000, () => `received ${received.length}/30`);
    const byConsumer = (name: string): Received[] => received.filter((r) => r.consumer === name);
    expect(byConsumer('c1').length).toBeGreaterThan(0);
    expect(byConsumer('c2').length).toBeGreaterThan(0);
    // each message exactly once, each partition read by exactly one member
    expect(new Set(received.map((r) => r.value)).size).toBe(30);
    expect(received).toHaveLength(30);
    const p1 = new Set(byConsumer('c1').map((r) => r.partition));
    const p2 = new Set(byConsumer('c2').map((r) => r.partition));
    expect([...p1].filter((p) => p2.has(p))).toEqual([]);
    expect(new Set([...p1, ...p2]).size).toBe(3);

    // Offsets were committed: 10 messages per partition.
    await waitFor(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (offsets?.partitions ?? []).every((p) => p.offset === '10') && offsets?.partitions.length === 3;
      },
      10_000,
      () => 'committed offsets are not 10/10/10',
    );

    await c1.disconnect();
    await c2.disconnect();
    consumers.length = 0;

    // More messages while nobody consumes; a new member of the same group must get only these.
    const second = Array.from({ length: 6 }, (_, i) => ({ partition: i % 3, value: `second-${i}` }));
    await producer.send({ topic, acks: -1, messages: second });
    await producer.disconnect();

    const again: Received[] = [];
    const c3 = await startRecordingConsumer(kafka, { name: 'c3', groupId, topic, into: again });
    consumers.push(c3);
    await waitFor(() => again.length >= 6, 30_000, () => `restarted consumer received ${again.length}/6`);
    await new Promise((r) => setTimeout(r, 1_000)); // anything re-read would show up by now
    expect(again.map((r) => r.value).sort()).toEqual(second.map((m) => m.value).sort());
    await c3.disconnect();
    consumers.length = 0;
  });
});

describe('producers', () => {
  it('idempotent producer (maxInFlightRequests: 1) sends every message once, in order per partition', async () => {
    await kafkaUp();
    const topic = unique('idempotent');
    await createTopic(topic);
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    let seq = 0;
    for (let batch = 0; batch < 4; batch++) {
      const meta = await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 5 }, () => {
          const n = seq++;
          return { key: `k${n % 3}`, value: `k${n % 3}:${n}` };
        }),
      });
      expect(meta.every((m) => m.errorCode === 0)).toBe(true);
    }
    await producer.disconnect();

    // exactly 20 records were written: no duplicates from retries
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(20);

    const received: Received[] = [];
    const consumer = await startRecordingConsumer(kafka, { name: 'reader', groupId: unique('reader'), topic, into: received });
    consumers.push(consumer);
    await waitFor(() => received.length >= 20, 30_000, () => `received ${received.length}/20`);
    expect(new Set(received.map((r) => r.value)).size).toBe(20);
    for (const key of ['k0', 'k1', 'k2']) {
      const forKey = received.filter((r) => r.value.startsWith(`${key}:`));
      // one key -> one partition, read back in the order it was sent
      expect(new Set(forKey.map((r) => r.partition)).size).toBe(1);
      const seqs = forKey.sort((a, b) => Number(a.offset) - Number(b.offset)).map((r) => Number(r.value.split(':')[1]));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    await consumer.disconnect();
    consumers.splice(consumers.indexOf(consumer), 1);
  });

  it('transactional producer commits; an aborted transaction is never seen by a read-committed consumer', async () => {
    await kafkaUp();
    const topic = unique('tx');
    await createTopic(topic);
    const producer = kafka.producer({
      transactionalId: unique('txid'),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic, messages: [0, 1, 2].map((i) => ({ partition: i, value: `committed-${i}` })) });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [0, 1, 2].map((i) => ({ partition: i, value: `aborted-${i}` })) });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic, messages: [{ partition: 0, value: 'committed-last' }] });
    await last.commit();
    await producer.disconnect();

    const received: Received[] = [];
    const consumer = await startRecordingConsumer(kafka, { name: 'rc', groupId: unique('rc'), topic, into: received });
    consumers.push(consumer);
    await waitFor(() => received.length >= 4, 30_000, () => `received ${received.length}/4: ${JSON.stringify(received)}`);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(received.map((r) => r.value).sort()).toEqual(['committed-0', 'committed-1', 'committed-2', 'committed-last']);
    await consumer.disconnect();
    consumers.splice(consumers.indexOf(consumer), 1);
  });
});
