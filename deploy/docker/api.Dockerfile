# syntax=docker/dockerfile:1
#
# srgan/api: the REST API, the outbox relay and the dashboard, over the Quarkus fast-jar layout that
# `mvn package` writes to api/target/quarkus-app. Build from the repository root (the context needs
# only that folder: api.Dockerfile.dockerignore keeps data/ and the sources out of it):
#
#   mvn -B package -DskipTests -pl api -am
#   docker build -f deploy/docker/api.Dockerfile -t srgan/api:0.1.0 .
#
# The same image runs the Kubernetes migration Job (dev.srgan.api.ops.MigrateCommand, k8s/base).
FROM eclipse-temurin:17-jre-jammy

# curl for the HEALTHCHECK (docker compose); Kubernetes uses its own HTTP probes instead.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --gid 0 --home-dir /deployments --shell /usr/sbin/nologin srgan

WORKDIR /deployments
# Four layers, least changing first: a code change rebuilds only app/ (a few MB), not lib/.
COPY --chown=10001:0 api/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=10001:0 api/target/quarkus-app/*.jar /deployments/
COPY --chown=10001:0 api/target/quarkus-app/app/ /deployments/app/
COPY --chown=10001:0 api/target/quarkus-app/quarkus/ /deployments/quarkus/

# Group 0 owns the files so that a random UID in group 0 (OpenShift) can run it too.
USER 10001
EXPOSE 8080

# The heap follows the container's memory limit; JAVA_OPTS_APPEND adds options without repeating these.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.util.logging.manager=org.jboss.logmanager.LogManager" \
    JAVA_OPTS_APPEND=""

HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://localhost:${QUARKUS_HTTP_PORT:-8080}/q/health/live" || exit 1

# exec: java is PID 1 and receives SIGTERM itself (graceful shutdown).
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar"]
