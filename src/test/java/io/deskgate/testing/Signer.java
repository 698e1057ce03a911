package io.deskgate.testing;

import io.deskgate.auth.AkSkSignature;
import io.deskgate.auth.Digests;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends requests signed with SDK-HMAC-SHA256 the way Huawei's SDKs sign them (the algorithm is
 * checked against the contract's vectors in AkSkSignatureTest, and against the real SDK in
 * HuaweiSdkTest), with control over what a real SDK would never get wrong: the key, the clock.
 */
public final class Signer {

  private final TestNode node;
  private final String ak;
  private final String sk;
  private int minutesOff;
  private boolean chunked;
  private boolean contentSha256Header;
  private final Map<String, String> extra = new LinkedHashMap<>();

  public Signer(TestNode node, String ak, String sk) {
    this.node = node;
    this.ak = ak;
    this.sk = sk;
  }

  /** Signs with a clock this many minutes off. */
  public Signer clockOff(int minutes) {
    this.minutesOff = minutes;
    return this;
  }

  /** Sends the body with {@code Transfer-Encoding: chunked}, as the SDK sends JSON bodies. */
  public Signer chunked() {
    this.chunked = true;
    return this;
  }

  /** Signs the body through a signed {@code X-Sdk-Content-Sha256} header instead of hashing it in. */
  public Signer contentSha256Header() {
    this.contentSha256Header = true;
    return this;
  }

  /** Adds (and signs) a header. */
  public Signer header(String name, String value) {
    extra.put(name.toLowerCase(), value);
    return this;
  }

  public HttpResponse<String> get(String pathAndQuery) {
    return send("GET", pathAndQuery, "");
  }

  public HttpResponse<String> send(String method, String pathAndQuery, String body) {
    String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
    String query = pathAndQuery.contains("?") ? pathAndQuery.substring(pathAndQuery.indexOf('?') + 1) : "";
    String date = LocalDateTime.now(ZoneOffset.UTC).plusMinutes(minutesOff)
        .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("host", node.baseUrl().replaceFirst("^https?://", ""));
    headers.put("x-sdk-date", date);
    headers.putAll(extra);
    if (!body.isEmpty()) {
      headers.put("content-type", "application/json");
    }
    String bodyHash = Digests.sha256Hex(body.getBytes(StandardCharsets.UTF_8));
    if (contentSha256Header) {
      headers.put("x-sdk-content-sha256", bodyHash);
    }
    List<String> names = new ArrayList<>(headers.keySet());
    names.sort(null);
    String canonical = AkSkSignature.canonicalRequest(method, path, query, names, headers::get, bodyHash);
    String signature = AkSkSignature.signature(sk, AkSkSignature.stringToSign(date, canonical));
    HttpRequest.Builder b = node.request(pathAndQuery)
        .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
            : chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)))
            : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", AkSkSignature.ALGORITHM + " Access=" + ak + ", SignedHeaders=" + String.join(";", names)
            + ", Signature=" + signature);
    headers.forEach((k, v) -> {
      if (!k.equals("host")) {
        b.header(k, v);
      }
    });
    return node.send(b);
  }
}
