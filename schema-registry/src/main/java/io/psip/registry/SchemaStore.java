package io.psip.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.psip.schemas.compat.CompatibilityChecker;
import io.psip.schemas.compat.CompatibilityLevel;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The registry's state, kept in a compacted Kafka topic and rebuilt from it at start. Writes go to the topic
 * first and become visible when this store reads them back, so the topic is the only source of truth and a
 * restarted registry returns the same ids. Record layout follows Confluent's {@code _schemas} (JSON keys with a
 * {@code keytype} of SCHEMA or CONFIG).
 *
 * <p>Read-only, the store follows a topic that something else writes (a region's copy of the central
 * {@code _schemas}, mirrored by MirrorMaker 2): it never creates or writes the topic and refuses every change as
 * Confluent's READONLY mode does, so ids stay the central registry's.
 */
final class SchemaStore implements AutoCloseable {

    static final String DEFAULT_TOPIC = "_schemas";

    private static final Logger log = LoggerFactory.getLogger(SchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration METADATA_RETRY = Duration.ofMillis(100);

    private final String topic;
    private final boolean readOnly;
    /** Null when read-only. */
    private final KafkaProducer<String, String> producer;
    private final Thread reader;
    private final Map<String, Object> consumerConfig;
    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile Throwable failure;
    private volatile KafkaConsumer<String, String> consumer;

    // State below is guarded by "this"; the reader thread applies records and notifies waiting writers.
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, TreeMap<Integer, Integer>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD_TRANSITIVE;
    private final Map<Integer, Long> nextOffsets = new HashMap<>();

    /** Serialises writers so two registrations cannot both pick the same id or version. */
    private final Object writeLock = new Object();

    SchemaStore(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, false);
    }

    SchemaStore(String bootstrapServers, String topic, boolean readOnly) {
        this.topic = topic;
        this.readOnly = readOnly;
        if (readOnly) {
            this.producer = null;
        } else {
            createTopic(bootstrapServers, topic);
            Map<String, Object> producerConfig = new HashMap<>();
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
        }
        this.consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A fetch returns as soon as a record arrives, so a long wait costs no latency; it only spares the idle
        // broker a fetch every 500 ms (the default) for the registry's whole life.
        consumerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10_000);
        this.reader = new Thread(this::read, "schema-store-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** True once the topic has been read up to the end offsets seen at start. */
    boolean ready() {
        return ready && failure == null;
    }

    Throwable failure() {
        return failure;
    }

    boolean readOnly() {
        return readOnly;
    }

    // ---- reads -------------------------------------------------------------------------------------------

    synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw RegistryException.schemaNotFound("id " + id);
        }
        return schema;
    }

    synchronized List<String> subjects() {
        return new ArrayList<>(subjects.keySet());
    }

    synchronized List<Integer> versions(String subject) {
        return new ArrayList<>(versionsOf(subject).keySet());
    }

    /** Subject, version and id of one version; {@code version} is a number or "latest". */
    synchronized Version version(String subject, String version) {
        TreeMap<Integer, Integer> versions = versionsOf(subject);
        int number = parseVersion(version, versions);
        Integer id = versions.get(number);
        if (id == null) {
            throw RegistryException.versionNotFound(subject, version);
        }
        return new Version(subject, number, id, schemasById.get(id));
    }

    /** The version of the subject holding this schema, if any. */
    synchronized Version lookup(String subject, Schema schema) {
        TreeMap<Integer, Integer> versions = versionsOf(subject);
        Integer id = idsBySchema.get(schema.toString());
        if (id != null) {
            for (Map.Entry<Integer, Integer> v : versions.entrySet()) {
                if (v.getValue().equals(id)) {
                    return new Version(subject, v.getKey(), id, schemasById.get(id));
                }
            }
        }
        throw RegistryException.schemaNotFound("not registered under subject '" + subject + "'");
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /**
     * Problems that registering {@code candidate} under the subject would have, checked against one version
     * ("latest" honours a transitive level by checking all versions).
     */
    synchronized List<String> compatibilityProblems(String subject, String version, Schema candidate) {
        TreeMap<Integer, Integer> versions = versionsOf(subject);
        CompatibilityLevel level = effectiveLevel(subject);
        if ("latest".equals(version)) {
            return CompatibilityChecker.check(level, candidate, schemasOf(versions));
        }
        Version target = version(subject, version);
        return CompatibilityChecker.check(level, candidate, List.of(target.schema()));
    }

    // ---- writes ------------------------------------------------------------------------------------------

    /** Registers the schema under the subject and returns its id; the same schema again returns the same id. */
    int register(String subject, Schema schema) {
        refuseIfReadOnly(subject);
        synchronized (writeLock) {
            String normalized = schema.toString();
            int id;
            int version;
            synchronized (this) {
                TreeMap<Integer, Integer> versions = subjects.getOrDefault(subject, new TreeMap<>());
                Integer existingId = idsBySchema.get(normalized);
                if (existingId != null && versions.containsValue(existingId)) {
                    return existingId;
                }
                List<String> problems = CompatibilityChecker.check(effectiveLevel(subject), schema, schemasOf(versions));
                if (!problems.isEmpty()) {
                    throw new RegistryException(409, RegistryException.INCOMPATIBLE,
                            "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                    + "\" (" + effectiveLevel(subject) + "), details: " + problems);
                }
                id = existingId != null ? existingId
                        : schemasById.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
                version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
            }
            ObjectNode key = JSON.createObjectNode();
            key.put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
            ObjectNode value = JSON.createObjectNode();
            value.put("subject", subject).put("version", version).put("id", id)
                    .put("schema", normalized).put("deleted", false);
            write(key.toString(), value.toString());
            log.info("registered subject {} version {} id {}", subject, version, id);
            return id;
        }
    }

    /** Sets the level of a subject, or the global level when subject is null. */
    void setLevel(String subject, CompatibilityLevel level) {
        refuseIfReadOnly(subject);
        synchronized (writeLock) {
            write(configKey(subject), JSON.createObjectNode().put("compatibilityLevel", level.name()).toString());
        }
    }

    /** Removes a subject's own level so the global level applies; returns the level it had. */
    CompatibilityLevel deleteSubjectLevel(String subject) {
        refuseIfReadOnly(subject);
        synchronized (writeLock) {
            CompatibilityLevel previous = subjectLevel(subject).orElseThrow(() -> new RegistryException(404,
                    RegistryException.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                    "Subject '" + subject + "' does not have subject-level compatibility configured"));
            write(configKey(subject), null);
            return previous;
        }
    }

    /** Confluent's answer to a change in READONLY mode (the global config has no subject: its message says so). */
    private void refuseIfReadOnly(String subject) {
        if (readOnly) {
            throw new RegistryException(422, RegistryException.OPERATION_NOT_PERMITTED,
                    (subject == null ? "The registry" : "Subject " + subject) + " is in read-only mode");
        }
    }

    private static String configKey(String subject) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", "CONFIG");
        if (subject == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subject);
        }
        key.put("magic", 0);
        return key.toString();
    }

    /** Appends to the topic and waits until the reader has applied the record. */
    private void write(String key, String value) {
        if (!ready()) {
            throw new RegistryException(503, RegistryException.STORE_ERROR, "registry is not ready: " + topic + " not read yet");
        }
        RecordMetadata written;
        try {
            written = producer.send(new ProducerRecord<>(topic, key, value)).get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, RegistryException.STORE_ERROR, "interrupted while writing to " + topic);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new RegistryException(500, RegistryException.STORE_TIMEOUT, "cannot write to " + topic + ": " + e);
        }
        long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
        synchronized (this) {
            while (nextOffsets.getOrDefault(written.partition(), 0L) <= written.offset()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || failure != null) {
                    throw new RegistryException(500, RegistryException.STORE_TIMEOUT,
                            "write to " + topic + " was not read back in time");
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException(500, RegistryException.STORE_ERROR, "interrupted while waiting for " + topic);
                }
            }
        }
    }

    // ---- the reader thread ---------------------------------------------------------------------------------

    private void read() {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer = c;
            // A follower's topic appears when the mirror first copies it: wait for it as long as it takes.
            List<PartitionInfo> infos = awaitPartitions(() -> c.partitionsFor(topic),
                    readOnly ? Duration.ofDays(365) : METADATA_TIMEOUT, () -> running);
            if (infos.isEmpty()) {
                return; // closed while waiting
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            log.info("reading {} to rebuild the registry, end offsets {}", topic, end);
            while (running) {
                var records = c.poll(Duration.ofMillis(200));
                synchronized (this) {
                    for (ConsumerRecord<String, String> record : records) {
                        apply(record);
                    }
                    for (TopicPartition partition : partitions) {
                        nextOffsets.put(partition.partition(), c.position(partition));
                    }
                    notifyAll();
                }
                if (!ready && end.entrySet().stream().allMatch(e -> nextOffsets.getOrDefault(e.getKey().partition(), 0L) >= e.getValue())) {
                    ready = true;
                    log.info("registry ready: {} schemas, {} subjects", schemasById.size(), subjects.size());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failed(e);
            }
        } catch (Throwable e) {
            failed(e);
        }
    }

    /**
     * The partitions of the topic, asked again until the broker has metadata for them: right after the topic is
     * created a lookup can come back empty (or time out). Readiness stays DOWN meanwhile; past the bound this
     * throws, and the store fails. Returns an empty list only when {@code running} turns false.
     */
    static List<PartitionInfo> awaitPartitions(Supplier<List<PartitionInfo>> lookup, Duration bound,
                                               BooleanSupplier running) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        RuntimeException last = null;
        while (running.getAsBoolean()) {
            try {
                List<PartitionInfo> infos = lookup.get();
                if (infos != null && !infos.isEmpty()) {
                    return infos;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException
                     | org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no partition metadata within " + bound
                        + (last == null ? "" : ": " + last), last);
            }
            Thread.sleep(METADATA_RETRY.toMillis());
        }
        return List.of();
    }

    private void failed(Throwable e) {
        failure = e;
        log.error("registry store reader died; the registry reports DOWN", e);
        synchronized (this) {
            notifyAll();
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        try {
            JsonNode key = JSON.readTree(record.key());
            JsonNode value = record.value() == null ? null : JSON.readTree(record.value());
            switch (key.path("keytype").asText()) {
                case "SCHEMA" -> applySchema(key, value);
                case "CONFIG" -> applyConfig(key, value);
                default -> { } // NOOP and other Confluent key types carry nothing this registry uses
            }
        } catch (IOException | RuntimeException e) {
            log.error("skipping unreadable {} record at {}-{}: {}", topic, record.partition(), record.offset(), e.toString());
        }
    }

    private void applySchema(JsonNode key, JsonNode value) {
        String subject = key.path("subject").asText();
        int version = key.path("version").asInt();
        if (value == null || value.path("deleted").asBoolean(false)) {
            TreeMap<Integer, Integer> versions = subjects.get(subject);
            if (versions != null) {
                versions.remove(version);
                if (versions.isEmpty()) {
                    subjects.remove(subject);
                }
            }
            return;
        }
        int id = value.path("id").asInt();
        Schema schema = new Schema.Parser().parse(value.path("schema").asText());
        schemasById.putIfAbsent(id, schema);
        idsBySchema.putIfAbsent(schema.toString(), id);
        subjects.computeIfAbsent(subject, s -> new TreeMap<>()).put(version, id);
    }

    private void applyConfig(JsonNode key, JsonNode value) {
        JsonNode subject = key.path("subject");
        boolean global = subject.isMissingNode() || subject.isNull();
        if (value == null) {
            if (!global) {
                subjectLevels.remove(subject.asText());
            }
            return;
        }
        CompatibilityLevel level = CompatibilityLevel.parse(value.path("compatibilityLevel").asText());
        if (global) {
            globalLevel = level;
        } else {
            subjectLevels.put(subject.asText(), level);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private TreeMap<Integer, Integer> versionsOf(String subject) {
        TreeMap<Integer, Integer> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private List<Schema> schemasOf(TreeMap<Integer, Integer> versions) {
        return versions.values().stream().map(schemasById::get).toList();
    }

    private static int parseVersion(String version, TreeMap<Integer, Integer> versions) {
        if ("latest".equals(version) || "-1".equals(version)) {
            return versions.lastKey();
        }
        try {
            int number = Integer.parseInt(version);
            if (number < 1) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new RegistryException(422, RegistryException.INVALID_VERSION,
                    "The specified version '" + version + "' is not a valid version id. "
                            + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
    }

    static Schema parse(String schemaText) {
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (SchemaParseException | NullPointerException e) {
            throw new RegistryException(422, RegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
        }
    }

    private static void createTopic(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            NewTopic schemas = new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(schemas)).all().get(30, TimeUnit.SECONDS);
            log.info("created topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not create " + topic + " in time", e);
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    record Version(String subject, int version, int id, Schema schema) {
    }
}
