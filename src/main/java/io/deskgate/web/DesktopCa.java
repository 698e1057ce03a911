package io.deskgate.web;

import io.deskgate.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of Deskgate's own for the VNC servers it runs: its certificate is what
 * Deskgate trusts for those desktops' TLS (VeNCrypt X509), and it signs each desktop's certificate.
 * Nothing else trusts it. The CA's key lives in a file only Deskgate's user can read.
 */
public final class DesktopCa {

  // RSA, not EC: GnuTLS (TigerVNC, QEMU) cannot read the JDK's PKCS#8 EC keys, which omit the public key
  private static final String SIGNATURE = "SHA256withRSA";

  private final Path certFile;
  private final X509Certificate certificate;
  private final PrivateKey key;

  private DesktopCa(Path certFile, X509Certificate certificate, PrivateKey key) {
    this.certFile = certFile;
    this.certificate = certificate;
    this.key = key;
  }

  /** The CA in {@code dir} ({@code ca.pem}, {@code ca.key}), made there first when there is none. */
  public static DesktopCa loadOrCreate(Path dir, String name) throws IOException, GeneralSecurityException {
    Path certFile = dir.resolve("ca.pem");
    Path keyFile = dir.resolve("ca.key");
    if (!Files.exists(certFile) || !Files.exists(keyFile)) {
      PrivateFiles.ownDirectory(dir);
      KeyPair pair = keyPair();
      X500Name subject = new X500Name("CN=" + name + ",O=Deskgate desktop CA");
      Instant now = Instant.now();
      try {
        var holder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate()));
        PrivateFiles.replace(keyFile, Tls.pem(pair.getPrivate()).getBytes(StandardCharsets.UTF_8));
        Files.writeString(certFile, Tls.pem(holder));
      } catch (OperatorCreationException e) {
        throw new GeneralSecurityException(e);
      }
    }
    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(certFile)) {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    PrivateKey key;
    try (PEMParser parser = new PEMParser(Files.newBufferedReader(keyFile))) {
      key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
    }
    return new DesktopCa(certFile, certificate, key);
  }

  /** The CA's certificate (PEM): a desktop's {@code console.tls.ca_file}. */
  public Path certFile() {
    return certFile;
  }

  /**
   * Issues a server certificate for {@code names} (host names or IP addresses) valid for a year, written
   * to {@code certFile} and its key (PKCS#8) to {@code keyFile}, readable only by this user.
   */
  public void issue(Path certFile, Path keyFile, List<String> names) throws IOException, GeneralSecurityException {
    KeyPair pair = keyPair();
    GeneralName[] alt = names.stream().map(n -> new GeneralName(n.matches("[0-9.]+|.*:.*")
        ? GeneralName.iPAddress : GeneralName.dNSName, n)).toArray(GeneralName[]::new);
    Instant now = Instant.now();
    try {
      X509CertificateHolder holder = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365))),
          new X500Name("CN=" + names.get(0)), pair.getPublic())
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt))
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .build(new JcaContentSignerBuilder(SIGNATURE).build(key));
      PrivateFiles.replace(keyFile, Tls.pem(pair.getPrivate()).getBytes(StandardCharsets.UTF_8));
      Files.writeString(certFile, Tls.pem(holder));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom());
  }
}
