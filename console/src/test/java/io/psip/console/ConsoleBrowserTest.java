package io.psip.console;

import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestPostgres;
import io.psip.testsupport.TestSecrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in headless Chromium against the real provisioning service (its jar, in a child JVM, on the test
 * PostgreSQL and broker): sign-in, the API's own errors on the pages, and an application, a domain with a digest
 * user, and a number created through the forms. A screenshot of each page goes to target/screenshots.
 */
class ConsoleBrowserTest {

    private static final String ADMIN = "psiplocal:psiplocalsecret";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Process provisioning;
    private static Path provisioningLog;
    private static ConfigurableApplicationContext console;
    private static String consoleUrl;
    private static String apiUrl;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        int consolePort = FreePorts.tcp();
        int apiPort = FreePorts.tcp();
        consoleUrl = "http://127.0.0.1:" + consolePort;
        apiUrl = "http://127.0.0.1:" + apiPort;
        provisioningLog = Files.createTempFile("provisioning", ".log");
        provisioning = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-jar", provisioningJar().toString(),
                "--server.port=" + apiPort,
                "--spring.datasource.url=" + TestPostgres.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.secrets.key-file=" + TestSecrets.keyFile(),
                "--psip.operator.password=console-test-operator",
                "--psip.api.cors.allowed-origins=" + consoleUrl))
                .redirectErrorStream(true).redirectOutput(provisioningLog.toFile()).start();
        console = SpringApplication.run(ConsoleApplication.class, "--server.port=" + consolePort,
                "--psip.console.api-url=" + apiUrl);
        await("provisioning ready (log " + provisioningLog + ")").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> provisioning.isAlive() && status("GET", "/actuator/health/readiness", null, null) == 200);

        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100");
        browser = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).build(), options);
        wait = new WebDriverWait(browser, WAIT);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
        if (provisioning != null) {
            provisioning.destroy();
        }
    }

    @Test
    void anOperatorSignsInAndProvisionsAnApplicationADomainAndANumber() throws Exception {
        String tenant = newTenant();
        String key = tenant.substring(0, tenant.indexOf(':'));
        String secret = tenant.substring(tenant.indexOf(':') + 1);
        String suffix = UUID.randomUUID().toString().substring(0, 8);

        browser.get(consoleUrl + "/");
        visible("api-key").sendKeys(key);
        visible("api-secret").sendKeys("not-the-secret");
        screenshot("sign-in");
        browser.findElement(By.id("sign-in-submit")).click();
        // the API's own 401 problem, on the form
        assertThat(visible("sign-in-problem").getText()).isNotBlank();
        screenshot("sign-in-refused");

        visible("api-secret").clear();
        visible("api-secret").sendKeys(secret);
        browser.findElement(By.id("sign-in-submit")).click();
        visible("applications");
        assertThat(browser.findElement(By.id("sign-in")).isDisplayed()).isFalse();
        // the credentials live in this tab only
        JavascriptExecutor page = (JavascriptExecutor) browser;
        assertThat(page.executeScript("return sessionStorage.getItem('psip.apiKey')")).isEqualTo(key);
        assertThat(page.executeScript("return localStorage.length + document.cookie.length")).isEqualTo(0L);

        // a validation error from the API: a nameless application
        visible("application-save").click();
        WebElement invalid = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#application-problem .invalid-parameter")));
        assertThat(invalid.getText()).contains("name").contains("is required");
        screenshot("application-invalid");

        String appName = "console-app-" + suffix;
        visible("application-name").sendKeys(appName);
        visible("application-answer-url").sendKeys("https://example.com/answer");
        visible("application-event-url").sendKeys("https://example.com/event");
        visible("application-save").click();
        row(".application-row", appName);
        assertThat(visible("application-private-key").getText()).contains("BEGIN PRIVATE KEY");
        assertThat(browser.findElement(By.id("application-problem")).isDisplayed()).isFalse();

        // edit: the form is filled from the list, the change is saved through PUT
        browser.findElements(By.cssSelector(".application-row")).stream()
                .filter(r -> r.getText().contains(appName)).findFirst().orElseThrow()
                .findElement(By.cssSelector("button.edit")).click();
        assertThat(visible("application-name").getAttribute("value")).isEqualTo(appName);
        visible("application-name").sendKeys("-renamed");
        visible("application-save").click();
        row(".application-row", appName + "-renamed");
        screenshot("applications");

        visible("nav-domains").click();
        visible("domains");
        String domain = "console-" + suffix;
        visible("domain-name").sendKeys(domain);
        new Select(visible("domain-application")).selectByVisibleText(appName + "-renamed");
        visible("domain-acl").sendKeys("192.0.2.1/32");
        visible("domain-save").click();
        row(".domain-row", domain);
        browser.findElements(By.cssSelector(".domain-row")).stream()
                .filter(r -> r.getText().contains(domain)).findFirst().orElseThrow()
                .findElement(By.cssSelector("button.users")).click();
        visible("user-key").sendKeys("alice");
        visible("user-secret").sendKeys("alice-secret-123");
        visible("user-save").click();
        row(".user-row", "alice");
        screenshot("domains");

        visible("nav-numbers").click();
        visible("numbers");
        String number = "+1415" + (1_000_000 + Math.floorMod(System.nanoTime(), 8_000_000));
        visible("number-number").sendKeys(number);
        new Select(visible("number-application")).selectByVisibleText(appName + "-renamed");
        visible("number-save").click();
        row(".number-row", number);
        screenshot("numbers");

        // what the pages show is what the API holds
        assertThat(get("/v1/numbers/" + number, tenant)).contains(number);
        assertThat(get("/v1/psip/" + domain + "/users", tenant)).contains("alice");
    }

    private static WebElement visible(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    private static void row(String css, String text) {
        wait.until(driver -> driver.findElements(By.cssSelector(css)).stream().anyMatch(r -> r.getText().contains(text)));
    }

    private static void screenshot(String page) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(page + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A fresh tenant through the admin API; returns "key:secret". */
    private static String newTenant() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/admin/accounts", "{}", ADMIN);
        assertThat(created.statusCode()).isEqualTo(201);
        return field(created.body(), "api_key") + ":" + field(created.body(), "api_secret");
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return m.group(1);
    }

    private static String get(String path, String credentials) throws Exception {
        HttpResponse<String> response = send("GET", path, null, credentials);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static int status(String method, String path, String body, String credentials) throws Exception {
        try {
            return send(method, path, body, credentials).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static HttpResponse<String> send(String method, String path, String body, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes()));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Provisioning's executable jar: the reactor packages it before this module's tests. */
    private static Path provisioningJar() throws IOException {
        Path target = Path.of(System.getProperty("psip.project-dir", ".."), "provisioning-service", "target");
        List<Path> jars = new ArrayList<>();
        try (var files = Files.list(target)) {
            files.filter(p -> p.getFileName().toString().matches("provisioning-service-[^-]+(-SNAPSHOT)?\\.jar")).forEach(jars::add);
        }
        assertThat(jars).as("provisioning's jar in " + target + " (package it first)").hasSize(1);
        return jars.get(0);
    }
}
