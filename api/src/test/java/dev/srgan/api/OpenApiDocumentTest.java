package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /q/openapi} describes the API as it answers: its real success and error statuses with
 * the error body, the bearer scheme, and no dashboard page. (The system tests drive the api with
 * a client generated from this document: PipelineSystemTest.)
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class OpenApiDocumentTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static JsonNode document;

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void fetchWithoutAToken() throws Exception {
        TestAuth.anonymous();
        if (document == null) {
            document = new ObjectMapper()
                    .readTree(given().queryParam("format", "json")
                            .get("/q/openapi")
                            .then()
                            .statusCode(200)
                            .extract()
                            .asString());
        }
    }

    @Test
    void dashboardPagesAreNoOperations() {
        List<String> paths = new ArrayList<>();
        document.path("paths").fieldNames().forEachRemaining(paths::add);
        for (String page : List.of(
                "/",
                "/jobs",
                "/jobs/{id}",
                "/upscale",
                "/upscale/{id}",
                "/upscale/{id}/panel",
                "/training",
                "/training/sweeps",
                "/models",
                "/workers",
                "/login",
                "/logout",
                "/admin",
                "/overview/live")) {
            assertFalse(paths.contains(page), page + " is a page, not an operation: " + paths);
        }
        assertTrue(paths.stream().allMatch(p -> p.startsWith("/api/")), paths.toString());
        assertTrue(
                paths.containsAll(List.of(
                        "/api/upscale",
                        "/api/upscale/batch",
                        "/api/jobs/{id}",
                        "/api/training/sweeps/{id}/retry",
                        "/api/models/{id}/export",
                        "/api/models/comparison/{kind}",
                        "/api/tokens",
                        "/api/events")),
                paths.toString());
    }

    @Test
    void operationsListTheStatusesTheyAnswer() {
        assertEquals(
                Set.of("202", "400", "401", "403", "409", "413", "415", "422", "429"),
                statuses("/api/upscale", "post"));
        assertEquals(
                Set.of("202", "400", "401", "403", "409", "413", "415", "422", "429"),
                statuses("/api/upscale/batch", "post"));
        assertEquals(Set.of("200", "401", "404"), statuses("/api/jobs/{id}", "get"));
        assertEquals(Set.of("202", "401", "403", "404", "409"), statuses("/api/jobs/{id}/retry", "post"));
        assertEquals(Set.of("202", "400", "401", "403", "409", "415", "422", "429"), statuses("/api/training", "post"));
        assertEquals(
                Set.of("202", "400", "401", "403", "409", "415", "422", "429"),
                statuses("/api/training/sweeps", "post"));
        assertEquals(Set.of("201", "400", "401", "403", "409", "413", "415", "422"), statuses("/api/datasets", "post"));
        assertEquals(Set.of("201", "400", "401", "403", "415"), statuses("/api/tokens", "post"));
        assertEquals(Set.of("200", "400", "401", "404", "422"), statuses("/api/models/{id}/export", "get"));
        assertEquals(
                "#/components/schemas/UpscaleSubmitted",
                document.at("/paths/~1api~1upscale/post/responses/202/content/application~1json/schema/$ref")
                        .asText());
    }

    @Test
    void everyOperationHasASuccessAndEveryErrorTheErrorBody() {
        forEachOperation((name, operation) -> {
            Set<String> codes = new TreeSet<>();
            operation.path("responses").fieldNames().forEachRemaining(codes::add);
            assertTrue(codes.stream().anyMatch(c -> c.startsWith("2")), name + ": " + codes);
            assertTrue(codes.contains("401"), name + ": " + codes);
            operation.path("responses").fields().forEachRemaining(r -> {
                if (r.getKey().startsWith("4")) {
                    assertEquals(
                            "#/components/schemas/ApiError",
                            r.getValue()
                                    .at("/content/application~1json/schema/$ref")
                                    .asText(),
                            name + " " + r.getKey());
                }
            });
        });
        JsonNode error = document.at("/components/schemas/ApiError");
        assertEquals(Set.of("error", "field"), names(error.path("properties")));
        assertEquals("error", error.path("required").get(0).asText());
    }

    @Test
    void aBearerTokenIsRequiredByEveryOperation() {
        JsonNode scheme = document.at("/components/securitySchemes/bearer");
        assertEquals("http", scheme.path("type").asText());
        assertEquals("bearer", scheme.path("scheme").asText());
        assertEquals("[{\"bearer\":[]}]", document.path("security").toString());
        forEachOperation((name, operation) ->
                assertTrue(operation.path("security").isMissingNode(), name + " overrides the security"));
    }

    /** The document's 401 is the api's: every operation it lists refuses a request without a token. */
    @Test
    void everyOperationAnswers401WithoutAToken() {
        String id = UUID.randomUUID().toString();
        forEachOperation((name, operation) -> {
            String path = name.substring(name.indexOf(' ') + 1)
                    .replaceAll("\\{(step|idx)}", "0")
                    .replaceAll("\\{[a-z]+}", id);
            Iterator<String> types =
                    operation.path("requestBody").path("content").fieldNames();
            HttpResponse<String> r =
                    send(name.substring(0, name.indexOf(' ')), path, types.hasNext() ? types.next() : null);
            assertEquals(401, r.statusCode(), name + ": " + r.body());
            assertTrue(r.body().startsWith("{\"error\":"), name + ": " + r.body());
        });
    }

    /** A body of another Content-Type is refused before the token is checked, as the document's 415 says. */
    @Test
    void aBodyOfAnotherTypeIs415() {
        assertTrue(statuses("/api/training", "post").contains("415"));
        HttpResponse<String> r = send("post", "/api/training", "text/plain");
        assertEquals(415, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"error\":"), r.body());
    }

    private HttpResponse<String> send(String method, String path, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(root.toString()).resolve(path))
                .method(method.toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.noBody());
        if (contentType != null) {
            request.header(
                    "Content-Type",
                    contentType.equals("multipart/form-data") ? contentType + "; boundary=x" : contentType);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(method + " " + path, e);
        }
    }

    private Set<String> statuses(String path, String method) {
        JsonNode responses = document.path("paths").path(path).path(method).path("responses");
        assertFalse(responses.isMissingNode(), method + " " + path);
        return names(responses);
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void forEachOperation(java.util.function.BiConsumer<String, JsonNode> check) {
        document.path("paths")
                .fields()
                .forEachRemaining((Map.Entry<String, JsonNode> path) -> path.getValue()
                        .fields()
                        .forEachRemaining(op -> check.accept(op.getKey() + " " + path.getKey(), op.getValue())));
    }
}
