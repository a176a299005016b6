package io.psip.schemas.crypto;

import io.psip.events.SealedSecret;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The platform key: AES-256 that seals secret-equivalent event fields (AES-GCM, a random 12-byte IV per value, a
 * 128-bit tag) so that a topic reader without the key sees only ciphertext. Each sealed value names the key's id
 * and is bound to a context (associated data, e.g. domain and username), so it opens only where it was written.
 *
 * <p>The key file is a small properties text file, readable by its owner only:
 * <pre>
 * key-id=9f0c2d4e6a8b1c3d
 * key=&lt;base64 of 32 random bytes&gt;
 * </pre>
 */
public final class PlatformKey {

    public static final int KEY_BYTES = 32;
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String ALGORITHM = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final SecretKeySpec key;

    private PlatformKey(String id, byte[] key) {
        if (!KEY_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a key id is 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a platform key is " + KEY_BYTES + " bytes, got " + key.length);
        }
        this.id = id;
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A new random key with a random id. */
    public static PlatformKey generate() {
        byte[] id = new byte[8];
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(key);
        return new PlatformKey(HexFormat.of().formatHex(id), key);
    }

    static PlatformKey of(String id, byte[] key) {
        return new PlatformKey(id, key.clone());
    }

    /** Reads a key file; the message of a failure names the file, never its content. */
    public static PlatformKey read(Path file) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        String id = p.getProperty("key-id", "").trim();
        String encoded = p.getProperty("key", "").trim();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": key is not base64");
        }
        try {
            return new PlatformKey(id, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /** Writes this key to a new file, mode 0600 ({@link SecretFiles#createNew}); never over an existing one. */
    public void writeNew(Path file) throws IOException {
        String text = "# psip platform key: seals secret-equivalent event fields. Keep it private; every provisioning"
                + " and routing instance needs the same file.\n"
                + "key-id=" + id + "\n"
                + "key=" + Base64.getEncoder().encodeToString(key.getEncoded()) + "\n";
        SecretFiles.createNew(file, text.getBytes(StandardCharsets.UTF_8));
    }

    public String id() {
        return id;
    }

    /** Seals {@code plaintext}, bound to {@code context}: opening needs the same parts in the same order. */
    public SealedSecret seal(byte[] plaintext, String... context) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData(context));
            return new SealedSecret(id, ByteBuffer.wrap(iv), ByteBuffer.wrap(cipher.doFinal(plaintext)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by the JRE", e);
        }
    }

    /** Whether the value is sealed under this key (by id); a value of another key cannot open here. */
    public boolean sealedThis(SealedSecret sealed) {
        return id.equals(sealed.getKeyId());
    }

    /**
     * The plaintext, or empty when the value is sealed under another key, or was changed, or was sealed for
     * another context (e.g. moved to another user): GCM's tag covers the ciphertext and the context.
     */
    public Optional<byte[]> open(SealedSecret sealed, String... context) {
        if (!sealedThis(sealed)) {
            return Optional.empty();
        }
        byte[] iv = bytes(sealed.getIv());
        if (iv.length != IV_BYTES) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData(context));
            return Optional.of(cipher.doFinal(bytes(sealed.getCiphertext())));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by the JRE", e);
        }
    }

    /** Each part length-prefixed, so ("ab", "c") and ("a", "bc") are different contexts. */
    private static byte[] associatedData(String... context) {
        byte[][] parts = new byte[context.length][];
        int size = 0;
        for (int i = 0; i < context.length; i++) {
            parts[i] = context[i].getBytes(StandardCharsets.UTF_8);
            size += 4 + parts[i].length;
        }
        ByteBuffer aad = ByteBuffer.allocate(size);
        for (byte[] part : parts) {
            aad.putInt(part.length).put(part);
        }
        return aad.array();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    /** The id only: the key never reaches a log line. */
    @Override
    public String toString() {
        return "PlatformKey[id=" + id + "]";
    }
}
