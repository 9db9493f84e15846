# Sourced by ./chatmail: the launcher's record of "nothing changed since the last start".
#
# The record (in a directory under relay/target/) holds the JDK the launcher chose, the
# environment that choice depended on, a list of files and directories, and their identity
# (inode, size, modification and change time to the nanosecond) as one `stat` printed it. A start
# whose environment and stat output are identical to the record skips the JDK search, the source
# check and the AOT cache check. Listing the directories as well as the files catches what
# changes no listed file: a file added, removed or renamed changes its directory's times. The
# change time (ctime) cannot be set back by `touch -d`, `cp -p` or `tar`, so also a file replaced
# by an older copy differs.

# Prints the inputs of the JDK choice (scripts/jdk.sh): $JAVA_HOME as the caller found it, the
# search directories and the java on PATH.
chatmail_state_env() {
  printf 'JAVA_HOME=%s CHATMAIL_JVM_DIRS=%s java=%s' "${1-}" "${CHATMAIL_JVM_DIRS-}" "$(command -v java || true)"
}

# chatmail_state_fresh DIR ENV FLAG: true when DIR holds a record made with ENV and FLAG (what the
# caller needs recorded, e.g. that an AOT cache was made) whose files are all unchanged. Sets
# JAVA and JAVA_HOME (exported) from the record then.
chatmail_state_fresh() {
  local dir=$1 env=$2 flag=$3 recorded_env recorded_flag java home recorded current files=()
  [ -r "$dir/record" ] && [ -r "$dir/files" ] && [ -r "$dir/stat" ] || return 1
  { IFS= read -r recorded_env && IFS= read -r recorded_flag && IFS= read -r java && IFS= read -r home; } < "$dir/record" || return 1
  [ "$recorded_env" = "$env" ] && [ "$recorded_flag" = "$flag" ] || return 1
  mapfile -t files < "$dir/files"
  [ "${#files[@]}" -gt 0 ] || return 1
  IFS= read -r -d '' recorded < "$dir/stat" || true
  current=$(stat --printf '%i %s %.9Y %.9Z\n' -- "${files[@]}" 2>/dev/null) || return 1
  [ "$current" = "${recorded%$'\n'}" ] || return 1
  JAVA=$java
  JAVA_HOME=$home
  export JAVA JAVA_HOME
}

# chatmail_state_snapshot FILE...: prints the stat line of each (fails when one is missing).
chatmail_state_snapshot() {
  stat --printf '%i %s %.9Y %.9Z\n' -- "$@"
}

# chatmail_state_write DIR ENV FLAG FILES_FILE STAT_FILE: replaces the record with these (the two
# files are moved in), JAVA and JAVA_HOME as chosen now. A directory that cannot be written
# leaves no record: every start then takes the slow path, which still works.
chatmail_state_write() {
  local dir=$1 env=$2 flag=$3 files=$4 stat=$5
  {
    mkdir -p "$dir" &&
    printf '%s\n%s\n%s\n%s\n' "$env" "$flag" "$JAVA" "$JAVA_HOME" > "$dir/record.$$" &&
    mv -f "$files" "$dir/files" && mv -f "$stat" "$dir/stat" && mv -f "$dir/record.$$" "$dir/record"
  } 2>/dev/null || rm -f "$dir/record" "$dir/record.$$" "$files" "$stat" 2>/dev/null || true
}
