package io.deskgate.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which user desktops run as, and the refusals an operator reads, from a passwd table held in memory. */
class DesktopUserResolveTest {

  final Map<String, String> passwd = new HashMap<>(Map.of(
      "root", "root:x:0:0:root:/root:/bin/bash",
      "deskgate", "deskgate:x:990:990:Deskgate:/var/lib/deskgate:/usr/sbin/nologin",
      "toor", "toor:x:0:1001::/home/toor:/bin/sh"));
  final List<String> created = new ArrayList<>();

  DesktopUser resolve(String runAs, DesktopUser.Self self, String createFailure) throws ProviderException {
    return DesktopUser.resolve(runAs, self, name -> Optional.ofNullable(passwd.get(name)), name -> {
      created.add(name);
      if (createFailure.isEmpty()) {
        passwd.put(name, name + ":x:995:995:Deskgate desktops:/home/" + name + ":/bin/bash");
      }
      return createFailure;
    });
  }

  static final DesktopUser.Self ROOT = new DesktopUser.Self("root", 0, 0x1ffffffffffL);
  static final DesktopUser.Self SERVICE = new DesktopUser.Self("deskgate", 990, 0);

  @Test
  void asRootAMissingUserIsCreatedOnceAndSwitchedTo() throws Exception {
    DesktopUser user = resolve("deskgate-desktop", ROOT, "");
    assertThat(created).containsExactly("deskgate-desktop");
    assertThat(user).isEqualTo(new DesktopUser("deskgate-desktop", 995, 995, "/home/deskgate-desktop", "/bin/bash", true));
    assertThat(user.wrap(List.of("Xvnc", ":20"))).containsExactly("setpriv", "--reuid=995", "--regid=995",
        "--init-groups", "--no-new-privs", "--", "Xvnc", ":20");
    assertThat(resolve("deskgate-desktop", ROOT, "")).isEqualTo(user);
    assertThat(created).as("an existing user is not made again").hasSize(1);
  }

  @Test
  void asRootAUserThatCannotBeMadeIsRefusedWithTheReasonAndTheCommandToMakeIt() {
    assertThatThrownBy(() -> resolve("deskgate-desktop", ROOT, "useradd exited with 10: cannot lock /etc/passwd"))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("'deskgate-desktop' does not exist and could not be created")
        .hasMessageContaining("cannot lock /etc/passwd")
        .hasMessageContaining("useradd --system --user-group --create-home --shell /bin/bash deskgate-desktop");
  }

  @Test
  void rootWithoutTheCapabilitiesToSwitchIsRefusedBeforeTryingAndSaysWhichAreNeeded() {
    // the drop-in's set less CAP_SETUID: chown, kill, setgid
    DesktopUser.Self bounded = new DesktopUser.Self("root", 0, 1L | 1L << 5 | 1L << 6);
    assertThatThrownBy(() -> resolve("deskgate-desktop", bounded, ""))
        .hasMessageContaining("CAP_SETUID, CAP_SETGID, CAP_KILL and CAP_CHOWN")
        .hasMessageContaining("xvnc-desktops.conf");
    assertThat(created).isEmpty();
  }

  @Test
  void aUserWithIdZeroIsNotADesktopUser() {
    assertThatThrownBy(() -> resolve("toor", ROOT, "")).hasMessageContaining("unprivileged");
  }

  @Test
  void notAsRootDesktopsRunAsDeskgatesOwnUserOnlyWhenToldSo() throws Exception {
    assertThatThrownBy(() -> resolve("deskgate-desktop", SERVICE, ""))
        .hasMessageContaining("Deskgate runs as 'deskgate', not root, so it cannot start desktops as 'deskgate-desktop'")
        .hasMessageContaining("providers.xvnc.run_as: deskgate");
    assertThat(created).as("nothing is made without root").isEmpty();
    DesktopUser self = resolve("deskgate", SERVICE, "");
    assertThat(self.switched()).isFalse();
    assertThat(self.wrap(List.of("Xvnc"))).containsExactly("Xvnc");
  }

  @Test
  void theEnvironmentIsTheUsersNotDeskgates() throws Exception {
    Map<String, String> env = resolve("deskgate-desktop", ROOT, "").environment(21);
    assertThat(env).containsEntry("HOME", "/home/deskgate-desktop").containsEntry("USER", "deskgate-desktop")
        .containsEntry("DISPLAY", ":21").containsEntry("SHELL", "/bin/bash")
        .containsOnlyKeys("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "DISPLAY");
  }

  @Test
  void aMalformedPasswdEntryIsRefused() {
    passwd.put("odd", "odd:x:abc");
    assertThatThrownBy(() -> resolve("odd", ROOT, "")).hasMessageContaining("unexpected passwd entry");
  }
}
