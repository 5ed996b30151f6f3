#!/usr/bin/env bash
# Installs the Debian-packaged Kafka clients the tests and the compat-suite drive: kcat (librdkafka),
# chromium (headless, for the console's browser test),
# confluent-kafka-python and kafka-python, the python codec/Avro modules they use, and builds
# @confluentinc/kafka-javascript from source (with Confluent's @confluentinc/schemaregistry beside it).
# Does nothing when they are already there; needs root otherwise.
set -euo pipefail
cd "$(dirname "$0")"
PY_MODULES='kafka, confluent_kafka, requests, snappy, lz4.frame, zstandard, avro'
APT_PACKAGES='kcat python3-confluent-kafka python3-kafka python3-requests python3-snappy python3-lz4 python3-zstandard python3-avro chromium'
# Headers @confluentinc/kafka-javascript's bundled librdkafka links against (see CKJS below).
APT_BUILD='zlib1g-dev libssl-dev libzstd-dev liblz4-dev'
have_debian() { command -v kcat >/dev/null && command -v chromium >/dev/null && /usr/bin/python3 -c "import $PY_MODULES" 2>/dev/null \
  && dpkg -s $APT_BUILD >/dev/null 2>&1; }

if ! have_debian; then
  if [ "$(id -u)" != 0 ]; then
    echo "compat-suite/setup.sh: kcat, python3 Kafka clients or build headers missing; run as root to install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $APT_PACKAGES $APT_BUILD >/dev/null
  have_debian
fi

# @confluentinc/kafka-javascript: a plain install downloads a prebuilt binary from GitHub, then falls back to a
# source build whose configure downloads zlib/OpenSSL/zstd/curl; neither host is reachable here. With
# CKJS_LINKING=dynamic the bundled librdkafka builds against the Debian headers above instead (~2 min on 2 cores).
# It lives in its own prefix so the project's `npm install` never runs that build. Best effort: when it fails,
# the compat-suite reports the client as not supported, with this log.
CKJS=clients/confluent-js
if ! node -e "for (const p of ['kafka-javascript', 'schemaregistry']) require('./$CKJS/node_modules/@confluentinc/' + p)" 2>/dev/null; then
  echo "compat-suite/setup.sh: building @confluentinc/kafka-javascript (librdkafka from source), log in $CKJS/build.log" >&2
  if ! (cd "$CKJS" && CKJS_LINKING=dynamic npm install --no-audit --no-fund --foreground-scripts >build.log 2>&1); then
    echo "compat-suite/setup.sh: @confluentinc/kafka-javascript did not build; see $CKJS/build.log" >&2
  fi
fi
