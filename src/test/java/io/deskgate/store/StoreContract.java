package io.deskgate.store;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskgate.auth.Digests;
import io.deskgate.auth.IamTokens;
import io.deskgate.config.ConfigLoader;
import io.deskgate.console.ConsoleTokens;
import io.deskgate.desktop.Desktop;
import io.deskgate.lifecycle.Jobs;
import io.deskgate.proxy.CloseReason;
import io.deskgate.proxy.ConsolePolicy;
import io.deskgate.proxy.ConsoleRefusal;
import io.deskgate.proxy.TokenLookup;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What Deskgate needs from its store, run unchanged against each database it supports (H2 and
 * PostgreSQL subclasses): the migrated schema, the inventory applied idempotently, secrets at rest,
 * and one-time console tokens that stay one-time under concurrency.
 */
abstract class StoreContract {

  static TestNode node;

  static TestNode start(Map<String, String> storeEnv) {
    node = TestNode.start(TestNode.standardInventory(5999), storeEnv);
    return node;
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static long count(String sql, Object... args) {
    return node.node().database().runNow(c -> Sql.one(c, sql, rs -> rs.getLong(1), args).orElseThrow());
  }

  private Desktop desktop() {
    return node.node().database().runNow(c -> node.node().desktops().find(c, DESKTOP).orElseThrow());
  }

  @Test
  void aJobTaskIsClaimedByItsNodeWithItsLibvirtConnectionOnceSkippingWhatAnotherClaimHolds() {
    Jobs jobs = new Jobs();
    // two jobs: a claim also marks its job running, which waits for another claim's uncommitted mark
    List<String> jobIds = node.node().database().runNow(c -> List.of(
        jobs.create(c, PROJECT, "stopDesktop", List.of(new Jobs.NewTask("t-local", new JsonObject(), "claim-x", null),
            new Jobs.NewTask("t-other-node", new JsonObject(), "claim-y", null)), "claim-x", 100).jobId(),
        jobs.create(c, PROJECT, "stopDesktop", List.of(new Jobs.NewTask("t-kvm", new JsonObject(), "claim-x",
            "qemu+ssh://kvm-x/system")), "claim-x", 100).jobId()));
    node.node().database().runNow(first -> {
      first.setAutoCommit(false);
      try {
        assertThat(jobs.claim(first, "claim-x", "qemu:///system", 10)).extracting(Jobs.Task::desktopId)
            .containsExactly("t-local");
        // while the first claim is not committed, a second one skips what it holds
        List<Jobs.Task> second = node.node().database().transactionNow(c -> jobs.claim(c, "claim-x",
            "qemu+ssh://kvm-x/system", 10));
        assertThat(second).extracting(Jobs.Task::desktopId).containsExactly("t-kvm");
      } finally {
        first.rollback();
        first.setAutoCommit(true);
      }
      return null;
    });
    List<Jobs.Task> again = node.node().database().transactionNow(c -> jobs.claim(c, "claim-x", "qemu:///system", 10));
    assertThat(again).extracting(Jobs.Task::desktopId).as("given back when the first claim rolled back").containsExactly("t-local");
    assertThat(count("SELECT COUNT(*) FROM job_tasks WHERE job_id IN (?, ?) AND status = 'RUNNING'", jobIds.get(0),
        jobIds.get(1))).isEqualTo(2);
    for (String jobId : jobIds) {
      node.sql("DELETE FROM job_tasks WHERE job_id = ?", jobId);
      node.sql("DELETE FROM jobs WHERE id = ?", jobId);
    }
  }

  @Test
  void theInventoryIsAppliedIdempotently() {
    long users = count("SELECT COUNT(*) FROM users");
    long roles = count("SELECT COUNT(*) FROM project_roles");
    long desktops = count("SELECT COUNT(*) FROM desktops");
    long keys = count("SELECT COUNT(*) FROM access_keys");
    node.node().database().runNow(c -> node.node().desktops().setStatus(c, DESKTOP, "SHUTOFF", ""));
    applyAgain(TestNode.standardInventory(5999));
    assertThat(count("SELECT COUNT(*) FROM users")).isEqualTo(users).isEqualTo(3);
    assertThat(count("SELECT COUNT(*) FROM project_roles")).isEqualTo(roles);
    assertThat(count("SELECT COUNT(*) FROM desktops")).isEqualTo(desktops);
    assertThat(count("SELECT COUNT(*) FROM access_keys")).isEqualTo(keys).isEqualTo(1);
    assertThat(desktop().status()).as("a re-applied desktop keeps its status").isEqualTo("SHUTOFF");
    node.node().database().runNow(c -> node.node().desktops().setStatus(c, DESKTOP, Desktop.ACTIVE, ""));
  }

  @Test
  void reapplyingUpdatesWhatChanged() {
    String changed = TestNode.standardInventory(5999)
        .replace("alice-pass-1", "alice-pass-2")
        .replace("{user: bob, roles: [workspace_user]}", "{user: bob, roles: [workspace_viewer]}")
        .replace("computer_name: dev-01", "computer_name: dev-01-renamed");
    applyAgain(changed);
    try {
      assertThat(node.login("alice", "alice-pass-2", PROJECT).statusCode()).isEqualTo(201);
      assertThat(node.login("alice", "alice-pass-1", PROJECT).statusCode()).isEqualTo(401);
      assertThat(count("SELECT COUNT(*) FROM project_roles r JOIN users u ON u.id = r.user_id "
          + "WHERE u.name = 'bob' AND r.role = 'workspace_viewer'")).isEqualTo(1);
      assertThat(count("SELECT COUNT(*) FROM project_roles r JOIN users u ON u.id = r.user_id "
          + "WHERE u.name = 'bob' AND r.role = 'workspace_user'")).isZero();
      assertThat(desktop().computerName()).isEqualTo("dev-01-renamed");
    } finally {
      applyAgain(TestNode.standardInventory(5999));
    }
  }

  @Test
  void secretsAtRestAreHashedOrSealed() {
    String hashes = node.node().database().runNow(c -> String.join(" ",
        Sql.list(c, "SELECT password_hash FROM users", rs -> rs.getString(1))));
    assertThat(hashes).doesNotContain("alice-pass").contains("pbkdf2-sha256$");
    String sealed = node.node().database().runNow(c -> Sql.one(c,
        "SELECT secret_enc FROM access_keys WHERE access_key = ?", rs -> rs.getString(1), TestNode.ALICE_AK).orElseThrow());
    assertThat(sealed).startsWith("v1.").doesNotContain(TestNode.ALICE_SK);
    applyAgain(TestNode.standardInventory(5999).replace("dev-01, user_name: alice, console: {host: 127.0.0.1, port: 5999}",
        "dev-01, user_name: alice, console: {host: 127.0.0.1, port: 5999, password: \"vnc-secret\"}"));
    String vnc = desktop().console().passwordSealed();
    assertThat(vnc).startsWith("v1.").doesNotContain("vnc-secret");
    assertThat(node.node().secrets().open(vnc, Desktop.passwordSealContext(DESKTOP))).isEqualTo("vnc-secret");
    applyAgain(TestNode.standardInventory(5999));
    assertThat(desktop().console().passwordSealed()).isNull();
  }

  @Test
  void aConsoleTokenOpensItsDesktopOnceAndOnlyOnce() {
    ConsoleTokens tokens = node.node().consoleTokens();
    String token = issue();
    assertThat(await(tokens.peek(token))).hasValueSatisfying(p -> {
      assertThat(p.desktop().id()).isEqualTo(DESKTOP);
      assertThat(p.viewOnly()).isFalse();
    });
    TokenLookup.Target target = await(tokens.redeem(token));
    assertThat(target.desktopId()).isEqualTo(DESKTOP);
    assertThat(target.port()).isEqualTo(5999);
    assertThat(await(tokens.peek(token))).isEmpty();
    assertRefused(tokens.redeem(token), "token already used");
    assertRefused(tokens.redeem(java.util.UUID.randomUUID().toString()), "unknown token");
    assertRefused(tokens.redeem("not-a-token"), "malformed token");
  }

  @Test
  void consoleSecurityAndPolicyAreStoredAndResolvedDesktopThenProjectThenConfig() {
    applyAgain(TestNode.standardInventory(5999).replace(
        "dev-01, user_name: alice, console: {host: 127.0.0.1, port: 5999}",
        "dev-01, user_name: alice, console: {host: 127.0.0.1, port: 5999, security: vencrypt, username: ann, "
            + "password: pw, tls: {server_name: desk.example, allow_anonymous: true}, viewers: takeover}")
        .replaceFirst("( +)name: region-1\n", "$1name: region-1\n$1console: {clipboard: from_desktop, viewers: exclusive}\n"));
    Desktop.ConsoleEndpoint stored = desktop().console();
    assertThat(stored.security()).isEqualTo(SecurityMode.VENCRYPT);
    assertThat(stored.username()).isEqualTo("ann");
    assertThat(stored.tls()).isEqualTo(new TlsSettings(null, "desk.example", null, null, true));
    assertThat(stored.viewers()).isEqualTo("takeover");
    assertThat(stored.clipboard()).isNull();

    TokenLookup.Target target = await(node.node().consoleTokens().redeem(issue()));
    assertThat(target.security().password()).isEqualTo("pw");
    assertThat(target.policy().viewers()).as("the desktop's").isEqualTo(ConsolePolicy.Viewers.TAKEOVER);
    assertThat(target.policy().clipboard()).as("the project's").isEqualTo(ConsolePolicy.Clipboard.FROM_DESKTOP);
    assertThat(target.policy().viewOnly()).isFalse();

    applyAgain(TestNode.standardInventory(5999));
    TokenLookup.Target plain = await(node.node().consoleTokens().redeem(issue()));
    assertThat(plain.policy()).as("the config's").isEqualTo(ConsolePolicy.DEFAULT);
    assertThat(plain.security().mode()).isEqualTo(SecurityMode.AUTO);
    assertThat(plain.tls()).as("auto may lead to VeNCrypt: TLS prepared").isNotNull();

    String view = node.node().database().runNow(c -> node.node().consoleTokens().issue(c, PROJECT, DESKTOP, null,
        "viewer", true));
    assertThat(await(node.node().consoleTokens().peek(view))).hasValueSatisfying(p -> assertThat(p.viewOnly()).isTrue());
    assertThat(await(node.node().consoleTokens().redeem(view)).policy().viewOnly()).isTrue();
  }

  @Test
  void anExpiredConsoleTokenIsRefused() {
    String token = issue();
    node.sql("UPDATE console_tokens SET expires_at = ? WHERE token_hash = ?", System.currentTimeMillis() - 1,
        Digests.sha256Hex(token));
    assertThat(await(node.node().consoleTokens().peek(token))).isEmpty();
    assertRefused(node.node().consoleTokens().redeem(token), "token expired");
  }

  @Test
  void ofManyConcurrentRedemptionsOfOneTokenExactlyOneWins() throws Exception {
    for (int round = 0; round < 5; round++) {
      String token = issue();
      List<Future<TokenLookup.Target>> attempts = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        attempts.add(node.node().consoleTokens().redeem(token));
      }
      Future.join(attempts).toCompletionStage().toCompletableFuture().exceptionally(e -> null).get(30, TimeUnit.SECONDS);
      assertThat(attempts.stream().filter(Future::succeeded).count()).isEqualTo(1);
      assertThat(attempts.stream().filter(Future::failed)).allSatisfy(f ->
          assertThat(((ConsoleRefusal) f.cause()).reason()).isEqualTo(CloseReason.TOKEN_REFUSED));
    }
  }

  @Test
  void iamTokensAreFoundByHashRevokedAndPurgedAfterExpiry() {
    IamTokens tokens = new IamTokens(86400);
    String userId = db(c -> Sql.one(c, "SELECT id FROM users WHERE name = 'alice'", rs -> rs.getString(1)).orElseThrow());
    IamTokens.Issued issued = db(c -> tokens.issue(c, userId, PROJECT, "password"));
    Optional<IamTokens.Stored> found = db(c -> tokens.find(c, issued.token()));
    assertThat(found).hasValueSatisfying(s -> {
      assertThat(s.userId()).isEqualTo(userId);
      assertThat(s.revoked()).isFalse();
    });
    boolean revoked = db(c -> tokens.revoke(c, issued.token()));
    assertThat(revoked).isTrue();
    Optional<IamTokens.Stored> afterRevoke = db(c -> tokens.find(c, issued.token()));
    assertThat(afterRevoke).hasValueSatisfying(s -> assertThat(s.revoked()).isTrue());
    node.sql("UPDATE iam_tokens SET expires_at = 0 WHERE token_hash = ?", Digests.sha256Hex(issued.token()));
    int purged = db(c -> IamTokens.purgeExpired(c, System.currentTimeMillis()));
    assertThat(purged).isPositive();
    Optional<IamTokens.Stored> afterPurge = db(c -> tokens.find(c, issued.token()));
    assertThat(afterPurge).isEmpty();
  }

  private static <T> T db(Database.Work<T> work) {
    return node.node().database().runNow(work);
  }

  @Test
  void aFailedInventoryLeavesNothingHalfWritten() {
    long users = count("SELECT COUNT(*) FROM users");
    String broken = TestNode.standardInventory(5999)
        .replace("- {name: victor, password: \"victor-pass-1\"}",
            "- {name: victor, password: \"victor-pass-1\"}\n        - {name: walter, password: w}")
        .replace("roles: [workspace_viewer]", "roles: [superuser]");
    assertThatThrownBy(() -> applyAgain(broken)).hasMessageContaining("unknown role 'superuser'");
    assertThat(count("SELECT COUNT(*) FROM users")).isEqualTo(users);
    assertThat(count("SELECT COUNT(*) FROM users WHERE name = 'walter'")).isZero();
  }

  private static String issue() {
    return node.node().database().runNow(c -> node.node().consoleTokens().issue(c,
        node.node().desktops().find(c, DESKTOP).orElseThrow(), "test-user"));
  }

  private static void applyAgain(String inventoryYaml) {
    var inventory = ConfigLoader.load(null, Map.of("DESKGATE_INVENTORY",
        inventoryYaml.replaceFirst("inventory:\n", "").stripIndent())).inventory();
    node.node().applyInventory(inventory);
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertRefused(Future<?> redemption, String detail) {
    assertThatThrownBy(() -> await(redemption)).rootCause().isInstanceOf(ConsoleRefusal.class).hasMessage(detail);
  }
}
