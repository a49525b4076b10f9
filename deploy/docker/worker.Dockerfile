# syntax=docker/dockerfile:1
#
# srgan/worker: the CPU worker (Kafka consumers, SRGAN inference and training on DJL/PyTorch), over
# the Quarkus fast-jar layout of a default (CPU) build. Build from the repository root:
#
#   mvn -B package -DskipTests -pl worker -am
#   docker build -f deploy/docker/worker.Dockerfile -t srgan/worker:0.1.0 .
#
# For GPUs build worker-cuda.Dockerfile from a `mvn -Pcuda` build instead.
FROM eclipse-temurin:17-jre-jammy

RUN apt-get update \
 && apt-get install -y --no-install-recommends curl libtcmalloc-minimal4 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --gid 0 --home-dir /deployments --shell /usr/sbin/nologin srgan \
 && mkdir -p /var/cache/srgan/djl \
 && chown -R 10001:0 /var/cache/srgan && chmod -R g+rwX /var/cache/srgan

WORKDIR /deployments
COPY --chown=10001:0 worker/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=10001:0 worker/target/quarkus-app/*.jar /deployments/
COPY --chown=10001:0 worker/target/quarkus-app/app/ /deployments/app/
COPY --chown=10001:0 worker/target/quarkus-app/quarkus/ /deployments/quarkus/

# Refuse a CUDA build here: its 2.3 GB native library would be shipped to CPU nodes for nothing.
RUN ls /deployments/lib/main/ai.djl.pytorch.pytorch-native-cpu-*.jar >/dev/null 2>&1 \
 || { echo "worker/target/quarkus-app is not a CPU build: run mvn package without -Pcuda" >&2; exit 1; }

USER 10001
# Health and metrics only; workers take their work from Kafka.
EXPOSE 8081

# DJL unpacks the PyTorch native library from its jar into DJL_CACHE_DIR at first use, and must
# never try to download one (ai.djl.offline).
# tcmalloc keeps PyTorch's freed activations for the next layer instead of handing them back to
# the kernel (inference 3-24% faster, a training step 18%; docs/benchmarks.md).
ENV DJL_CACHE_DIR=/var/cache/srgan/djl \
    LD_PRELOAD=libtcmalloc_minimal.so.4 \
    SRGAN_WORKER_DEVICE=cpu \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Dai.djl.offline=true -Djava.util.logging.manager=org.jboss.logmanager.LogManager" \
    JAVA_OPTS_APPEND=""

HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS "http://localhost:${QUARKUS_HTTP_PORT:-8081}/q/health/live" || exit 1

ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar"]
