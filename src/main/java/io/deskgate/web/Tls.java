package io.deskgate.web;

import io.deskgate.config.Config;
import io.deskgate.config.ConfigException;
import io.deskgate.store.PrivateFiles;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
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
    return new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString());
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

  private static String pem(Object object) throws IOException {
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
