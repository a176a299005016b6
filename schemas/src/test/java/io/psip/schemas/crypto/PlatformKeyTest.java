package io.psip.schemas.crypto;

import io.psip.events.SealedSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformKeyTest {

    private static final byte[] HA1 = "939e7578ed9e3c518a452acee763bce9".getBytes(StandardCharsets.UTF_8);

    @Test
    void sealedValueOpensWithTheSameKeyAndContextAndIsNotThePlaintext() {
        PlatformKey key = PlatformKey.generate();
        SealedSecret sealed = key.seal(HA1, "psip.domains", "acme", "alice");
        assertThat(sealed.getKeyId()).isEqualTo(key.id());
        assertThat(bytes(sealed.getIv())).hasSize(12);
        // ciphertext and the 16-byte tag; nothing of the plaintext shows
        assertThat(bytes(sealed.getCiphertext())).hasSize(HA1.length + 16).isNotEqualTo(HA1);
        assertThat(new String(bytes(sealed.getCiphertext()), StandardCharsets.ISO_8859_1)).doesNotContain("939e75");
        assertThat(key.open(sealed, "psip.domains", "acme", "alice")).hasValueSatisfying(v -> assertThat(v).isEqualTo(HA1));
    }

    @Test
    void everySealingHasItsOwnIv() {
        PlatformKey key = PlatformKey.generate();
        SealedSecret a = key.seal(HA1, "x");
        SealedSecret b = key.seal(HA1, "x");
        assertThat(bytes(a.getIv())).isNotEqualTo(bytes(b.getIv()));
        assertThat(bytes(a.getCiphertext())).isNotEqualTo(bytes(b.getCiphertext()));
    }

    @Test
    void anotherContextAnotherKeyOrAChangedByteDoesNotOpen() {
        PlatformKey key = PlatformKey.generate();
        SealedSecret sealed = key.seal(HA1, "psip.domains", "acme", "alice");
        assertThat(key.open(sealed, "psip.domains", "acme", "bob")).isEmpty();
        assertThat(key.open(sealed, "psip.domains", "acm", "ealice")).isEmpty();
        assertThat(key.open(sealed, "psip.domains", "acme")).isEmpty();

        PlatformKey sameIdOtherKey = PlatformKey.of(key.id(), new byte[32]);
        assertThat(sameIdOtherKey.open(sealed, "psip.domains", "acme", "alice")).isEmpty();
        assertThat(PlatformKey.generate().sealedThis(sealed)).isFalse();
        assertThat(PlatformKey.generate().open(sealed, "psip.domains", "acme", "alice")).isEmpty();

        byte[] tampered = bytes(sealed.getCiphertext());
        tampered[0] ^= 1;
        SealedSecret changed = new SealedSecret(sealed.getKeyId(), sealed.getIv(), ByteBuffer.wrap(tampered));
        assertThat(key.open(changed, "psip.domains", "acme", "alice")).isEmpty();
        SealedSecret shortIv = new SealedSecret(sealed.getKeyId(), ByteBuffer.wrap(new byte[4]), sealed.getCiphertext());
        assertThat(key.open(shortIv, "psip.domains", "acme", "alice")).isEmpty();
    }

    @Test
    void keyFileIsWrittenOwnerOnlyReadBackAndNeverOverwritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets/platform.key");
        PlatformKey key = PlatformKey.generate();
        key.writeNew(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("key-id=" + key.id()).containsPattern("(?m)^key=[A-Za-z0-9+/]{43}=$");

        PlatformKey read = PlatformKey.read(file);
        assertThat(read.id()).isEqualTo(key.id());
        assertThat(read.open(key.seal(HA1, "c"), "c")).isPresent();

        String before = Files.readString(file);
        assertThatThrownBy(() -> PlatformKey.generate().writeNew(file)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void aBadKeyFileIsRefusedWithoutEchoingIt(@TempDir Path dir) throws Exception {
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, "key-id=k1\nkey=c2hvcnRrZXk=\n");
        assertThatThrownBy(() -> PlatformKey.read(shortKey)).hasMessageContaining("32 bytes").hasMessageNotContaining("c2hvcnRrZXk");
        Path notBase64 = dir.resolve("bad.key");
        Files.writeString(notBase64, "key-id=k1\nkey=***secret***\n");
        assertThatThrownBy(() -> PlatformKey.read(notBase64)).hasMessageContaining("base64").hasMessageNotContaining("secret");
        Path noId = dir.resolve("noid.key");
        Files.writeString(noId, "key=" + java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        assertThatThrownBy(() -> PlatformKey.read(noId)).hasMessageContaining("key id");
    }

    @Test
    void toStringShowsTheIdOnly() {
        PlatformKey key = PlatformKey.of("k1", new byte[32]);
        assertThat(key.toString()).isEqualTo("PlatformKey[id=k1]");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
