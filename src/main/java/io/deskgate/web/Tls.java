package io.deskgate.web;

import io.deskgate.config.Config;
import io.deskgate.config.ConfigException;
import io.deskgate.store.PrivateFiles;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS/WSS certificates: the operator's PEM files, or, for trials, a self-signed certificate
 * (EC P-256, one year, valid for localhost, 127.0.0.1 and the public URL's host) generated once into
 * those files and kept, so that clients which pinned it keep working across restarts.
 */
public final class Tls {

  private static final Logger log = LoggerFactory.getLogger(Tls.class);
  static final String DEFAULT_CERT = "./data/tls/cert.pem";
  static final String DEFAULT_KEY = "./data/tls/key.pem";

  private Tls() {}

  public static PemKeyCertOptions keyCert(Config.Tls tls, String publicHost) {
    Path cert = Path.of(tls.certFile() != null ? tls.certFile() : DEFAULT_CERT);
    Path key = Path.of(tls.keyFile() != null ? tls.keyFile() : DEFAULT_KEY);
    if (tls.selfSigned() && !(Files.exists(cert) && Files.exists(key))) {
      generateSelfSigned(cert, key, publicHost);
    }
    for (Path p : List.of(cert, key)) {
      if (!Files.isReadable(p)) {
        throw new ConfigException("http.tls: cannot read " + p);
      }
    }
    requireMatchingPair(cert, key);
    return new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString());
  }

  /** The certificate and the key parse as PEM and belong together, or the start stops with what is wrong. */
  static void requireMatchingPair(Path cert, Path key) {
    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(cert)) {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException | ClassCastException e) {
      throw new ConfigException("http.tls.cert_file " + cert + " does not hold a PEM certificate (" + e.getMessage()
          + ")");
    }
    PrivateKey privateKey;
    try (PEMParser parser = new PEMParser(Files.newBufferedReader(key))) {
      Object read = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (read instanceof PEMKeyPair pair) {
        privateKey = converter.getPrivateKey(pair.getPrivateKeyInfo());
      } else if (read instanceof PrivateKeyInfo info) {
        privateKey = converter.getPrivateKey(info);
      } else {
        throw new ConfigException("http.tls.key_file " + key + " does not hold an unencrypted PEM private key");
      }
    } catch (IOException e) {
      throw new ConfigException("http.tls.key_file " + key + " does not hold a PEM private key (" + e.getMessage() + ")");
    }
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      if (!verifier.verify(signature)) {
        throw new GeneralSecurityException("signature does not verify");
      }
    } catch (GeneralSecurityException e) {
      throw new ConfigException("http.tls.key_file " + key + " is not the private key of the certificate in "
          + cert + ": give the key that belongs to this certificate");
    }
  }

  static void generateSelfSigned(Path cert, Path key, String publicHost) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
      if (publicHost != null) {
        names.add(publicHost);
      }
      List<GeneralName> alt = new ArrayList<>();
      for (String name : names) {
        alt.add(isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName, name));
      }
      X500Name subject = new X500Name("CN=" + (publicHost != null ? publicHost : "localhost") + ",O=Deskgate self-signed");
      Instant now = Instant.now();
      var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365))), subject, pair.getPublic())
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(new GeneralName[0])));
      var holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      Files.createDirectories(cert.toAbsolutePath().getParent());
      Files.createDirectories(key.toAbsolutePath().getParent());
      Files.writeString(cert, pem(holder));
      PrivateFiles.replace(key, pem(pair.getPrivate()).getBytes(StandardCharsets.UTF_8));
      log.info("generated a self-signed TLS certificate for {} in {} (key in {}); browsers will warn about it",
          names, cert, key);
    } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new ConfigException("cannot generate a self-signed certificate: " + e.getMessage());
    }
  }

  /** PEM text of a certificate (holder) or a private key (PKCS#8). */
  static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object instanceof java.security.PrivateKey k
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : object);
    }
    return out.toString();
  }

  private static boolean isIpLiteral(String name) {
    if (!name.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      InetAddress.getByName(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
