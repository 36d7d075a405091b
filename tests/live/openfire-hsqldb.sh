#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The openfire adapter against the real HSQLDB engine (Debian's libhsqldb-java; Openfire itself is
# not packaged): HSQLDB loads the script we wrote and returns every secret byte for byte; after
# HSQLDB rewrote the script itself we read our rows back unchanged; while HSQLDB holds the database
# we refuse (exit 75), and after it died uncleanly we refuse until it replayed its log.
. "$(dirname "$0")/../cli/lib.sh" "$@"
jar=/usr/share/java/hsqldb.jar
[ -r "$jar" ] || skip "HSQLDB is not installed ($jar; Debian package libhsqldb-java)"
command -v java >/dev/null || skip "no java"
java --list-modules 2>/dev/null | grep -q '^jdk.compiler' || skip "java cannot run a source file (no JDK: openjdk-17-jdk-headless)"
[ "$(id -u)" = 0 ] || skip "needs root (file owners)"
mkdir -p "$ROOT"
. "$TESTS/lib/openfire-root.sh"
openfire_root

cat >"$T/Db.java" <<'EOF'
import java.nio.charset.StandardCharsets;
import java.sql.*;

/* rows DB: print every component row (secret as UTF-8 hex), then SHUTDOWN as Openfire does.
 * hold DB SECONDS: keep the database open, as a running Openfire does.
 * crash DB: change a row, then die without SHUTDOWN. */
public class Db {
    public static void main(String[] a) throws Exception {
        Connection c = DriverManager.getConnection("jdbc:hsqldb:file:" + a[1] + ";ifexists=true", "SA", "");
        Statement s = c.createStatement();
        if (a[0].equals("rows")) {
            ResultSet r = s.executeQuery("SELECT SUBDOMAIN, WILDCARD, SECRET, PERMISSION FROM OFEXTCOMPONENTCONF ORDER BY SUBDOMAIN");
            while (r.next()) {
                String secret = r.getString(3);
                StringBuilder hex = new StringBuilder();
                if (secret != null)
                    for (byte b : secret.getBytes(StandardCharsets.UTF_8))
                        hex.append(String.format("%02x", b));
                System.out.println(r.getString(1) + " " + r.getInt(2) + " " + (secret == null ? "NULL" : hex) + " " + r.getString(4));
            }
            s.execute("SHUTDOWN");
        } else if (a[0].equals("hold")) {
            System.out.println("open");
            System.out.flush();
            Thread.sleep(Long.parseLong(a[2]) * 1000);
            s.execute("SHUTDOWN");
        } else if (a[0].equals("crash")) {
            s.execute("INSERT INTO OFID VALUES(99,1)");
            Thread.sleep(1500); /* past SET FILES WRITE DELAY 1: the change is in openfire.log */
            System.out.println("open");
            System.out.flush();
            Runtime.getRuntime().halt(9);
        }
    }
}
EOF
db() { java -cp "$jar" "$T/Db.java" "$1" "$OF_DB/openfire" "${@:2}"; }
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

check "HSQLDB loads the fixture" db rows

# Secrets HSQLDB must give back exactly: quotes, backslashes before 'u', text that looks like an
# escape, XML and shell specials, Latin-1, the BMP beyond it, and a character beyond the BMP.
secrets=("it's" "''" 'C:\users\u0041' '\\u' '\u005c' '<&]]>"#%$=' 'é€ ü' '😀x' "a\\" '--; DROP TABLE OFUSER')
subs=()
for i in "${!secrets[@]}"; do
	subs+=("t$i")
	of_apply "t$i.example.org" 5275 "${secrets[$i]}"
	check "t$i: added" equals "$out" "added restart"
done
db rows >"$T/rows"
for i in "${!secrets[@]}"; do
	check "t$i: HSQLDB reads back the very secret" grep -qx "t$i 0 $(hex "${secrets[$i]}") allowed" "$T/rows"
done

# HSQLDB rewrote the script at SHUTDOWN: we read its own writing of our rows.
check "HSQLDB rewrote the script" bash -c "grep -q 'SET DATABASE SQL RESTRICT EXEC' '$OF_SCRIPT'"
for i in "${!secrets[@]}"; do
	of_apply "t$i.example.org" 5275 "${secrets[$i]}"
	check "t$i: unchanged after HSQLDB's own rewrite" equals "$out" unchanged
done
of_apply t0.example.org 5275 'rotated'
check "update after HSQLDB's rewrite" equals "$out" "updated restart"
of_adapter --remove --host=t1.example.org
check "remove after HSQLDB's rewrite" equals "$out" "removed restart"
db rows >"$T/rows"
check "HSQLDB sees the update" grep -qx "t0 0 $(hex rotated) allowed" "$T/rows"
check "HSQLDB no longer sees the removed row" bash -c "! grep -q '^t1 ' '$T/rows'"
check "the others are intact" equals "$(wc -l <"$T/rows")" $((${#secrets[@]} - 1))

# A blocked row written by HSQLDB itself (as the console's blockAccess does): excluded.
cat >"$T/Block.java" <<'EOF'
import java.sql.*;
public class Block {
    public static void main(String[] a) throws Exception {
        Connection c = DriverManager.getConnection("jdbc:hsqldb:file:" + a[0] + ";ifexists=true", "SA", "");
        Statement s = c.createStatement();
        s.execute("DELETE FROM ofExtComponentConf WHERE subdomain='t2' AND wildcard=0");
        s.execute("INSERT INTO ofExtComponentConf (subdomain,wildcard,secret,permission) VALUES ('t2',0,NULL,'blocked')");
        s.execute("SHUTDOWN");
    }
}
EOF
java -cp "$jar" "$T/Block.java" "$OF_DB/openfire"
of_apply t2.example.org 5275 "${secrets[2]}"
check "blocked by HSQLDB's own hand: excluded" equals "$out" excluded

# While HSQLDB holds the database: exit 75, nothing written.
db hold 30 >"$T/hold" 2>&1 &
holder=$!
for _ in $(seq 100); do grep -q open "$T/hold" && break; sleep 0.2; done
snapshot a
of_apply late.example.org 5275 'while-open'
snapshot b
check "database open: exit 75" equals "$rc" 75
check "database open: the heartbeat says so" contains "$err" "openfire.lck has a live heartbeat"
check "database open: nothing written" same_snapshot a b
kill "$holder"
wait "$holder" 2>/dev/null || true

# HSQLDB dies with a change in its log: refused until it ran (and replayed the log) once more.
rm -f "$OF_DB/openfire.lck"
db crash >/dev/null 2>&1 || true
sleep 11 # the dead process's heartbeat goes stale after 10.1 s
of_apply late.example.org 5275 'after-crash'
check "after a crash: refused" equals "$rc" 65
check "after a crash: says why" contains "$err" "modified=yes: HSQLDB was not shut down cleanly"
db rows >/dev/null
of_apply late.example.org 5275 'after-crash'
check "after HSQLDB replayed its log: added" equals "$out" "added restart"
db rows >"$T/rows"
check "HSQLDB sees our row" grep -qx "late 0 $(hex after-crash) allowed" "$T/rows"
check "and kept the row it replayed from its log" grep -qx 'INSERT INTO OFID VALUES(99,1)' "$OF_SCRIPT"
finish
