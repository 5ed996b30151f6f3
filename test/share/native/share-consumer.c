/*
 * A share consumer on librdkafka's KIP-932 API (rd_kafka_share_*), the one built into @confluentinc/kafka-javascript
 * (which does not expose it to JavaScript). Usage:
 *   share-consumer <bootstrap> <group> <topic> <records> <seconds> <release-every> <idle-ms> <max-poll-records>
 * Polls until <records> records were accepted, <seconds> passed, or <idle-ms> went by without a record; every <release-every>-th record (0: none) of the first delivery is released instead (explicit
 * acknowledgement). Prints one line per record delivered:
 *   <partition> <offset> <delivery count> <value> <accept|release>
 * and exits 0, or 2 on a client error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>

int main(int argc, char **argv) {
  if (argc != 10) return 64;
  const char *mode = argv[9];
  int implicit = strcmp(mode, "implicit") == 0, die = strcmp(mode, "die") == 0;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) ||
      rd_kafka_conf_set(conf, "group.id", argv[2], errstr, sizeof errstr) ||
      rd_kafka_conf_set(conf, "share.acknowledgement.mode", implicit ? "implicit" : "explicit", errstr, sizeof errstr) ||
      rd_kafka_conf_set(conf, "max.poll.records", argv[8], errstr, sizeof errstr)) {
    fprintf(stderr, "conf: %s\n", errstr);
    return 2;
  }
  const char *debug = getenv("SHARE_CONSUMER_DEBUG");
  if (debug && rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof errstr)) return 2;
  rd_kafka_share_t *share = rd_kafka_share_consumer_new(conf, errstr, sizeof errstr);
  if (!share) {
    fprintf(stderr, "new: %s\n", errstr);
    return 2;
  }
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, argv[3], RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_share_subscribe(share, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) {
    fprintf(stderr, "subscribe: %s\n", rd_kafka_err2str(err));
    return 2;
  }
  long want = atol(argv[4]), releaseEvery = atol(argv[6]), accepted = 0, seen = 0;
  long idleMs = atol(argv[7]), idle = 0;
  time_t end = time(NULL) + atol(argv[5]);
  while (accepted < want && time(NULL) < end && idle < idleMs) {
    rd_kafka_messages_t *batch = NULL;
    rd_kafka_error_t *error = rd_kafka_share_poll(share, 200, &batch);
    if (error) {
      fprintf(stderr, "poll: %s\n", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    } else {
      size_t n = rd_kafka_messages_count(batch);
      idle = n > 0 ? 0 : idle + 200;
      for (size_t i = 0; i < n; i++) {
        rd_kafka_message_t *m = rd_kafka_messages_get(batch, i);
        if (m->err) {
          fprintf(stderr, "record error: %s\n", rd_kafka_err2str(m->err));
          continue;
        }
        int16_t count = rd_kafka_message_delivery_count(m);
        int release = releaseEvery > 0 && count == 1 && ++seen % releaseEvery == 0;
        if (!implicit && !die) rd_kafka_share_acknowledge_type(share, m, release ? RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_RELEASE : RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_ACCEPT);
        if (!release) accepted++;
        printf("%d %lld %d %.*s %s\n", (int)m->partition, (long long)m->offset, (int)count, (int)m->len, (const char *)m->payload,
               die ? "held" : release ? "release" : "accept");
      }
      if (die && n > 0) {
        fflush(stdout);
        _exit(0); /* dies holding its records: no acknowledgement, no close, no leave */
      }
    }
    rd_kafka_messages_destroy(batch);
    fflush(stdout);
  }
  if (implicit) {
    /* Implicit acknowledgement sends the last poll's acceptances with the next poll. */
    rd_kafka_messages_t *last = NULL;
    rd_kafka_error_t *error = rd_kafka_share_poll(share, 200, &last);
    if (error) rd_kafka_error_destroy(error);
    rd_kafka_messages_destroy(last);
  }
  rd_kafka_share_consumer_close(share);
  rd_kafka_share_destroy(share);
  return 0;
}
