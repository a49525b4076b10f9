# syntax=docker/dockerfile:1
#
# srgan/worker-cuda: the GPU worker. The `-Pcuda` build bundles PyTorch 2.5.1 for CUDA 12.4
# (ai.djl.pytorch:pytorch-native-cu124); this image adds the CUDA 12.4 runtime and cuDNN 9 it links
# against, and a Java 17 runtime. The node needs an NVIDIA driver for CUDA 12.4 (>= 550) and the
# NVIDIA container toolkit (docker) or device plugin (Kubernetes). Build from the repository root:
#
#   mvn -B -Pcuda package -DskipTests -pl worker -am
#   docker build -f deploy/docker/worker-cuda.Dockerfile -t srgan/worker-cuda:0.1.0 .
#
# Both worker images build from worker/target/quarkus-app: build the CPU image before the -Pcuda
# build (or rebuild without -Pcuda afterwards), each one checks that it got the right library.
FROM eclipse-temurin:17-jre-jammy AS jre

FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04

# The same Temurin JRE as the other images, copied in rather than a distribution JRE of another build.
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/java/openjdk /opt/java/openjdk

RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates libtcmalloc-minimal4 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --gid 0 --home-dir /deployments --shell /usr/sbin/nologin srgan \
 && mkdir -p /deployments /var/cache/srgan/djl \
 && chown -R 10001:0 /deployments /var/cache/srgan && chmod -R g+rwX /var/cache/srgan

WORKDIR /deployments
COPY --chown=10001:0 worker/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=10001:0 worker/target/quarkus-app/*.jar /deployments/
COPY --chown=10001:0 worker/target/quarkus-app/app/ /deployments/app/
COPY --chown=10001:0 worker/target/quarkus-app/quarkus/ /deployments/quarkus/

# A CPU build here would start fine and then run every job on the CPU of a GPU node: refuse it.
RUN ls /deployments/lib/main/ai.djl.pytorch.pytorch-native-cu124-*.jar >/dev/null 2>&1 \
 || { echo "worker/target/quarkus-app is not a CUDA build: run mvn -Pcuda package" >&2; exit 1; }

USER 10001
EXPOSE 8081

# The unpacked CUDA libtorch is several GB: DJL_CACHE_DIR should be a volume with room for it
# (Kubernetes mounts an emptyDir there). The nvidia/cuda base already sets NVIDIA_VISIBLE_DEVICES
# and NVIDIA_DRIVER_CAPABILITIES=compute,utility.
# tcmalloc keeps PyTorch's freed activations for the next layer instead of handing them back to
# the kernel (inference 3-24% faster, a training step 18%; docs/benchmarks.md).
ENV DJL_CACHE_DIR=/var/cache/srgan/djl \
    LD_PRELOAD=libtcmalloc_minimal.so.4 \
    SRGAN_WORKER_DEVICE=cuda:0 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Dai.djl.offline=true -Djava.util.logging.manager=org.jboss.logmanager.LogManager" \
    JAVA_OPTS_APPEND=""

HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS "http://localhost:${QUARKUS_HTTP_PORT:-8081}/q/health/live" || exit 1

ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar"]
