#!/usr/bin/env bash
# Create the Kafka topics of Lotse; safe to run again (--if-not-exists).
#
# The values below are the same as in deploy/topics.yaml (hardcoded here so that no
# YAML parser is needed): change both files together.
#
# Environment:
#   LOTSE_KAFKA_BOOTSTRAP           host:port of a broker        (default localhost:9092)
#   LOTSE_TOPIC_REPLICATION_FACTOR  replication factor            (default 3; compose: 1)
#   KAFKA_BIN_DIR                   where kafka-topics.sh lives   (default /opt/kafka/bin)
#
# Topics that exist already keep their partition count (Kafka cannot shrink it); their
# cleanup.policy and retention.ms are set to the values below on every run.
set -euo pipefail

BOOTSTRAP="${LOTSE_KAFKA_BOOTSTRAP:-localhost:9092}"
REPLICATION_FACTOR="${LOTSE_TOPIC_REPLICATION_FACTOR:-3}"
BIN="${KAFKA_BIN_DIR:-/opt/kafka/bin}"

MAIN_TOPICS=(lotse.gateway lotse.projects lotse.funding lotse.knowledge)
MAIN_PARTITIONS=6
MAIN_RETENTION_MS=2592000000 # 30 days
DLQ_PARTITIONS=1
DLQ_RETENTION_MS=1209600000 # 14 days
CLEANUP_POLICY=delete # events are history: never compact

echo "Waiting for Kafka at ${BOOTSTRAP} ..."
for attempt in $(seq 1 60); do
  if "${BIN}/kafka-topics.sh" --bootstrap-server "${BOOTSTRAP}" --list >/dev/null 2>&1; then
    break
  fi
  if [ "${attempt}" -eq 60 ]; then
    echo "Kafka at ${BOOTSTRAP} did not answer; giving up." >&2
    exit 1
  fi
  sleep 2
done

create_topic() {
  local name="$1" partitions="$2" retention_ms="$3"
  echo "Topic ${name}: ${partitions} partitions, replication ${REPLICATION_FACTOR}, retention.ms=${retention_ms}"
  "${BIN}/kafka-topics.sh" --bootstrap-server "${BOOTSTRAP}" --create --if-not-exists \
    --topic "${name}" \
    --partitions "${partitions}" \
    --replication-factor "${REPLICATION_FACTOR}" \
    --config "cleanup.policy=${CLEANUP_POLICY}" \
    --config "retention.ms=${retention_ms}"
  "${BIN}/kafka-configs.sh" --bootstrap-server "${BOOTSTRAP}" --alter \
    --entity-type topics --entity-name "${name}" \
    --add-config "cleanup.policy=${CLEANUP_POLICY},retention.ms=${retention_ms}" >/dev/null
}

for topic in "${MAIN_TOPICS[@]}"; do
  create_topic "${topic}" "${MAIN_PARTITIONS}" "${MAIN_RETENTION_MS}"
  create_topic "${topic}.dlq" "${DLQ_PARTITIONS}" "${DLQ_RETENTION_MS}"
done

"${BIN}/kafka-topics.sh" --bootstrap-server "${BOOTSTRAP}" --describe --topic 'lotse\..*'
echo "Lotse topics are in place."
