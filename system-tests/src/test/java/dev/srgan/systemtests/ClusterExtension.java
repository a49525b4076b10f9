package dev.srgan.systemtests;

import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one cluster fixture of the system tests: starts a {@link Cluster} with {@code workers}
 * workers before the class's first test (and before its own {@code @BeforeAll} methods), hands it
 * to the class, and stops it after the last (and after its {@code @AfterAll} methods), also when a
 * test failed; the processes' logs stay in {@code system-tests/target/logs}.
 *
 * <pre>{@code
 * static Cluster cluster;
 *
 * @RegisterExtension
 * static final ClusterExtension CLUSTER = new ClusterExtension(2, c -> cluster = c);
 * }</pre>
 */
final class ClusterExtension implements BeforeAllCallback, AfterAllCallback {
    private final int workers;
    private final Consumer<Cluster> started;
    private Cluster cluster;

    ClusterExtension(int workers, Consumer<Cluster> started) {
        this.workers = workers;
        this.started = started;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = Cluster.start(workers);
        started.accept(cluster);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            if (context.getExecutionException().isPresent()) {
                System.out.println(context.getDisplayName() + " failed; the cluster's logs are in " + cluster.logs);
            }
            cluster.close();
            cluster = null;
        }
    }
}
