package dev.twinlane.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * The Kafka TLS and SCRAM options every Kafka client command declares alike (run, siem): a picocli
 * mixin. The commands hand the values to wire-format's KafkaAccess, which maps them to client
 * properties; this module stays free of Kafka.
 */
public final class KafkaAccessOptions {
    @Option(names = "--kafka-ca", paramLabel = "FILE",
            description = "TLS to Kafka, trusting the CA certificate(s) in this PEM file")
    public Path caFile;

    @Option(names = "--kafka-cert", paramLabel = "FILE",
            description = "a client certificate chain (PEM) for brokers that ask for one; with --kafka-key")
    public Path certFile;

    @Option(names = "--kafka-key", paramLabel = "FILE",
            description = "its unencrypted PKCS#8 private key (PEM, mode 600)")
    public Path keyFile;

    @Option(names = "--kafka-user", paramLabel = "NAME", description = "log in to Kafka with SASL/SCRAM-SHA-512 as NAME")
    public String user;

    @Option(names = "--kafka-password-file", paramLabel = "FILE",
            description = "its password: the file's first line (mode 600), read again before each reconnect")
    public Path passwordFile;

    public boolean given() {
        return caFile != null || certFile != null || keyFile != null || user != null || passwordFile != null;
    }

    /** The option of a setting id (ca_file, cert_file, key_file, user, password_file), for one-line problems. */
    public static String flag(String id) {
        switch (id) {
            case "ca_file":
                return "--kafka-ca";
            case "cert_file":
                return "--kafka-cert";
            case "key_file":
                return "--kafka-key";
            case "user":
                return "--kafka-user";
            default:
                return "--kafka-password-file";
        }
    }
}
