package dev.twinlane.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLException;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * How a Kafka client reaches the brokers that carry the wire format: TLS trusting a CA (PEM),
 * optionally with a certificate of its own, and SASL/SCRAM-SHA-512 with a password read from a
 * file. The exporter and the SIEM consumer map their settings to client properties here, so both
 * ends speak the same protocol and neither depends on the other.
 *
 * <p>{@link #properties()} reads the password (and certificate) files each time it is called:
 * a client made after the operator fixed a file logs in with the fixed one.
 */
public final class KafkaAccess {
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The client properties this class sets; no pass-through setting may name them as well. */
    public static final Set<String> KEYS = Set.of("security.protocol", "ssl.truststore.type", "ssl.truststore.location",
            "ssl.keystore.type", "ssl.keystore.certificate.chain", "ssl.keystore.key", "sasl.mechanism", "sasl.jaas.config");

    /** The CA certificate(s) the brokers' certificates must chain to (PEM); TLS is on when set. */
    public Path caFile;
    /** The client's certificate chain (PEM), for brokers that ask for one; needs {@link #keyFile}. */
    public Path certFile;
    /** The client's unencrypted PKCS#8 private key (PEM), mode 600. */
    public Path keyFile;
    /** The SCRAM-SHA-512 user; SASL is on when set. */
    public String user;
    /** Its password: the file's first line, mode 600. */
    public Path passwordFile;

    public boolean tls() {
        return caFile != null;
    }

    public boolean configured() {
        return caFile != null || certFile != null || keyFile != null || user != null || passwordFile != null;
    }

    /** Kafka's security.protocol for these settings. */
    public String protocol() {
        return tls() ? user != null ? "SASL_SSL" : "SSL" : user != null ? "SASL_PLAINTEXT" : "PLAINTEXT";
    }

    /**
     * What is wrong, one line each; {@code name} turns a setting's id (ca_file, cert_file, key_file,
     * user, password_file) into what the operator wrote (a config key or a flag).
     */
    public List<String> problems(UnaryOperator<String> name) {
        List<String> p = new ArrayList<>();
        readable(p, name.apply("ca_file"), caFile);
        readable(p, name.apply("cert_file"), certFile);
        readable(p, name.apply("key_file"), keyFile);
        if ((certFile == null) != (keyFile == null)) {
            p.add(name.apply(certFile == null ? "cert_file" : "key_file") + ": a client certificate needs both "
                    + name.apply("cert_file") + " and " + name.apply("key_file"));
        } else if (certFile != null && !tls()) {
            p.add(name.apply("cert_file") + ": a client certificate needs TLS: set " + name.apply("ca_file"));
        }
        if ((user == null) != (passwordFile == null)) {
            p.add(name.apply(user == null ? "user" : "password_file") + ": SCRAM needs both " + name.apply("user")
                    + " and " + name.apply("password_file"));
        }
        if (user != null && (user.isEmpty() || user.contains("\"") || user.contains("\\"))) {
            p.add(name.apply("user") + ": '" + user + "' is not a user name");
        }
        if (readable(p, name.apply("password_file"), passwordFile)) {
            try {
                password(passwordFile);
            } catch (IOException e) {
                p.add(name.apply("password_file") + ": " + e.getMessage());
            }
        }
        if (keyFile != null && Files.isReadable(keyFile) && openToOthers(keyFile)) {
            p.add(name.apply("key_file") + ": " + keyFile + " is readable by group or others; chmod 600 it");
        }
        return p;
    }

    private static boolean readable(List<String> p, String name, Path file) {
        if (file != null && !Files.isReadable(file)) {
            p.add(name + ": cannot read " + file);
            return false;
        }
        return file != null;
    }

    /** The client properties; reads the password and certificate files now. */
    public Map<String, String> properties() throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        if (!configured()) {
            return p;
        }
        p.put("security.protocol", protocol());
        if (tls()) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", caFile.toString());
        }
        if (certFile != null && keyFile != null) {
            if (openToOthers(keyFile)) {
                throw new IOException(keyFile + " is readable by group or others; chmod 600 it");
            }
            p.put("ssl.keystore.type", "PEM");
            p.put("ssl.keystore.certificate.chain", Files.readString(certFile, StandardCharsets.UTF_8));
            p.put("ssl.keystore.key", Files.readString(keyFile, StandardCharsets.UTF_8));
        }
        if (user != null) {
            p.put("sasl.mechanism", MECHANISM);
            p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + user + "\" password=\"" + jaasQuoted(password(passwordFile)) + "\";");
        }
        return p;
    }

    private static String jaasQuoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The first line of a password file only its owner can read. */
    static String password(Path file) throws IOException {
        if (openToOthers(file)) {
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

    private static boolean openToOthers(Path file) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // unreadable: reading it says why
        }
        return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
    }

    /**
     * One line for a start where security telemetry would cross a network in clear text: a
     * bootstrap server that is not a loopback address, reached without TLS (neither these settings
     * nor a pass-through {@code security.protocol}). Null when there is nothing to warn about.
     */
    public String clearTextWarning(String bootstrap, Map<String, String> client) {
        String protocol = client.getOrDefault("security.protocol", protocol());
        if (tls() || protocol.endsWith("SSL") || bootstrap == null) {
            return null;
        }
        for (String hp : bootstrap.split(",")) {
            String host = hp.trim().substring(0, Math.max(0, hp.trim().lastIndexOf(':'))).replace("[", "").replace("]", "");
            if (!loopback(host)) {
                return hp.trim() + " is not on this host and the connection is " + protocol
                        + ": security telemetry crosses the network in clear text (give a CA file for TLS)";
            }
        }
        return null;
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
    }

    /**
     * One line for a failure the operator can fix here (a refused login, an untrusted certificate,
     * a plaintext client facing a TLS listener), naming what to fix; null for any other failure.
     */
    public String explain(Throwable e, String bootstrap) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SaslAuthenticationException) {
                return "Kafka " + bootstrap + " refused the " + MECHANISM + " login of user '" + user + "' (password from "
                        + passwordFile + "): " + t.getMessage() + "; the file is read again before each retry";
            }
            if (t instanceof SslAuthenticationException) {
                return "TLS with Kafka " + bootstrap + " failed: " + rootMessage(t)
                        + (caFile == null ? "" : "; is the broker's certificate signed by the CA in " + caFile
                        + " and issued for this address?");
            }
            if ((t instanceof TimeoutException || t instanceof java.util.concurrent.TimeoutException) && !tls()) {
                return "Kafka " + bootstrap + " did not answer in time; the connection is "
                        + protocol() + ": if that port is a TLS (SSL or SASL_SSL) listener, give its CA file";
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        String m = t.getMessage();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException && c.getMessage() != null) {
                m = c.getMessage();
            }
        }
        return m;
    }
}
