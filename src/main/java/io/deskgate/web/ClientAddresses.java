package io.deskgate.web;

import io.deskgate.config.ConfigException;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who the client is. The peer of the TCP connection, unless that peer is one of {@code http.trusted_proxies}
 * (CIDRs): then the address its proxy saw, from {@code Forwarded} or {@code X-Forwarded-For}, read from
 * the right and skipping other trusted proxies, so that a client cannot choose its own address by
 * sending the header itself. Addresses in headers are literals only (never resolved); a header that
 * holds none leaves the peer's address. Used for throttles, logs and the session list.
 */
public final class ClientAddresses {

  private static final Pattern FORWARDED_FOR = Pattern.compile("(?i)(?:^|[;,\\s])for=\"?\\[?([0-9a-fA-F.:]+)\\]?");

  private final List<IpSubnetFilterRule> trusted = new ArrayList<>();

  public ClientAddresses(List<String> trustedProxies) {
    for (String cidr : trustedProxies) {
      trusted.add(parse(cidr));
    }
  }

  /** Parses {@code a.b.c.d/n} or {@code v6/n} (a bare address means one host); throws {@link ConfigException}. */
  private static IpSubnetFilterRule parse(String cidr) {
    String[] parts = cidr.trim().split("/", 2);
    InetAddress address = literal(parts[0]);
    if (address == null) {
      throw new ConfigException("http.trusted_proxies: '" + cidr + "' is not an IP address or CIDR");
    }
    int max = address.getAddress().length * 8;
    int bits;
    try {
      bits = parts.length == 2 ? Integer.parseInt(parts[1]) : max;
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits < 0 || bits > max) {
      throw new ConfigException("http.trusted_proxies: '" + cidr + "' has a prefix length outside 0-" + max);
    }
    return new IpSubnetFilterRule(address, bits, IpFilterRuleType.ACCEPT);
  }

  public String of(HttpServerRequest req) {
    SocketAddress peer = req.remoteAddress();
    return of(peer == null || peer.hostAddress() == null ? "-" : peer.hostAddress(), req.headers().getAll("Forwarded"),
        req.headers().getAll("X-Forwarded-For"));
  }

  /** The client of a connection from {@code peerAddress} that carried these headers (each may repeat). */
  String of(String peerAddress, List<String> forwardedHeaders, List<String> xForwardedFor) {
    if (trusted.isEmpty() || !isTrusted(literal(peerAddress))) {
      return peerAddress;
    }
    List<String> chain = new ArrayList<>();
    String forwarded = forwardedHeaders.isEmpty() ? null : String.join(",", forwardedHeaders);
    if (forwarded != null) {
      Matcher m = FORWARDED_FOR.matcher(forwarded);
      while (m.find()) {
        chain.add(m.group(1));
      }
    } else {
      for (String header : xForwardedFor) {
        for (String hop : header.split(",")) {
          chain.add(hop.trim());
        }
      }
    }
    for (int i = chain.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(chain.get(i));
      if (hop == null) {
        return peerAddress;
      }
      if (!isTrusted(hop)) {
        return hop.getHostAddress();
      }
    }
    return peerAddress;
  }

  private boolean isTrusted(InetAddress address) {
    if (address == null) {
      return false;
    }
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    return trusted.stream().anyMatch(rule -> rule.matches(socket));
  }

  /** An IPv4 or IPv6 literal, never a name lookup; null when the text is not one. */
  static InetAddress literal(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.isEmpty() || t.length() > 45 || !t.matches("[0-9a-f.:]+") || !(t.contains(".") || t.contains(":"))) {
      return null;
    }
    if (!t.contains(":") && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return null;
    }
    try {
      return InetAddress.getByName(t);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
