package io.psip.admin;

import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line itself: help, usage errors (exit 2) and a platform that cannot be reached (exit 3). */
class UsageTest {

    @Test
    void globalHelpListsEveryCommandAndTheExitCodes() {
        Cli help = Cli.run("--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("status [--region R]", "rebuild --region R", "ack-dead-letters",
                "redeliver (--call UUID | --from ISO-8601 --to ISO-8601) [--dead-letters]", "repair",
                "outbox [list | retry ID]", "schemas check|register", "--json", "--port-offset",
                "Exit codes: 0 ok, 1", "3 cannot connect");
        assertThat(Cli.run("-h").out()).isEqualTo(help.out());
        assertThat(Cli.run("help").out()).isEqualTo(help.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"status", "rebuild", "ack-dead-letters", "redeliver", "repair", "outbox", "schemas"})
    void everyCommandHasItsOwnHelp(String command) {
        Cli help = Cli.run(command, "--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: psip-admin " + command);
        assertThat(Cli.run("help", command).out()).isEqualTo(help.out());
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError() {
        Cli none = Cli.run();
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no command given", "psip-admin --help");

        Cli unknown = Cli.run("rebuilt", "--region", "us");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'rebuilt'");
        assertThat(unknown.out()).isEmpty();
    }

    @Test
    void wrongOptionsAreUsageErrorsThatPointAtTheCommandsHelp() {
        assertUsage(Cli.run("status", "--topic", "psip.domains"), "not an option of status: --topic",
                "psip-admin status --help");
        assertUsage(Cli.run("rebuild"), "rebuild needs --region");
        assertUsage(Cli.run("rebuild", "--region", "mars"), "unknown region 'mars'");
        assertUsage(Cli.run("rebuild", "--region", "us", "--timeout", "5"), "--timeout goes with --wait");
        assertUsage(Cli.run("rebuild", "--region", "us", "--wait", "--timeout", "soon"), "--timeout must be");
        assertUsage(Cli.run("rebuild", "--region"), "--region needs a value");
        assertUsage(Cli.run("ack-dead-letters", "--region", "us"), "needs --topic");
        assertUsage(Cli.run("ack-dead-letters", "--region", "us", "--topic", "../tables"), "not a topic name");
        assertUsage(Cli.run("redeliver"), "give --call UUID, or --from and --to");
        assertUsage(Cli.run("redeliver", "--call", "c1", "--from", "2026-12-01T00:00:00Z"), "not both");
        assertUsage(Cli.run("redeliver", "--from", "2026-12-01T00:00:00Z"), "needs both --from and --to");
        assertUsage(Cli.run("redeliver", "--from", "yesterday", "--to", "2026-12-01T00:00:00Z"),
                "--from must be an ISO-8601 instant");
        assertUsage(Cli.run("redeliver", "--from", "2026-12-02T00:00:00Z", "--to", "2026-12-01T00:00:00Z"),
                "--from must be before --to");
        assertUsage(Cli.run("repair", "now"), "unexpected 'now'");
        assertUsage(Cli.run("outbox", "retry", "seven"), "the row ID must be a positive number");
        assertUsage(Cli.run("outbox", "purge"), "'outbox retry ID'");
        assertUsage(Cli.run("schemas"), "'schemas check' or 'schemas register'");
        assertUsage(Cli.run("status", "--operator", "nocolon"), "--operator must be user:password");
        assertUsage(Cli.run("status", "--webhook", "ftp://example"), "--webhook must be an http(s) URL");
        assertUsage(Cli.run("status", "--port-offset", "-1"), "--port-offset must be a number");
        assertUsage(Cli.run("repair", "--json=yes"), "--json takes no value");
    }

    @Test
    void aServiceThatIsNotListeningIsExitThree() {
        String closed = closedPort();

        Cli redeliver = Cli.run("redeliver", "--call", "c1", "--webhook", closed);
        assertThat(redeliver.exit()).isEqualTo(3);
        assertThat(redeliver.err()).contains("cannot connect to " + closed);

        Cli repair = Cli.run("repair", "--provisioning", closed);
        assertThat(repair.exit()).isEqualTo(3);

        Cli schemas = Cli.run("schemas", "check", "--registry", closed);
        assertThat(schemas.exit()).isEqualTo(3);
        assertThat(schemas.err()).contains("cannot connect to the schema registry " + closed);
    }

    private static void assertUsage(Cli run, String... messages) {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains(messages);
        assertThat(run.out()).isEmpty();
    }

    /** A port that was just free: nothing listens there. */
    private static String closedPort() {
        return "http://127.0.0.1:" + FreePorts.tcp();
    }
}
