/**
 * Hive Gateway configuration for the peer bench (`hive-gateway supergraph <file> -c <this, built>`).
 *
 * BENCH_HIVE_DEDUP=on|off: inflight deduplication of subgraph requests, the executor-http
 * option `deduplicateInflightRequests` of every transport ('*'). Hive's default is on.
 * BENCH_HIVE_INBOUND_DEDUP=on: also `inboundInflightRequestDeduplication` (identical concurrent
 * client requests share one execution; off by default, and off in the bench: on this workload,
 * where every request is identical, it amounts to sharing whole responses).
 *
 * A plain object: `defineConfig` from @graphql-hive/gateway is the identity function.
 */
const dedup = process.env.BENCH_HIVE_DEDUP !== 'off';

export const gatewayConfig = {
  transportEntries: {
    '*': { options: { deduplicateInflightRequests: dedup } },
  },
  inboundInflightRequestDeduplication: process.env.BENCH_HIVE_INBOUND_DEDUP === 'on',
  landingPage: false,
  graphiql: false,
};
