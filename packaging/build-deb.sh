#!/usr/bin/env bash
# Builds target/deskgate_<version>_all.deb from target/deskgate.jar (mvn package first) with dpkg-deb:
# the jar in /usr/share/deskgate, the systemd unit, the config skeleton and /etc/default/deskgate, the
# docs; the system user is made by its postinst. Prints the package's path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/target/deskgate.jar"
[[ -f $jar ]] || { echo "build-deb: $jar is missing; build it first (./deskgate --help, or mvn package)" >&2; exit 1; }
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$here/pom.xml" | head -n 1 | sed 's/-SNAPSHOT/~snapshot/')
root="$here/target/deb/root"
rm -rf "$here/target/deb"
install -d -m 0755 "$root/DEBIAN" "$root/usr/share/deskgate" "$root/lib/systemd/system" "$root/etc/deskgate" \
  "$root/etc/default" "$root/usr/share/doc/deskgate/examples"
install -m 0644 "$jar" "$root/usr/share/deskgate/deskgate.jar"
install -m 0644 "$here/packaging/systemd/deskgate.service" "$root/lib/systemd/system/deskgate.service"
install -m 0640 "$here/packaging/deskgate.yaml" "$root/etc/deskgate/deskgate.yaml"
install -m 0644 "$here/packaging/default-deskgate" "$root/etc/default/deskgate"
install -m 0644 "$here/README.md" "$here"/docs/*.md "$root/usr/share/doc/deskgate/"
install -m 0644 "$here/packaging/systemd/xvnc-desktops.conf" "$root/usr/share/doc/deskgate/examples/"
sed "s/@VERSION@/$version/" "$here/packaging/debian/control" > "$root/DEBIAN/control"
install -m 0644 "$here/packaging/debian/conffiles" "$root/DEBIAN/conffiles"
install -m 0755 "$here/packaging/debian/postinst" "$here/packaging/debian/prerm" "$here/packaging/debian/postrm" \
  "$root/DEBIAN/"
deb="$here/target/deskgate_${version}_all.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
