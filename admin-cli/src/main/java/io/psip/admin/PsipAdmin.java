package io.psip.admin;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/psip-admin}: the operator's commands over the admin endpoints of routing, webhook and provisioning,
 * and over the schema registry. Talks to bin/psip-local's defaults without flags. Exit codes: 0 ok, 1 the
 * platform refused or failed (its problem detail printed), 2 usage error, 3 cannot connect.
 */
public final class PsipAdmin {

    /** One command: its name, operands and options as the help shows them, and the options it takes. */
    record Spec(String name, String synopsis, String summary, String details, Set<String> options) {
    }

    static final Set<String> GLOBAL_OPTIONS = Set.of("--routing-us", "--routing-eu", "--routing-ap", "--webhook",
            "--provisioning", "--operator", "--account", "--port-offset", "--json", "--help");
    /** Options that take a value; all others are flags. */
    static final Set<String> VALUED = Set.of("--routing-us", "--routing-eu", "--routing-ap", "--webhook",
            "--provisioning", "--operator", "--account", "--port-offset", "--region", "--topic", "--call", "--from",
            "--to", "--timeout", "--registry");

    static final Map<String, Spec> COMMANDS = new LinkedHashMap<>();

    static {
        add(new Spec("status", "status [--region R]",
                "each region's tables, webhook's tables and dead letters, provisioning's outbox",
                """
                        Per routing region (all three, or only --region us|eu|ap): instance, readiness, table-set
                        generation and rebuild state, and per table its state (caught-up, loading, stuck,
                        dead-lettered, failed), entries, highest version, lag behind the end offsets and dead
                        letters. Then webhook's tables, the webhook dead-letter topic's count and age, and
                        provisioning's outbox (rows pending and set aside). A service that cannot be reached is
                        shown as such and the exit code is 3.""",
                Set.of("--region")));
        add(new Spec("rebuild", "rebuild --region R [--wait [--timeout SECONDS]]",
                "rebuild a region's tables from offset 0 while it keeps serving",
                """
                        Routing builds a new table set aside from offset 0 while the current one keeps serving
                        calls, then swaps it in; the generation goes up by one. --wait polls until the swap (exit
                        0) or a failure (exit 1), at most --timeout seconds (default 600). A rebuild already
                        running is refused (409, exit 1).""",
                Set.of("--region", "--wait", "--timeout")));
        add(new Spec("ack-dead-letters", "ack-dead-letters --region R|webhook --topic TOPIC",
                "say a table's dead letters are dealt with, so it may report ready again",
                """
                        A record a table can never decode goes to psip.table-dlq and keeps that table (and
                        readiness) down until the operator acknowledges it here, once the record is dealt with
                        (see the runbook). --region webhook means webhook's own tables.""",
                Set.of("--region", "--topic")));
        add(new Spec("redeliver", "redeliver (--call UUID | --from ISO-8601 --to ISO-8601) [--dead-letters]",
                "post a call's or a time window's event_url webhooks again, same idempotency keys",
                """
                        Webhook queues the posts again through its usual durable, signed, retried delivery, with
                        the idempotency keys (X-Psip-Idempotency-Key) and bodies they first had, so receivers can
                        deduplicate. --call: every post of one call; --from/--to: the posts first queued in that
                        half-open window. --dead-letters: only the posts that went to psip.webhook-dlq (given up
                        in the window, or of the call, or all of them with neither).""",
                Set.of("--call", "--from", "--to", "--dead-letters")));
        add(new Spec("repair", "repair",
                "have provisioning re-publish every aggregate, and tombstones for deleted ones",
                """
                        Provisioning re-publishes the current state of every account, application, number and
                        domain, and tombstones for the deleted ones, through its outbox: a table that missed a
                        change or a delete converges. Takes the admin account (--account).""",
                Set.of()));
        add(new Spec("outbox", "outbox [list | retry ID]",
                "provisioning's outbox: rows pending and set aside; put a set-aside row back",
                """
                        list (the default): how many rows wait to be published, and the rows set aside because they
                        could not be published (newest first, at most 100). retry ID: the set-aside row goes back
                        to pending and is published in its key's order again. Takes the admin account.""",
                Set.of()));
        add(new Spec("schemas", "schemas check|register [--registry URL]",
                "check or register this build's event schemas in the registry",
                """
                        check: whether the registry (default http://127.0.0.1:8081) accepts every schema this build
                        writes under its subject's compatibility level; exit 1 if any is refused. register:
                        registers them all (the documented order: check, upgrade consumers, register, upgrade
                        producers); a refused schema is exit 1 with the registry's answer (409).""",
                Set.of("--registry")));
    }

    private PsipAdmin() {
    }

    private static void add(Spec spec) {
        COMMANDS.put(spec.name(), spec);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments arguments;
        Spec spec = null;
        boolean json = false;
        try {
            arguments = Arguments.parse(args, VALUED);
            List<String> words = arguments.words();
            if (words.isEmpty() || words.get(0).equals("help")) {
                if (words.size() > 1) {
                    spec = command(words.get(1));
                    commandHelp(spec, out);
                    return Failures.OK;
                }
                if (words.isEmpty() && !arguments.flag("--help")) {
                    throw new UsageException(null, "no command given");
                }
                globalHelp(out);
                return Failures.OK;
            }
            spec = command(words.get(0));
            if (arguments.flag("--help")) {
                commandHelp(spec, out);
                return Failures.OK;
            }
            Set<String> unknown = new HashSet<>(arguments.options());
            unknown.removeAll(GLOBAL_OPTIONS);
            unknown.removeAll(spec.options());
            if (!unknown.isEmpty()) {
                throw new UsageException(spec.name(), "not an option of " + spec.name() + ": "
                        + String.join(", ", unknown.stream().sorted().toList()));
            }
            json = arguments.flag("--json");
            Commands commands = new Commands(Targets.from(arguments), new AdminHttp(), json, out, err);
            return commands.run(spec.name(), arguments, words.subList(1, words.size()));
        } catch (UsageException e) {
            String about = e.command() != null ? e.command() : spec != null ? spec.name() : null;
            err.println("psip-admin: " + e.getMessage());
            err.println(about == null ? "Try 'psip-admin --help'." : "Try 'psip-admin " + about + " --help'.");
            return Failures.USAGE;
        } catch (Failures.Refused e) {
            if (json && e.body() != null) {
                out.println(e.body().toPrettyString());
            }
            err.println("psip-admin: refused: " + e.getMessage());
            return Failures.REFUSED;
        } catch (Failures.Unreachable e) {
            err.println("psip-admin: " + e.getMessage());
            return Failures.UNREACHABLE;
        }
    }

    private static Spec command(String name) {
        Spec spec = COMMANDS.get(name);
        if (spec == null) {
            throw new UsageException(null, "unknown command '" + name + "'");
        }
        return spec;
    }

    static void globalHelp(PrintStream out) {
        out.println("psip-admin: the psip operator's tool: table status and rebuilds, webhook re-delivery,");
        out.println("provisioning repair and outbox, event schemas.");
        out.println();
        out.println("Usage: psip-admin <command> [options]    (psip-admin <command> --help for one command)");
        out.println();
        out.println("Commands:");
        COMMANDS.values().forEach(spec -> {
            out.println("  " + spec.synopsis());
            out.println("      " + spec.summary());
        });
        out.println();
        out.println("Global options (defaults: bin/psip-local's):");
        TextTable options = TextTable.withoutHeader(2);
        options.row("  --json", "print the platform's JSON instead of tables");
        options.row("  --routing-us URL", "routing us (default http://127.0.0.1:8091)");
        options.row("  --routing-eu URL", "routing eu (default http://127.0.0.1:8092)");
        options.row("  --routing-ap URL", "routing ap (default http://127.0.0.1:8093)");
        options.row("  --webhook URL", "webhook-service (default http://127.0.0.1:8082)");
        options.row("  --provisioning URL", "provisioning-service (default http://127.0.0.1:8080)");
        options.row("  --port-offset N", "the --port-offset bin/psip-local was started with, for every default");
        options.row("  --operator USER:PASS", "the operator credential of routing and webhook (psip.operator.*)");
        options.row("  --account KEY:SECRET", "provisioning's admin account (default the bootstrap account)");
        options.row("  -h, --help", "this help");
        options.print(out);
        out.println();
        out.println("Exit codes: 0 ok, 1 the platform refused or failed (its problem detail is printed),");
        out.println("2 usage error, 3 cannot connect.");
    }

    static void commandHelp(Spec spec, PrintStream out) {
        out.println("Usage: psip-admin " + spec.synopsis() + " [--json]");
        out.println();
        out.println(spec.summary() + ".");
        out.println();
        spec.details().lines().forEach(line -> out.println("  " + line));
        out.println();
        out.println("Global options and exit codes: psip-admin --help");
    }
}
