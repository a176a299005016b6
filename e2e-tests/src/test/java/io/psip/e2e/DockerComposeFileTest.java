package io.psip.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of docker-compose.yml without Docker: it parses, it builds only modules of this project that
 * have a Dockerfile, it publishes the local defaults, and every setting it passes to a service is one that service
 * reads (CONTRACTS.md or the module's application.yml). DockerComposeStackIT runs the stack where Docker exists.
 */
class DockerComposeFileTest {

    /** The local defaults (README, CONTRACTS.md): the host ports each compose service publishes. */
    private static final Map<String, Set<String>> LOCAL_DEFAULT_PORTS = Map.ofEntries(
            Map.entry("secrets", Set.of()),
            Map.entry("kafka", Set.of("9092/tcp")),
            Map.entry("schema-registry", Set.of("8081/tcp")),
            Map.entry("postgres", Set.of("15432/tcp")),
            Map.entry("provisioning", Set.of("8080/tcp")),
            Map.entry("webhook", Set.of("8082/tcp")),
            Map.entry("voice", Set.of("8083/tcp")),
            Map.entry("console", Set.of("8084/tcp")),
            Map.entry("routing-us", Set.of("8091/tcp", "5060/udp", "5060/tcp", "5061/tcp")),
            Map.entry("routing-eu", Set.of("8092/tcp", "5070/udp", "5070/tcp", "5071/tcp")),
            Map.entry("routing-ap", Set.of("8093/tcp", "5080/udp", "5080/tcp", "5081/tcp")),
            // profile "regional" (bin/psip-local --regional-clusters); routing-ap-regional takes routing-ap's place
            Map.entry("kafka-ap", Set.of("9094/tcp")),
            Map.entry("mirror-maker", Set.of()),
            Map.entry("schemas-central", Set.of()),
            Map.entry("schema-registry-ap", Set.of("8085/tcp")),
            Map.entry("webhook-ap", Set.of("8086/tcp")),
            Map.entry("routing-ap-regional", Set.of("8093/tcp", "5080/udp", "5080/tcp", "5081/tcp")));

    private static final Set<String> SERVICE_MODULES = Set.of("provisioning-service", "webhook-service",
            "routing-service", "voice-service", "console");

    /** Settings a service reads in Spring's relaxed environment form. */
    private static final Pattern SETTING = Pattern.compile("(PSIP|SPRING|SERVER|MANAGEMENT)_[A-Z0-9_]+");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    private static Path root;
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    static void parseComposeFile() throws IOException {
        root = ProjectDirs.root();
        try (Reader reader = Files.newBufferedReader(root.resolve("docker-compose.yml"), StandardCharsets.UTF_8)) {
            Map<String, Object> compose = new Yaml().load(reader);
            services = map(compose.get("services"));
        }
    }

    @Test
    void declaresInfrastructureEveryServiceAndAllThreeRegions() {
        assertThat(services).containsOnlyKeys(LOCAL_DEFAULT_PORTS.keySet());
        assertThat(image("kafka")).startsWith("apache/kafka:");
        assertThat(image("schema-registry")).startsWith("confluentinc/cp-schema-registry:");
        assertThat(image("postgres")).startsWith("postgres:");
        // generates the keys and the certificate with the JDK's keytool, then exits
        assertThat(image("secrets")).startsWith("eclipse-temurin:");
    }

    @Test
    void everyBuiltServiceIsAModuleOfThisProjectWithADockerfile() throws IOException {
        String rootPom = Files.readString(root.resolve("pom.xml"));
        Set<String> builtModules = new TreeSet<>();
        services.forEach((name, service) -> {
            if (!service.containsKey("build")) {
                return;
            }
            String context = buildContext(service);
            Path module = root.resolve(context).normalize();
            String moduleName = module.getFileName().toString();
            assertThat(module.getParent()).as("%s builds %s", name, context).isEqualTo(root);
            assertThat(rootPom).as("%s builds a module of the root pom", name)
                    .contains("<module>" + moduleName + "</module>");
            assertThat(module.resolve("Dockerfile")).as("%s has a Dockerfile", moduleName).isRegularFile()
                    .content().contains("FROM eclipse-temurin:17-jre").contains("COPY target/");
            assertThat(service).as("%s is built, not pulled", name).doesNotContainKey("image");
            builtModules.add(moduleName);
        });
        assertThat(builtModules).isEqualTo(SERVICE_MODULES);
    }

    @Test
    void publishesExactlyTheLocalDefaultPortsWhereTheServicesListen() {
        services.forEach((name, service) -> {
            Set<String> published = new HashSet<>();
            for (Object entry : list(service.get("ports"))) {
                Port port = Port.parse(String.valueOf(entry));
                published.add(port.host() + "/" + port.protocol());
                if (service.containsKey("build")) {
                    // A built service listens where its settings say; the container port must be one of them.
                    assertThat(environment(service).values()).as("%s listens on container port %s", name, port)
                            .contains(String.valueOf(port.container()));
                }
            }
            assertThat(published).as("ports of %s", name).isEqualTo(LOCAL_DEFAULT_PORTS.get(name));
        });
    }

    @Test
    void everySettingPassedToAServiceIsAKeyThatServiceReads() throws IOException {
        Map<String, Set<String>> contractKeys = contractSettingKeys();
        for (Map.Entry<String, Map<String, Object>> entry : services.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> service = entry.getValue();
            if (!service.containsKey("build")) {
                continue;
            }
            String module = root.resolve(buildContext(service)).normalize().getFileName().toString();
            Set<String> known = new HashSet<>(contractKeys.getOrDefault("", Set.of()));
            known.addAll(contractKeys.getOrDefault(module, Set.of()));
            known.addAll(applicationYamlKeys(root.resolve(module)));
            Set<String> knownInEnvironmentForm = new HashSet<>();
            known.forEach(key -> knownInEnvironmentForm.addAll(environmentForms(key)));

            Map<String, String> environment = environment(service);
            assertThat(environment).as("%s gets settings", name).isNotEmpty();
            environment.keySet().stream().filter(variable -> SETTING.matcher(variable).matches())
                    .forEach(variable -> assertThat(knownInEnvironmentForm)
                            .as("%s passes %s; %s reads %s", name, variable, module, new TreeSet<>(known))
                            .contains(variable));
            // Addresses of other containers name services of this file.
            environment.values().forEach(value -> {
                Matcher host = Pattern.compile("^(?:[a-z]+:(?://|[a-z]+://)?)?([a-z][a-z0-9-]*):\\d+").matcher(value);
                if (host.find()) {
                    assertThat(services).as("%s refers to %s", name, value).containsKey(host.group(1));
                }
            });
        }
    }

    /** Keys of the settings table in CONTRACTS.md, by module ("" for every service). */
    private static Map<String, Set<String>> contractSettingKeys() throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("docs/CONTRACTS.md"), StandardCharsets.UTF_8);
        Map<String, Set<String>> keys = new TreeMap<>();
        boolean inSettings = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inSettings = line.startsWith("## Settings");
                continue;
            }
            if (!inSettings || !line.startsWith("|") || line.startsWith("|---")) {
                continue;
            }
            String firstCell = line.split("\\|")[1];
            int tick = firstCell.indexOf('`');
            if (tick < 0) {
                continue;
            }
            // "provisioning: `spring.datasource.url` / `username`": scoped to one service, siblings abbreviated.
            String scope = firstCell.substring(0, tick).replace(":", "").trim();
            String module = scope.isEmpty() ? "" : scope + "-service";
            Matcher backticked = BACKTICKED.matcher(firstCell);
            String parent = "";
            while (backticked.find()) {
                String key = backticked.group(1);
                if (key.contains(".")) {
                    parent = key.substring(0, key.lastIndexOf('.') + 1);
                } else {
                    key = parent + key;
                }
                keys.computeIfAbsent(module, m -> new TreeSet<>()).add(key);
            }
        }
        assertThat(keys).as("settings table of CONTRACTS.md").isNotEmpty();
        return keys;
    }

    /** Every key a module sets in its application.yml (all documents, flattened). */
    private static Set<String> applicationYamlKeys(Path module) throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String name : List.of("application.yml", "application.yaml")) {
            Path file = module.resolve("src/main/resources").resolve(name);
            if (Files.isRegularFile(file)) {
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    for (Object document : new Yaml().loadAll(reader)) {
                        flatten("", document, keys);
                    }
                }
            }
        }
        return keys;
    }

    private static void flatten(String prefix, Object node, Set<String> keys) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, keys));
        } else if (!prefix.isEmpty()) {
            keys.add(prefix);
        }
    }

    /**
     * The environment variables Spring Boot binds to a property key: psip.sip.bind-address is read from
     * PSIP_SIP_BINDADDRESS (canonical form) and from PSIP_SIP_BIND_ADDRESS (the legacy form it still maps).
     */
    private static Set<String> environmentForms(String key) {
        String upper = key.replace('.', '_').toUpperCase(Locale.ROOT);
        return new HashSet<>(List.of(upper.replace("-", ""), upper.replace('-', '_')));
    }

    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object declared = service.get("environment");
        if (declared instanceof Map<?, ?> map) {
            map.forEach((k, v) -> environment.put(String.valueOf(k), String.valueOf(v)));
        } else {
            for (Object entry : list(declared)) {
                String[] pair = String.valueOf(entry).split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
        }
        return environment;
    }

    private static String buildContext(Map<String, Object> service) {
        Object build = service.get("build");
        return build instanceof Map<?, ?> b ? String.valueOf(b.get("context")) : String.valueOf(build);
    }

    private static String image(String service) {
        return String.valueOf(services.get(service).get("image"));
    }

    /** A short-syntax port mapping: [ip:]host:container[/protocol]. */
    private record Port(int host, int container, String protocol) {
        static Port parse(String mapping) {
            String[] protocolSplit = mapping.split("/", 2);
            String[] parts = protocolSplit[0].split(":");
            assertThat(parts.length).as("port mapping %s names host and container port", mapping)
                    .isBetween(2, 3);
            return new Port(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]),
                    protocolSplit.length > 1 ? protocolSplit[1] : "tcp");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Map<String, Object>>) node;
    }

    private static List<Object> list(Object node) {
        return node instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }
}
