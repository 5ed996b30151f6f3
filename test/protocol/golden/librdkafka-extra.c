/*
 * The librdkafka 2.15.1 calls @confluentinc/kafka-javascript does not expose: the C admin API (configs, ACLs,
 * ElectLeaders, SCRAM credentials, DescribeCluster, group offsets) and the KIP-932 share consumer. Compiled and run by
 * capture.ts against its recording proxy: librdkafka-extra <bootstrap> <topic> <group with committed offsets>.
 * Results are not checked here: only the request bytes matter (an error answer is fine).
 */
#include <stdio.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

static rd_kafka_t *rk;

static void wait_result(rd_kafka_queue_t *q, const char *what) {
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
  if (!ev) fprintf(stderr, "%s: no result\n", what);
  else {
    if (rd_kafka_event_error(ev)) fprintf(stderr, "%s: %s\n", what, rd_kafka_event_error_string(ev));
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
}

static rd_kafka_topic_partition_list_t *one_partition(const char *topic, int64_t offset) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, topic, 0)->offset = offset;
  return l;
}

static void admin(const char *topic, const char *group) {
  char err[512];
  rd_kafka_queue_t *q;

  rd_kafka_ConfigResource_t *res[2] = { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic),
                                        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, "0") };
  rd_kafka_DescribeConfigs(rk, res, 2, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "DescribeConfigs");
  rd_kafka_ConfigResource_destroy_array(res, 2);

  rd_kafka_ConfigResource_t *alter = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
  rd_kafka_ConfigResource_set_config(alter, "retention.ms", "7200000");
  rd_kafka_AlterConfigs(rk, &alter, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "AlterConfigs");
  rd_kafka_ConfigResource_destroy(alter);

  rd_kafka_ConfigResource_t *incr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
  rd_kafka_error_destroy(rd_kafka_ConfigResource_add_incremental_config(incr, "retention.ms", RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, "3600000"));
  rd_kafka_IncrementalAlterConfigs(rk, &incr, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "IncrementalAlterConfigs");
  rd_kafka_ConfigResource_destroy(incr);

  rd_kafka_AclBinding_t *acl = rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
      "User:golden", "*", RD_KAFKA_ACL_OPERATION_READ, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof(err));
  rd_kafka_CreateAcls(rk, &acl, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "CreateAcls");
  rd_kafka_AclBinding_destroy(acl);
  rd_kafka_AclBindingFilter_t *filter = rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
      "User:golden", NULL, RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, err, sizeof(err));
  rd_kafka_DescribeAcls(rk, filter, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "DescribeAcls");
  rd_kafka_DeleteAcls(rk, &filter, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "DeleteAcls");
  rd_kafka_AclBinding_destroy(filter);

  rd_kafka_topic_partition_list_t *parts = one_partition(topic, RD_KAFKA_OFFSET_INVALID);
  rd_kafka_ElectLeaders_t *elect = rd_kafka_ElectLeaders_new(RD_KAFKA_ELECTION_TYPE_PREFERRED, parts);
  rd_kafka_ElectLeaders(rk, elect, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "ElectLeaders");
  rd_kafka_ElectLeaders_destroy(elect);
  rd_kafka_topic_partition_list_destroy(parts);

  const char *users[1] = { "golden" };
  rd_kafka_DescribeUserScramCredentials(rk, users, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "DescribeUserScramCredentials");
  rd_kafka_UserScramCredentialAlteration_t *upsert = rd_kafka_UserScramCredentialUpsertion_new(
      "golden", RD_KAFKA_SCRAM_MECHANISM_SHA_256, 4096, (const unsigned char *)"secret", 6, (const unsigned char *)"salt", 4);
  rd_kafka_AlterUserScramCredentials(rk, &upsert, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "AlterUserScramCredentials");
  rd_kafka_UserScramCredentialAlteration_destroy(upsert);

  /* The share group reads from the start, so the share consumer gets records to acknowledge. */
  rd_kafka_ConfigResource_t *share_group = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_GROUP, "golden-share");
  rd_kafka_error_destroy(rd_kafka_ConfigResource_add_incremental_config(share_group, "share.auto.offset.reset", RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, "earliest"));
  rd_kafka_IncrementalAlterConfigs(rk, &share_group, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "IncrementalAlterConfigs (group)");
  rd_kafka_ConfigResource_destroy(share_group);

  rd_kafka_DescribeCluster(rk, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "DescribeCluster");

  parts = one_partition(topic, 1);
  rd_kafka_AlterConsumerGroupOffsets_t *alter_offsets = rd_kafka_AlterConsumerGroupOffsets_new(group, parts);
  rd_kafka_AlterConsumerGroupOffsets(rk, &alter_offsets, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "AlterConsumerGroupOffsets");
  rd_kafka_AlterConsumerGroupOffsets_destroy(alter_offsets);
  rd_kafka_DeleteConsumerGroupOffsets_t *del_offsets = rd_kafka_DeleteConsumerGroupOffsets_new(group, parts);
  rd_kafka_DeleteConsumerGroupOffsets(rk, &del_offsets, 1, NULL, q = rd_kafka_queue_new(rk));
  wait_result(q, "DeleteConsumerGroupOffsets");
  rd_kafka_DeleteConsumerGroupOffsets_destroy(del_offsets);
  rd_kafka_topic_partition_list_destroy(parts);
}

static void share_consume(const char *bootstrap, const char *topic) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
  rd_kafka_conf_set(conf, "group.id", "golden-share", err, sizeof(err));
  rd_kafka_share_t *share = rd_kafka_share_consumer_new(conf, err, sizeof(err));
  if (!share) { fprintf(stderr, "share consumer: %s\n", err); return; }
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_share_subscribe(share, topics);
  if (e) fprintf(stderr, "share subscribe: %s\n", rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(topics);
  size_t seen = 0;
  for (int i = 0; i < 20 && seen < 3; i++) {
    rd_kafka_messages_t *batch = NULL;
    rd_kafka_error_t *error = rd_kafka_share_poll(share, 500, &batch);
    if (error) { fprintf(stderr, "share poll: %s\n", rd_kafka_error_string(error)); rd_kafka_error_destroy(error); }
    if (!batch) continue;
    for (size_t m = 0; m < rd_kafka_messages_count(batch); m++) {
      rd_kafka_message_t *msg = rd_kafka_messages_get(batch, m);
      if (!msg->err) { seen++; rd_kafka_share_acknowledge(share, msg); }
    }
    rd_kafka_messages_destroy(batch);
  }
  rd_kafka_topic_partition_list_t *committed = NULL;
  rd_kafka_error_t *error = rd_kafka_share_commit_sync(share, 5000, &committed);
  if (error) { fprintf(stderr, "share commit: %s\n", rd_kafka_error_string(error)); rd_kafka_error_destroy(error); }
  if (committed) rd_kafka_topic_partition_list_destroy(committed);
  fprintf(stderr, "share consumer saw %zu records\n", seen);
  error = rd_kafka_share_consumer_close(share);
  if (error) rd_kafka_error_destroy(error);
  error = rd_kafka_share_destroy(share);
  if (error) rd_kafka_error_destroy(error);
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s <bootstrap> <topic> <group>\n", argv[0]); return 2; }
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof(err));
  rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) { fprintf(stderr, "%s\n", err); return 1; }
  admin(argv[2], argv[3]);
  rd_kafka_destroy(rk);
  share_consume(argv[1], argv[2]);
  return 0;
}
