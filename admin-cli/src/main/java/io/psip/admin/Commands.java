package io.psip.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.psip.schemas.registry.SchemaCatalog;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.registry.SchemaRegistryException;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static io.psip.admin.AdminHttp.JSON;

/** The commands, each a request or two to the platform and its answer as a table (or, with --json, as JSON). */
final class Commands {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(10);

    private final Targets targets;
    private final AdminHttp http;
    private final boolean json;
    private final PrintStream out;
    private final PrintStream err;

    Commands(Targets targets, AdminHttp http, boolean json, PrintStream out, PrintStream err) {
        this.targets = targets;
        this.http = http;
        this.json = json;
        this.out = out;
        this.err = err;
    }

    int run(String command, Arguments args, List<String> operands) {
        if (!command.equals("outbox") && !command.equals("schemas") && !operands.isEmpty()) {
            throw new UsageException(command, "unexpected '" + String.join(" ", operands) + "'");
        }
        return switch (command) {
            case "status" -> status(args);
            case "rebuild" -> rebuild(args);
            case "ack-dead-letters" -> acknowledge(args);
            case "redeliver" -> redeliver(args);
            case "repair" -> repair();
            case "outbox" -> outbox(operands);
            case "schemas" -> schemas(args, operands);
            default -> throw new IllegalStateException("no implementation for " + command);
        };
    }

    // ---- status

    private int status(Arguments args) {
        String only = args.value("--region");
        List<String> regions = only == null ? Targets.REGIONS : List.of(region(only, "status"));
        ObjectNode all = JSON.createObjectNode();
        int[] exit = {Failures.OK};
        ObjectNode routing = all.putObject("routing");
        for (String region : regions) {
            routing.set(region, attempt(exit, () -> http.get(admin(targets.routing(region), "/tables"),
                    targets.operatorAuth())));
        }
        ObjectNode webhook = all.putObject("webhook");
        webhook.set("tables", attempt(exit, () -> http.get(admin(targets.webhook(), "/tables"),
                targets.operatorAuth())));
        webhook.set("dead_letters", attempt(exit, () -> http.get(admin(targets.webhook(), "/dead-letters"),
                targets.operatorAuth())));
        all.putObject("provisioning").set("outbox", attempt(exit,
                () -> http.get(admin(targets.provisioning(), "/outbox"), targets.accountAuth())));
        if (json) {
            printJson(all);
            return exit[0];
        }
        TextTable instances = new TextTable("SERVICE", "INSTANCE", "READY", "GENERATION", "REBUILD");
        TextTable tables = new TextTable("SERVICE", "TABLE", "STATE", "ENTRIES", "MAX_VERSION", "LAG", "DEAD_LETTERS",
                "STUCK");
        StringBuilder problems = new StringBuilder();
        routing.fields().forEachRemaining(entry -> {
            JsonNode status = entry.getValue();
            if (status.has("error")) {
                problems.append(entry.getKey()).append(": ").append(status.get("error").asText()).append('\n');
                return;
            }
            JsonNode rebuild = status.path("rebuild");
            instances.row(entry.getKey(), text(status, "instance_id"), yesNo(status.path("ready")),
                    text(status, "generation"), rebuild.isMissingNode() || rebuild.isNull() ? null
                            : text(rebuild, "state") + (rebuild.hasNonNull("error")
                            ? " (" + rebuild.get("error").asText() + ")" : ""));
            addTables(tables, entry.getKey(), status);
        });
        JsonNode webhookTables = webhook.get("tables");
        if (webhookTables.has("error")) {
            problems.append("webhook: ").append(webhookTables.get("error").asText()).append('\n');
        } else {
            instances.row("webhook", text(webhookTables, "instance_id"), yesNo(webhookTables.path("ready")), null,
                    null);
            addTables(tables, "webhook", webhookTables);
        }
        for (TextTable table : List.of(instances, tables)) {
            if (!table.isEmpty()) {
                table.print(out);
                out.println();
            }
        }
        JsonNode deadLetters = webhook.get("dead_letters");
        if (deadLetters.has("error")) {
            problems.append("webhook dead letters: ").append(deadLetters.get("error").asText()).append('\n');
        } else {
            out.printf("webhook dead letters: %s on %s%s%n", text(deadLetters, "count"), text(deadLetters, "topic"),
                    deadLetters.path("count").asLong() == 0 ? ""
                            : " (oldest " + text(deadLetters, "oldest") + ", newest " + text(deadLetters, "newest")
                            + "; psip-admin redeliver --dead-letters)");
        }
        JsonNode outbox = all.path("provisioning").get("outbox");
        if (outbox.has("error")) {
            problems.append("provisioning outbox: ").append(outbox.get("error").asText()).append('\n');
        } else {
            out.printf("provisioning outbox: %s pending, %s set aside%s%n", text(outbox, "pending"),
                    text(outbox, "set_aside"), outbox.path("set_aside").asLong() == 0 ? ""
                            : " (psip-admin outbox)");
        }
        if (!problems.isEmpty()) {
            err.print(problems);
        }
        return exit[0];
    }

    private static void addTables(TextTable tables, String service, JsonNode status) {
        for (JsonNode table : status.path("tables")) {
            JsonNode stuck = table.path("stuck");
            tables.row(service, text(table, "topic"), text(table, "state"), text(table, "entries"),
                    text(table, "max_version"), text(table, "lag"), text(table, "dead_letters"),
                    stuck.isMissingNode() || stuck.isNull() ? null
                            : "p" + text(stuck, "partition") + "@" + text(stuck, "offset") + " since "
                            + text(stuck, "since") + ": " + text(stuck, "error"));
        }
    }

    /**
     * One request of several: its answer, or what went wrong as {@code {"error": ...}} while the others go on.
     * The exit code is the worst seen: cannot connect (3) over refused (1).
     */
    private static JsonNode attempt(int[] exit, Supplier<JsonNode> request) {
        try {
            return request.get();
        } catch (Failures.Refused e) {
            exit[0] = Math.max(exit[0], Failures.REFUSED);
            ObjectNode error = JSON.createObjectNode().put("error", "refused: " + e.getMessage())
                    .put("status", e.status());
            if (e.body() != null) {
                error.set("problem", e.body());
            }
            return error;
        } catch (Failures.Unreachable e) {
            exit[0] = Failures.UNREACHABLE;
            return JSON.createObjectNode().put("error", e.getMessage());
        }
    }

    // ---- rebuild

    private int rebuild(Arguments args) {
        String region = region(required(args, "--region", "rebuild"), "rebuild");
        URI tables = admin(targets.routing(region), "/tables");
        boolean wait = args.flag("--wait");
        Duration timeout = Duration.ofSeconds(positive(args.value("--timeout"), 600, "--timeout", "rebuild"));
        if (args.value("--timeout") != null && !wait) {
            throw new UsageException("rebuild", "--timeout goes with --wait");
        }
        long before = wait ? http.get(tables, targets.operatorAuth()).path("generation").asLong() : 0;
        JsonNode started = http.post(admin(targets.routing(region), "/tables/rebuild"), targets.operatorAuth(), null);
        if (!wait) {
            if (json) {
                printJson(started);
            } else {
                out.printf("rebuild of %s: %s (the tables are built aside from offset 0 while the current ones "
                        + "serve; psip-admin status --region %s)%n", region, text(started, "state"), region);
            }
            return Failures.OK;
        }
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonNode status = http.get(tables, targets.operatorAuth());
            JsonNode rebuild = status.path("rebuild");
            String state = text(rebuild, "state");
            if ("failed".equals(state)) {
                if (json) {
                    printJson(status);
                }
                err.printf("psip-admin: rebuild of %s failed: %s%n", region, text(rebuild, "error"));
                return Failures.REFUSED;
            }
            if (!"building".equals(state) && status.path("generation").asLong() > before) {
                if (json) {
                    printJson(status);
                } else {
                    out.printf("rebuild of %s: done, generation %s (started %s, finished %s)%n", region,
                            text(status, "generation"), text(rebuild, "started_at"), text(rebuild, "finished_at"));
                }
                return Failures.OK;
            }
            if (Instant.now().isAfter(deadline)) {
                err.printf("psip-admin: rebuild of %s still %s after %d s%n", region, state, timeout.toSeconds());
                return Failures.REFUSED;
            }
            pause();
        }
    }

    // ---- ack-dead-letters

    private int acknowledge(Arguments args) {
        String where = required(args, "--region", "ack-dead-letters");
        String topic = required(args, "--topic", "ack-dead-letters");
        if (!TOPIC.matcher(topic).matches()) {
            throw new UsageException("ack-dead-letters", "not a topic name: '" + topic + "'");
        }
        URI service = where.equals("webhook") ? targets.webhook()
                : targets.routing(region(where, "ack-dead-letters"));
        JsonNode table = http.post(admin(service, "/tables/" + topic + "/dead-letters/acknowledge"),
                targets.operatorAuth(), null);
        if (json) {
            printJson(table);
            return Failures.OK;
        }
        TextTable tables = new TextTable("SERVICE", "TABLE", "STATE", "ENTRIES", "MAX_VERSION", "LAG",
                "DEAD_LETTERS", "STUCK");
        addTables(tables, where, JSON.createObjectNode().set("tables", JSON.createArrayNode().add(table)));
        tables.print(out);
        return Failures.OK;
    }

    // ---- redeliver

    private int redeliver(Arguments args) {
        String call = args.value("--call");
        String from = args.value("--from");
        String to = args.value("--to");
        boolean deadLetters = args.flag("--dead-letters");
        ObjectNode body = JSON.createObjectNode();
        if (call != null && (from != null || to != null)) {
            throw new UsageException("redeliver", "give --call or --from/--to, not both");
        }
        if (call != null) {
            if (call.isBlank()) {
                throw new UsageException("redeliver", "--call needs a call uuid");
            }
            body.put("call_uuid", call);
        } else if (from != null || to != null) {
            if (from == null || to == null) {
                throw new UsageException("redeliver", "a window needs both --from and --to");
            }
            Instant start = instant(from, "--from");
            Instant end = instant(to, "--to");
            if (!start.isBefore(end)) {
                throw new UsageException("redeliver", "--from must be before --to");
            }
            body.put("from", start.toString()).put("to", end.toString());
        } else if (!deadLetters) {
            throw new UsageException("redeliver", "give --call UUID, or --from and --to (or --dead-letters alone)");
        }
        if (deadLetters) {
            body.put("source", "dead-letters");
        }
        JsonNode result = http.post(admin(targets.webhook(), "/redeliveries"), targets.operatorAuth(), body);
        if (json) {
            printJson(result);
            return Failures.OK;
        }
        out.printf("re-delivered %s post(s) of %s call(s)%s, same idempotency keys%n", text(result, "redelivered"),
                text(result, "calls"), deadLetters ? " from the dead letters" : "");
        if (result.path("not_found").asLong() > 0) {
            out.printf("%s dead letter(s) had no post left in the delivery history (older than its retention)%n",
                    text(result, "not_found"));
        }
        return Failures.OK;
    }

    private static Instant instant(String value, String option) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new UsageException("redeliver", option + " must be an ISO-8601 instant like 2026-12-02T15:00:00Z, "
                    + "not '" + value + "'");
        }
    }

    // ---- repair and outbox

    private int repair() {
        JsonNode result = http.post(admin(targets.provisioning(), "/repair"), targets.accountAuth(), null);
        if (json) {
            printJson(result);
            return Failures.OK;
        }
        StringBuilder counts = new StringBuilder();
        result.fields().forEachRemaining(field -> counts.append(counts.isEmpty() ? "" : ", ")
                .append(field.getValue().asText()).append(' ').append(field.getKey()));
        out.println("repair queued: " + counts + " re-published through the outbox");
        return Failures.OK;
    }

    private int outbox(List<String> operands) {
        if (operands.isEmpty() || operands.equals(List.of("list"))) {
            JsonNode outbox = http.get(admin(targets.provisioning(), "/outbox"), targets.accountAuth());
            if (json) {
                printJson(outbox);
                return Failures.OK;
            }
            out.printf("outbox: %s pending, %s set aside%n", text(outbox, "pending"), text(outbox, "set_aside"));
            if (!outbox.path("rows").isEmpty()) {
                out.println();
                TextTable rows = new TextTable("ID", "TOPIC", "KEY", "SET_ASIDE_AT", "REASON");
                outbox.path("rows").forEach(row -> rows.row(text(row, "id"), text(row, "topic"), text(row, "key"),
                        text(row, "set_aside_at"), text(row, "reason")));
                rows.print(out);
            }
            return Failures.OK;
        }
        if (operands.size() == 2 && operands.get(0).equals("retry")) {
            long id = positive(operands.get(1), 0, "the row ID", "outbox");
            JsonNode result = http.post(admin(targets.provisioning(), "/outbox/" + id + "/retry"),
                    targets.accountAuth(), null);
            if (json) {
                printJson(result);
            } else {
                out.printf("outbox row %d is pending again: it is published in its key's order%n", id);
            }
            return Failures.OK;
        }
        throw new UsageException("outbox", "expected 'outbox', 'outbox list' or 'outbox retry ID'");
    }

    // ---- schemas

    private int schemas(Arguments args, List<String> operands) {
        if (operands.size() != 1 || !List.of("check", "register").contains(operands.get(0))) {
            throw new UsageException("schemas", "expected 'schemas check' or 'schemas register'");
        }
        URI registry = targets.registry();
        SchemaRegistryClient client = new SchemaRegistryClient(registry.toString(), REGISTRY_TIMEOUT);
        try {
            return operands.get(0).equals("check") ? checkSchemas(client) : registerSchemas(client);
        } catch (SchemaRegistryException e) {
            if (e.status() == 0) {
                throw new Failures.Unreachable("cannot connect to the schema registry " + registry + ": "
                        + e.getMessage(), e);
            }
            throw new Failures.Refused("schema registry " + registry + ": " + e.getMessage(), e.status(), null);
        }
    }

    private int checkSchemas(SchemaRegistryClient client) {
        List<String> refused = SchemaCatalog.incompatible(client);
        ObjectNode result = JSON.createObjectNode().put("registry", client.baseUrl());
        ArrayNode subjects = result.putArray("subjects");
        TextTable table = new TextTable("SUBJECT", "RESULT");
        for (SchemaCatalog.Entry entry : SchemaCatalog.current()) {
            boolean compatible = !refused.contains(entry.subject());
            subjects.addObject().put("subject", entry.subject()).put("compatible", compatible);
            table.row(entry.subject(), compatible ? "compatible" : "INCOMPATIBLE");
        }
        if (json) {
            printJson(result);
        } else {
            table.print(out);
            out.printf("%d subject(s) checked against %s: %s%n", subjects.size(), client.baseUrl(),
                    refused.isEmpty() ? "all compatible" : refused.size() + " incompatible");
        }
        if (!refused.isEmpty()) {
            err.println("psip-admin: the registry would refuse: " + String.join(", ", refused));
            return Failures.REFUSED;
        }
        return Failures.OK;
    }

    private int registerSchemas(SchemaRegistryClient client) {
        Map<String, Integer> ids = SchemaCatalog.register(client);
        if (json) {
            ObjectNode result = JSON.createObjectNode().put("registry", client.baseUrl());
            ObjectNode registered = result.putObject("registered");
            ids.forEach(registered::put);
            printJson(result);
            return Failures.OK;
        }
        TextTable table = new TextTable("SUBJECT", "ID");
        ids.forEach(table::row);
        table.print(out);
        out.printf("%d subject(s) registered in %s%n", ids.size(), client.baseUrl());
        return Failures.OK;
    }

    // ---- helpers

    private static URI admin(URI service, String path) {
        return URI.create(service + "/v1/admin" + path);
    }

    private static String required(Arguments args, String option, String command) {
        String value = args.value(option);
        if (value == null || value.isBlank()) {
            throw new UsageException(command, command + " needs " + option);
        }
        return value;
    }

    private static String region(String region, String command) {
        if (!Targets.REGIONS.contains(region)) {
            throw new UsageException(command, "unknown region '" + region + "' (us, eu or ap)");
        }
        return region;
    }

    private static long positive(String value, long otherwise, String what, String command) {
        if (value == null) {
            return otherwise;
        }
        try {
            long number = Long.parseLong(value);
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // the usage error below
        }
        throw new UsageException(command, what + " must be a positive number, not '" + value + "'");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value.asText();
    }

    private static String yesNo(JsonNode ready) {
        return ready.isBoolean() ? (ready.asBoolean() ? "yes" : "NO") : "-";
    }

    private void printJson(JsonNode node) {
        out.println(node.toPrettyString());
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failures.Unreachable("interrupted while waiting", e);
        }
    }
}
