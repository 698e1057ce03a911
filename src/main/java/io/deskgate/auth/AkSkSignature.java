package io.deskgate.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The {@code SDK-HMAC-SHA256} request signature of Huawei Cloud's SDKs (spec section 4.2): parsing
 * the {@code Authorization} header, the canonical request, the string to sign, the signature.
 * Pure functions; {@link Authenticator} applies them to a live request.
 */
public final class AkSkSignature {

  public static final String ALGORITHM = "SDK-HMAC-SHA256";
  private static final int MAX_HEADER_LENGTH = 4096;

  /** The parts of an {@code Authorization: SDK-HMAC-SHA256 ...} header. */
  public record Header(String accessKey, List<String> signedHeaders, String signature) {}

  private AkSkSignature() {}

  public static Optional<Header> parse(String authorization) {
    if (authorization == null || authorization.length() > MAX_HEADER_LENGTH
        || !authorization.startsWith(ALGORITHM + " ")) {
      return Optional.empty();
    }
    Map<String, String> fields = new HashMap<>();
    for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    String ak = fields.get("Access");
    String signed = fields.get("SignedHeaders");
    String signature = fields.get("Signature");
    if (ak == null || ak.isEmpty() || signed == null || signed.isEmpty() || signature == null
        || !signature.matches("[0-9a-f]{64}")) {
      return Optional.empty();
    }
    return Optional.of(new Header(ak, List.of(signed.split(";")), signature));
  }

  /**
   * The canonical request. {@code headerValue} gives a request header's value by lower-case name;
   * {@code payloadHash} is the lower-hex SHA-256 of the body (or the signed X-Sdk-Content-Sha256).
   */
  public static String canonicalRequest(String method, String rawPath, String rawQuery, List<String> signedHeaders,
                                        UnaryOperator<String> headerValue, String payloadHash) {
    StringBuilder headers = new StringBuilder();
    for (String name : signedHeaders) {
      String value = headerValue.apply(name);
      headers.append(name).append(':').append(value == null ? "" : value).append('\n');
    }
    return method + "\n" + canonicalUri(rawPath) + "\n" + canonicalQuery(rawQuery) + "\n" + headers + "\n"
        + String.join(";", signedHeaders) + "\n" + payloadHash;
  }

  public static String stringToSign(String sdkDate, String canonicalRequest) {
    return ALGORITHM + "\n" + sdkDate + "\n" + Digests.sha256Hex(canonicalRequest);
  }

  public static String signature(String secretKey, String stringToSign) {
    return Digests.hmacSha256Hex(secretKey.getBytes(StandardCharsets.UTF_8), stringToSign);
  }

  /** Every segment percent-decoded then re-encoded, each followed by '/'. */
  static String canonicalUri(String rawPath) {
    StringBuilder out = new StringBuilder();
    String[] segments = rawPath.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(encode(decode(segments[i])));
    }
    if (out.length() == 0 || out.charAt(out.length() - 1) != '/') {
      out.append('/');
    }
    return out.toString();
  }

  /** Keys and values decoded then re-encoded, sorted by key; repeated keys keep their order. */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      pairs.add(new String[] {encode(decode(key)), encode(decode(value))});
    }
    pairs.sort(Comparator.comparing(p -> p[0]));
    StringBuilder out = new StringBuilder();
    for (String[] p : pairs) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(p[0]).append('=').append(p[1]);
    }
    return out.toString();
  }

  /** Percent-decoding as UTF-8; '+' stays '+'; a malformed escape is kept literally. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%' && i + 2 < raw.length && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
        bytes.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
        i += 2;
      } else {
        bytes.write(raw[i]);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  static String encode(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static int hex(byte b) {
    return Character.digit((char) b, 16);
  }

  /** Whether a list of signed header names is one we accept: it must cover host and x-sdk-date. */
  static boolean coversRequired(List<String> signedHeaders) {
    return signedHeaders.containsAll(Arrays.asList("host", "x-sdk-date"));
  }
}
