package io.psip.schemas.registry;

import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value schemas this build writes, one per subject of every platform topic: what an operator registers (and
 * checks) centrally before rolling out producers, and what a region whose registry only follows the central one
 * needs to find there.
 */
public final class SchemaCatalog {

    /** A subject with the schema this build's generated class writes to it. */
    public record Entry(String subject, Schema schema) {
    }

    private SchemaCatalog() {
    }

    /** Every subject of the platform's Avro topics, configuration topics first. */
    public static List<Entry> current() {
        List<Topic<?>> topics = new ArrayList<>(Topics.configurationTopics());
        topics.add(Topics.CALL_EVENTS);
        for (String region : Topics.REGIONS.stream().sorted().toList()) {
            topics.add(Topics.callCommands(region));
            topics.add(Topics.activeCalls(region));
            topics.add(Topics.registrations(region));
        }
        return topics.stream()
                .map(topic -> new Entry(topic.valueSubject(), SpecificData.get().getSchema(topic.valueType())))
                .toList();
    }

    /** Registers every current schema (a no-op for those already registered); subject to id. */
    public static Map<String, Integer> register(SchemaRegistryClient client) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Entry entry : current()) {
            ids.put(entry.subject(), client.register(entry.subject(), entry.schema()));
        }
        return ids;
    }

    /**
     * The subjects whose current schema the registry would refuse under the subject's compatibility level; a
     * subject with no version yet accepts anything.
     */
    public static List<String> incompatible(SchemaRegistryClient client) {
        List<String> refused = new ArrayList<>();
        for (Entry entry : current()) {
            try {
                if (!client.testCompatibility(entry.subject(), entry.schema())) {
                    refused.add(entry.subject());
                }
            } catch (SchemaRegistryException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        return refused;
    }
}
