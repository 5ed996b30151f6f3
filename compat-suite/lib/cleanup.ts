/** After a run against someone's cluster: delete the topics the run created (all start with the run's prefix). */
import kafkajs from 'kafkajs';

export async function deleteRunTopics(bootstrap: string, prefix: string, timeoutMs = 20_000): Promise<string> {
  const admin = new kafkajs.Kafka({ clientId: 'compat-cleanup', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 2 } }).admin();
  const work = (async () => {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    // A few at a time: some brokers bound the topics per DeleteTopics request.
    for (let i = 0; i < topics.length; i += 20) await admin.deleteTopics({ topics: topics.slice(i, i + 20), timeout: 10_000 });
    return `deleted the run's ${topics.length} topics (${prefix}*)`;
  })();
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(`gave up deleting the run's topics (${prefix}*) after ${timeoutMs / 1000} s`), timeoutMs).unref());
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    return `could not delete the run's topics (${prefix}*): ${(err as Error).message}`;
  } finally {
    void admin.disconnect().catch(() => {});
  }
}
