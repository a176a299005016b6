package io.psip.provisioning.web;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3 item 9 and the schema checks: success responses and documented errors validated against the
 * schemas of Vonage's psip.yml and application.v2.yml (OpenAPI 3.0 dialect). The media type of errors is the
 * one deliberate difference: application/problem+json instead of application/json.
 */
class VonageSchemaTest extends IntegrationTest {

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30());

    private static Schema psip(String name) {
        return SCHEMAS.getSchema(SchemaLocation.of("classpath:vonage/psip.yml#/components/schemas/" + name));
    }

    private static void assertMatches(Http.Response response, Schema schema) {
        List<Error> errors = schema.validate(response.json());
        assertThat(errors).as(response.body()).isEmpty();
    }

    @Test
    void domainResponsesMatchPsipYml() {
        String app = createApplication(admin());
        String name = Fixtures.uniqueDomain("schema");
        Http.Response created = admin().post("/v1/psip", Fixtures.domain(name, app, "192.0.2.1", "2001:db8::/32"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.contentType()).startsWith("application/json");
        assertMatches(created, psip("DomainObject"));
        assertMatches(admin().get("/v1/psip/" + name), psip("DomainObject"));
        Http.Response put = admin().put("/v1/psip/" + name, Fixtures.domain(name, app, "192.0.2.2"));
        assertThat(put.status()).isEqualTo(201);
        assertMatches(put, psip("DomainObject"));
        for (var item : admin().get("/v1/psip").json().at("/_embedded/domains")) {
            assertThat(psip("DomainObject").validate(item)).isEmpty();
        }
    }

    @Test
    void documentedErrorsMatchPsipYml() {
        Http.Response unauthorized = anonymous().get("/v1/psip/whatever");
        assertThat(unauthorized.status()).isEqualTo(401);
        assertMatches(unauthorized, psip("ErrorUnauthorized"));

        Http.Response notFound = admin().get("/v1/psip/no-such-domain");
        assertThat(notFound.status()).isEqualTo(404);
        assertMatches(notFound, psip("ErrorNotFound"));

        Http.Response invalidJson = admin().post("/v1/psip", "{\"name\": ");
        assertThat(invalidJson.status()).isEqualTo(400);
        assertMatches(invalidJson, psip("ErrorInvalidJson"));

        Http.Response unprocessable = admin().post("/v1/psip", "{\"name\": \"x\"}");
        assertThat(unprocessable.status()).isEqualTo(422);
        assertMatches(unprocessable, psip("ErrorVerificationFailed"));

        for (Http.Response error : List.of(unauthorized, notFound, invalidJson, unprocessable)) {
            assertThat(error.contentType()).startsWith("application/problem+json");
            assertThat(error.json().get("status").asInt()).isEqualTo(error.status());
        }
    }

    @Test
    void applicationResponsesMatchApplicationV2Yml() {
        Schema application = SCHEMAS.getSchema(
                SchemaLocation.of("classpath:vonage/application.v2.yml#/components/schemas/ApplicationResponse"));
        Schema collection = SCHEMAS.getSchema(
                SchemaLocation.of("classpath:vonage/application.v2.yml#/components/schemas/ApplicationResponseCollection"));
        Http.Response created = admin().post("/v2/applications", Fixtures.application("schema"));
        assertMatches(created, application);
        assertMatches(admin().get("/v2/applications/" + created.json().get("id").asString()), application);
        assertMatches(admin().get("/v2/applications?page_size=5"), collection);
    }

    @Test
    void theApiIsDescribedAndBrowsable() {
        Http.Response docs = anonymous().get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").has("/v1/psip")).isTrue();
        assertThat(docs.json().get("paths").has("/v1/psip/{domain}/users/{user}")).isTrue();
        assertThat(docs.json().get("paths").has("/v2/applications/{id}")).isTrue();
        assertThat(docs.json().get("paths").has("/v1/numbers")).isTrue();
        assertThat(docs.json().at("/components/securitySchemes/basicAuth/scheme").asString()).isEqualTo("basic");

        Http.Response ui = anonymous().get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger-ui");
    }
}
