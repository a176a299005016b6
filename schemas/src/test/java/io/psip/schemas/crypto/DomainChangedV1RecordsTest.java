package io.psip.schemas.crypto;

import io.psip.events.DomainChanged;
import io.psip.schemas.serde.PsipEventsTrust;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A DomainChanged written with v1 (clear HA1s) still on the compacted topic is read by the current class with
 * its users but without any HA1: such a user is unusable until provisioning republishes the domain sealed.
 */
class DomainChangedV1RecordsTest {

    @Test
    void aV1UserIsReadWithoutHa1s() throws Exception {
        Schema v1 = new Schema.Parser().parse(Path.of("src/main/avro-history/DomainChanged/v1.avsc").toFile());
        Schema userV1 = v1.getField("digest_users").schema().getElementType();
        GenericRecord alice = new GenericData.Record(userV1);
        alice.put("username", "alice");
        alice.put("ha1_md5", "939e7578ed9e3c518a452acee763bce9");
        alice.put("ha1_sha256", "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
        GenericRecord old = new GenericData.Record(v1);
        old.put("event_id", "e-1");
        old.put("version", 4L);
        old.put("occurred_at", 1_760_000_000_000L);
        old.put("change_type", new GenericData.EnumSymbol(v1.getField("change_type").schema(), "UPDATED"));
        old.put("name", "acme");
        old.put("account_id", "acc");
        old.put("acl", List.of());
        old.put("digest_auth", true);
        old.put("digest_users", List.of(alice));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v1).write(old, encoder);
        encoder.flush();
        PsipEventsTrust.install();
        DomainChanged read = new SpecificDatumReader<DomainChanged>(v1, DomainChanged.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(read.getDigestUsers()).singleElement().satisfies(user -> {
            assertThat(user.getUsername()).isEqualTo("alice");
            assertThat(user.getSealedHa1Md5()).isNull();
            assertThat(user.getSealedHa1Sha256()).isNull();
            assertThat(DigestUserSecrets.open(PlatformKey.generate(), "acme", user).unusable())
                    .isEqualTo(DigestUserSecrets.Unusable.NOT_SEALED);
        });
    }
}
