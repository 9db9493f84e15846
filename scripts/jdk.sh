# Sourced by ./chatmail and .ci/run: finds a JDK 25 or newer and Maven.
# Sets JAVA_HOME and JAVA; prints what to install and exits when there is none.
# CHATMAIL_JVM_DIRS (colon-separated) replaces the directories searched for installed JDKs;
# tests use it, and so can a machine with JDKs in an unusual place.

_chatmail_java_major() {
  # Prints the feature version of the java binary $1, or nothing.
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

chatmail_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  local search="${CHATMAIL_JVM_DIRS:-/usr/lib/jvm:/opt/java:/opt:/Library/Java/JavaVirtualMachines}"
  local dirs dir
  IFS=: read -r -a dirs <<< "$search"
  for dir in "${dirs[@]}"; do
    [ -n "$dir" ] || continue
    # A JDK home is dir/<name>; on macOS it is dir/<name>/Contents/Home.
    for c in "$dir"/*/bin/java "$dir"/*/Contents/Home/bin/java; do
      [ -x "$c" ] && candidates+=("$c")
    done
  done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    # /usr/bin/java is usually a chain of links into the real JDK; JAVA_HOME must be that JDK.
    c=$(readlink -f "$c" 2>/dev/null || printf '%s' "$c")
    [ -x "$(dirname "$c")/javac" ] || continue   # a JRE cannot build
    major=$(_chatmail_java_major "$c")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      JAVA="$c"
      JAVA_HOME=$(cd "$(dirname "$c")/.." && pwd)
      export JAVA_HOME JAVA
      return 0
    fi
  done
  echo "chatmail needs a JDK 25 or newer, and found none (looked at \$JAVA_HOME, java on PATH, and in ${search//:/, })." >&2
  cat >&2 <<'MSG'
Install one, for example:
  Debian/Ubuntu:  apt-get install temurin-25-jdk   (Adoptium repository)  or  openjdk-25-jdk
  any system:     https://adoptium.net/ (Temurin 25), then set JAVA_HOME to it
MSG
  exit 1
}

chatmail_find_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "chatmail needs Apache Maven 3.8 or newer to build. Install it: apt-get install maven" >&2
    exit 1
  fi
  # Maven's own guava warns about sun.misc.Unsafe on JDK 25; that noise is not ours.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}
