#!/usr/bin/env bash
# Installs the Debian-packaged Kafka clients the tests and the compat-suite drive: kcat (librdkafka),
# confluent-kafka-python and kafka-python. Does nothing when they are already there; needs root otherwise.
set -euo pipefail
have() { command -v kcat >/dev/null && /usr/bin/python3 -c 'import kafka, confluent_kafka, requests' 2>/dev/null; }
if have; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "compat-suite/setup.sh: kcat or python3-kafka/python3-confluent-kafka missing; run as root to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq kcat python3-confluent-kafka python3-kafka python3-requests >/dev/null
have
