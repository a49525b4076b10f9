package dev.srgan.api;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;

/**
 * Credentials for the api tests. The test profile registers {@link #ADMIN_TOKEN} as the bootstrap
 * admin ({@code %test.srgan.bootstrap-admin-token}), exactly as {@code ./srgan up} does with the
 * token it generates; tests that are not about authentication send it with every request.
 */
final class TestAuth {
    static final String ADMIN_TOKEN = "srgan_test-admin-token-for-the-api-tests-only";

    private TestAuth() {}

    /** Every following RestAssured request of this test sends the admin token. */
    static void asAdmin() {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + ADMIN_TOKEN)
                .build();
    }

    /** Requests carry only what the test adds itself. */
    static void anonymous() {
        RestAssured.requestSpecification = null;
    }
}
