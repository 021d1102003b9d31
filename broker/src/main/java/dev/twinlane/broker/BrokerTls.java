package dev.twinlane.broker;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A demo CA and the broker's key and certificate, as PEM files in one directory (made on first
 * use, reused after): {@code ca.pem} (what clients trust), {@code ca.key}, and {@code broker.pem}
 * (the broker's PKCS#8 key, then its certificate and the CA's: Kafka's PEM key store), valid for
 * {@code localhost} and {@code 127.0.0.1}. Keys are 0600. A CA of its own per directory, so a
 * second directory is "another CA" (the tests' untrusted certificate).
 */
public final class BrokerTls {
    public static final String CA = "ca.pem";
    static final String CA_KEY = "ca.key";
    static final String BROKER = "broker.pem";
    private static final Duration VALIDITY = Duration.ofDays(825);

    private BrokerTls() {
    }

    /** Makes the directory's CA and broker certificate unless they are there; returns the CA file. */
    public static Path ensure(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve(CA)) && Files.exists(dir.resolve(BROKER))) {
            return dir.resolve(CA);
        }
        try {
            KeyPair ca = keyPair();
            // a name of its own: a client trusting another demo CA must not mistake this one for it
            X500Name caName = new X500Name("CN=twinlane demo CA " + Long.toHexString(new SecureRandom().nextLong()));
            X509Certificate caCert = sign(caName, ca, caName, ca.getPrivate(), true);
            KeyPair broker = keyPair();
            X509Certificate brokerCert = sign(new X500Name("CN=localhost"), broker, caName, ca.getPrivate(), false);
            BrokerScram.writePrivate(dir.resolve(CA_KEY), pem(ca.getPrivate()));
            BrokerScram.writePrivate(dir.resolve(BROKER), pem(broker.getPrivate()) + pem(brokerCert) + pem(caCert));
            Files.writeString(dir.resolve(CA), pem(caCert));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the broker's certificates in " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve(CA);
    }

    static Path brokerPem(Path dir) {
        return dir.resolve(BROKER);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
                                        boolean ca) throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject,
                subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
        }
        return s.toString();
    }
}
