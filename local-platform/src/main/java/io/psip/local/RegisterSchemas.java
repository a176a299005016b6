package io.psip.local;

import io.psip.schemas.registry.SchemaCatalog;
import io.psip.schemas.registry.SchemaRegistryClient;
import java.util.Map;

/**
 * Registers every schema this build writes in the central registry: what a region whose registry only follows
 * the central one needs there before its producers (which only look schemas up) start. The launcher does it for
 * {@code --regional-clusters}; docker-compose's regional profile runs it as a one-shot container:
 * {@code java -cp 'local-platform.jar:lib/*' io.psip.local.RegisterSchemas http://schema-registry:8081}.
 */
public final class RegisterSchemas {

    private RegisterSchemas() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: RegisterSchemas <central schema registry url>");
            System.exit(2);
        }
        register(args[0]).forEach((subject, id) -> System.out.println(subject + " " + id));
    }

    /** Subject to id of every current schema; a no-op for those already registered. */
    static Map<String, Integer> register(String registryUrl) {
        return SchemaCatalog.register(new SchemaRegistryClient(registryUrl));
    }
}
