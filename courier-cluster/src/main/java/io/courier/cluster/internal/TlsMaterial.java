package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1} and its unencrypted PKCS#8 key, as PEM.
 *
 * <p>Generated with the JDK's own {@code keytool}, because the JDK has no public certificate-building API and
 * this keeps the cluster free of a cryptography dependency.
 *
 * @param certificatePem the certificate, PEM
 * @param privateKeyPem  the private key, unencrypted PKCS#8 PEM
 */
record TlsMaterial(String certificatePem, String privateKeyPem) {
    private static final String ALIAS = "courier";

    static TlsMaterial generate(Path workDir) {
        Path keystore = workDir.resolve("courier-tls.p12");
        Path output = workDir.resolve("courier-tls-keytool.log");
        char[] password = Long.toHexString(Double.doubleToLongBits(Math.random())).toCharArray();
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA",
                "-keysize", "2048", "-sigalg", "SHA256withRSA", "-validity", "3650", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "BC=ca:true", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(password), "-keypass", new String(password));
        try {
            Files.deleteIfExists(keystore);
            // Its output goes to a file, not a pipe: reading a pipe to its end would wait for keytool without a bound.
            Files.deleteIfExists(output);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CourierException("keytool did not generate the TLS certificate for SASL_SSL within 60 s: "
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            if (process.exitValue() != 0) {
                throw new CourierException("keytool could not generate the TLS certificate for SASL_SSL: "
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, password);
            }
            Key key = store.getKey(ALIAS, password);
            Certificate certificate = store.getCertificate(ALIAS);
            return new TlsMaterial(pem("CERTIFICATE", certificate.getEncoded()), pem("PRIVATE KEY", key.getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw new CourierException("cannot generate the TLS certificate for SASL_SSL with " + keytool + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while generating the TLS certificate", e);
        } finally {
            try {
                Files.deleteIfExists(keystore);
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // A leftover keystore in a temporary directory does no harm.
            }
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    @Override
    public String toString() {
        return "TlsMaterial[localhost]";
    }
}
