package dev.twinlane.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SCRAM-SHA-512 users of the SASL_SSL listener: the operator's user and the broker's own
 * ({@value #INTERNAL_USER}, for its inter-broker connections when there is no plaintext listener).
 * Kafka keeps SCRAM credentials in its metadata log, so they are added when the storage is
 * formatted ({@code --add-scram}, handed over on the format tool's standard input) and are fixed
 * from then on; {@code scram.users} in the data directory records who was added.
 */
final class BrokerScram {
    static final String MECHANISM = "SCRAM-SHA-512";
    static final String INTERNAL_USER = "twinlane-broker";
    private static final String USERS = "scram.users";
    private static final String INTERNAL_PASSWORD = "broker-scram.password";

    private BrokerScram() {
    }

    static void checkUser(String user) {
        if (user == null || !user.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a SCRAM user name of 1-64 letters, digits, '.', '_' or '-' is required, not '"
                    + user + "'");
        }
        if (user.equals(INTERNAL_USER)) {
            throw new IllegalArgumentException("'" + INTERNAL_USER + "' is the broker's own SCRAM user");
        }
    }

    /** The {@code --add-scram} entries for a new storage; records the users and keeps the broker's own password. */
    static List<String> formatUsers(Path dataDir, String user, Path passwordFile) throws IOException {
        String password = readPassword(passwordFile);
        if (!password.matches("[\\x21-\\x7e&&[^\",=\\[\\]]]{8,}")) {
            throw new IOException(passwordFile + ": the broker's SCRAM password must be 8 or more printable ASCII"
                    + " characters without spaces, '\"', ',', '=', '[' or ']' (Kafka's format tool parses it)");
        }
        Files.writeString(dataDir.resolve(USERS), user + "\n" + INTERNAL_USER + "\n");
        return List.of(entry(user, password), entry(INTERNAL_USER, ownPassword(dataDir)));
    }

    /** The broker's own SCRAM password, made (random, base64url) the first time it is asked for. */
    private static String ownPassword(Path dataDir) throws IOException {
        Path file = dataDir.resolve(INTERNAL_PASSWORD);
        if (!Files.exists(file)) {
            byte[] own = new byte[24];
            new SecureRandom().nextBytes(own);
            writePrivate(file, Base64.getUrlEncoder().withoutPadding().encodeToString(own) + "\n");
        }
        return readPassword(file);
    }

    private static String entry(String user, String password) {
        return MECHANISM + "=[name=" + user + ",password=" + password + "]";
    }

    /** A storage formatted without this user cannot serve it: SCRAM users are added only by the format. */
    static void checkFormatted(Path dataDir, String user) throws IOException {
        Path users = dataDir.resolve(USERS);
        if (!Files.exists(users) || !Files.readAllLines(users).contains(user)) {
            throw new IOException(dataDir + " was formatted without the SCRAM user '" + user
                    + "' (SCRAM users are added when a new data directory is formatted); use a new --data-dir");
        }
    }

    /** The SASL_SSL listener's settings: TLS from the tls directory, SCRAM-SHA-512, the broker's own login. */
    static Map<String, String> saslSslProperties(Path dataDir, Path tlsDir) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + INTERNAL_USER
                        + "\" password=\"" + ownPassword(dataDir) + "\";");
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.location", BrokerTls.brokerPem(tlsDir).toString());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", tlsDir.resolve(BrokerTls.CA).toString());
        p.put("ssl.client.auth", "none");
        return p;
    }

    /** The first line of a password file that only its owner can read. */
    static String readPassword(Path file) throws IOException {
        if (file == null) {
            throw new IOException("a SCRAM password file is required");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
            throw new IOException(file + " is readable by group or others; chmod 600 it");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String line = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
        if (line.isEmpty()) {
            throw new IOException(file + " is empty: its first line is the password");
        }
        return line;
    }

    /** Writes a file only its owner can read (created so, never readable in between). */
    static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text);
    }
}
