# The twinlane image: the agent (`run`) and the SIEM consumer (`siem`), the same jars.
# It packs what the repository's build made, so build first:
#   ./twinlane --version        (builds agent/target when a source is newer; or mvn -pl agent -am package -DskipTests)
# then deploy/compose/docker-compose.yml builds it (context: the repository; .dockerignore keeps the rest out).
# BASE is Debian 12 pinned by digest; deploy/compose/docker-compose.local.yml passes a local image instead.
# debian:bookworm-slim's digest below was seen in a public build log; refresh it with
#   docker buildx imagetools inspect debian:bookworm-slim
ARG BASE=debian:bookworm-slim@sha256:3783cc01769c7b2b1b83a5c5ad96c815348e28ed7da68e2e3687004faa906251
FROM ${BASE}
# the JRE and libbpf (the agent loads its BPF objects through libbpf.so.1); deploy/compose/local/kafka
# repeats this line to the letter so that the engine's build cache shares the layer
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless libbpf1 && rm -rf /var/lib/apt/lists/*
# the JVM options the launcher passes, read from the same place (pom.xml's chronicle.jvm.args)
COPY pom.xml /tmp/pom.xml
RUN mkdir -p /opt/twinlane/lib && sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' /tmp/pom.xml > /opt/twinlane/jvm.args && rm /tmp/pom.xml
COPY agent/target/lib/ /opt/twinlane/lib/
COPY agent/target/twinlane-agent-0.1.0-SNAPSHOT.jar /opt/twinlane/lib/
COPY deploy/compose/twinlane-entrypoint /usr/local/bin/twinlane
ENTRYPOINT ["/usr/local/bin/twinlane"]
CMD ["--help"]
