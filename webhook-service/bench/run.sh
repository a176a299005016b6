#!/usr/bin/env bash
# Load on webhook-service alone (see WebhookBench.java): builds the jar, then runs the bench with its test class
# path. Settings as -D flags, e.g.
#   webhook-service/bench/run.sh -Dbench.rate=100 -Dbench.calls=2000
#   webhook-service/bench/run.sh -Dbench.jvmArgs=-XX:StartFlightRecording=filename=/tmp/wh.jfr,settings=$PWD/webhook-service/bench/sampling.jfc
# then webhook-service/bench/jfr-top.py /tmp/wh.jfr <load start> <load end> (the times the bench prints).
# Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
classpath=$(mktemp)
jar=$(mktemp --suffix=.jar)
trap 'rm -f "$classpath" "$jar"' EXIT
./mvnw -B -q -pl webhook-service -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$classpath"
# A copy of the jar: a build in the same checkout rewrites target/ and would break the running service.
cp webhook-service/target/webhook-service-0.1.0-SNAPSHOT.jar "$jar"
java -XX:+UseSerialGC -Xmx768m -Dlogback.configurationFile=webhook-service/bench/logback.xml \
  -Dbench.jar="$jar" "$@" \
  -cp "webhook-service/target/test-classes:webhook-service/target/classes:$(cat "$classpath")" \
  webhook-service/bench/WebhookBench.java
