# Sourced by ./chatmail (and by a packaged launcher): the JVM options that run the relay, chosen
# from the machine and the configuration without starting a JVM. Bash built-ins only (no awk,
# no sed): the launcher's fast path forks nothing it does not need. docs/decisions.md, "Start-up
# and memory", says why each option is there and what was measured.
#
#   chatmail_jvm_options [ARG...]   sets the array CHATMAIL_JVM_OPTIONS for a relay started with
#                                   these command-line arguments (`run --config FILE` and so on).
#
# $CHATMAIL_JAVA_OPTS is not part of it: the caller appends it last, so an operator's -Xmx or
# other option wins over the policy here; a collector named there replaces ours.

# The options of every JVM the launcher starts for the relay's jar, also the AOT training run
# (the cache is made with the options it is used with).
CHATMAIL_JVM_BASE_OPTIONS=(
  --enable-native-access=ALL-UNNAMED
  # A small initial heap: the default is 1/64 of RAM, which start-up's short-lived objects fill
  # and RSS then keeps; the heap grows when the load asks for it.
  -Xms8m
  # SEC-7: out of heap, the process ends (systemd restarts it) instead of living on with some
  # threads dead; mail is acknowledged only after its commit, so none is lost.
  -XX:+ExitOnOutOfMemoryError
)

# The JIT's options for the relay (not the bench's load generator, which gets the base options).
# Under attack C2 compiles the attack's paths for minutes, some compilations with arenas of 14-38
# MiB, which a native trim under load gave back every 5 s and the next compilation took again: RSS
# swings of 15-27 MiB (the relay now trims only while quiet, chatmail.NativeHeapTrim). A
# compilation whose arenas pass 8 MiB is abandoned and its method runs as C1 compiled it (5 MiB
# cost throughput under saturation; docs/decisions.md, "A smaller G1 expansion step and a cap on
# C2's arenas"). quiet: the JVM would print the command on stdout.
# With the AOT cache's training profiles, a method that C2 compiled in the training is compiled by
# C1 with counters (tier 2) at its first hundred calls of a start and handed to C2 at the next
# check of those counters, every 2^11 calls, whatever C2's thresholds say: during a restart C2
# then compiled start-up code (the jar directories, P-256, hash maps) on one of the two cores that
# the start needs. Checking every 2^14 calls (2^16 loop iterations) takes a third of C2's CPU
# off the path to ready; under load a hot method still gets there within seconds (saturation
# the same within the bench's spread; docs/benchmarks.md, "Seventh pass").
CHATMAIL_JVM_COMPILER_OPTIONS=(
  -XX:CompileCommand=quiet
  '-XX:CompileCommand=MemLimit,*.*,8m'
  -XX:Tier2InvokeNotifyFreqLog=14
  -XX:Tier2BackedgeNotifyFreqLog=16
)

# The collector and how it sizes the heap, unless $CHATMAIL_JAVA_OPTS names a collector itself
# (the JVM refuses two). G1, because it gives memory back: the serial collector grew to its
# maximum under saturation and kept it (a minute after the load, 850 MiB RSS against 149 MiB;
# docs/benchmarks.md, "Footprint"). GCTimeRatio=4 lets GC take
# up to a fifth of the time rather than grow the heap (no throughput lost in the measurements);
# the free ratios shrink the heap after a collection (MaxHeapFreeRatio 40, not 30: under attack the
# remark's cut to 1.43x what is live and the young collections' regrowth made RSS swing by
# +-5-7 %; docs/security.md, "RSS flat under attack: no thread before the first byte"); the periodic collection shrinks an idle
# relay's heap; the marking stack starts small (it grows when needed) instead of 32 MiB.
CHATMAIL_JVM_COLLECTOR_OPTIONS=(
  -XX:+UseG1GC
  -XX:GCTimeRatio=4
  -XX:MinHeapFreeRatio=10
  -XX:MaxHeapFreeRatio=40
  -XX:G1PeriodicGCInterval=30000
  -XX:MarkStackSize=64K
  # After a pause that took more than its share of time G1 grows the heap by a fifth of this
  # percentage of what is not committed: 2 instead of 20 makes a step ~3 MiB instead of 15-17 MiB,
  # which under attack the next remark (MaxHeapFreeRatio) took back within seconds.
  -XX:+UnlockExperimentalVMOptions
  -XX:G1ExpandByPercentOfAvailable=2
)

# Sets CHATMAIL_JVM_COLLECTOR to the collector options to use: none when the operator's options
# (the first argument, normally $CHATMAIL_JAVA_OPTS) select a collector.
chatmail_jvm_collector() {
  if [[ " ${1-} " =~ [[:space:]]-XX:\+Use[A-Za-z]*GC[[:space:]] ]]; then
    CHATMAIL_JVM_COLLECTOR=()
  else
    CHATMAIL_JVM_COLLECTOR=("${CHATMAIL_JVM_COLLECTOR_OPTIONS[@]}")
  fi
}

# Reads section [params] of the INI file FILE into the associative array CHATMAIL_INI_PARAMS
# (lower-cased key -> trimmed value, the first occurrence wins); empty when the file cannot be
# read. Keys end at the first '=' or ':', as in chatmail.config.IniParser; continuation lines
# are ignored (the numbers read here never have any). The relay itself reports a bad file.
chatmail_read_ini_params() {
  local file=$1 line name value section="" lines=()
  declare -gA CHATMAIL_INI_PARAMS=()
  [ -n "$file" ] && [ -r "$file" ] || return 0
  mapfile -t lines < "$file"
  for line in "${lines[@]}"; do
    line=${line%$'\r'}
    line=${line#"${line%%[![:space:]]*}"}
    case $line in
      ''|'#'*|';'*) continue ;;
      '['*']'*) section=${line#[}; section=${section%]*}; continue ;;
    esac
    [ "$section" = params ] || continue
    name=${line%%[=:]*}
    [ "$name" != "$line" ] || continue
    value=${line#"$name"?}
    name=${name%"${name##*[![:space:]]}"}
    name=${name,,}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    [ -n "${CHATMAIL_INI_PARAMS[$name]+set}" ] || CHATMAIL_INI_PARAMS[$name]=$value
  done
}

# Sets CHATMAIL_CONFIG_FILE to the chatmail.ini the relay will read for these command-line
# arguments, in the order of chatmail.config.ConfigLocator: --config/-c FILE, $CHATMAIL_INI,
# ./chatmail.ini; empty in dev mode. A named file that does not exist is kept (the relay says so).
chatmail_config_file() {
  local previous="" arg
  CHATMAIL_CONFIG_FILE=""
  for arg in "$@"; do
    case $previous in
      --config|-c) CHATMAIL_CONFIG_FILE=$arg; return 0 ;;
    esac
    case $arg in
      --config=*) CHATMAIL_CONFIG_FILE=${arg#--config=}; return 0 ;;
      -c?*) CHATMAIL_CONFIG_FILE=${arg#-c}; return 0 ;;
    esac
    previous=$arg
  done
  if [ -n "${CHATMAIL_INI:-}" ]; then
    CHATMAIL_CONFIG_FILE=$CHATMAIL_INI
  elif [ -f chatmail.ini ]; then
    CHATMAIL_CONFIG_FILE=chatmail.ini
  fi
}

# Sets CHATMAIL_MEMORY_LIMIT_KIB to the memory the relay may use: MemTotal, or the memory limit
# of the cgroup this process is in when that is smaller (a systemd MemoryMax=, a container).
# Arguments for tests: the meminfo file, the /proc/self/cgroup file, the cgroup file system root.
chatmail_memory_limit_kib() {
  local meminfo=${1:-/proc/meminfo} cgroups=${2:-/proc/self/cgroup} root=${3:-/sys/fs/cgroup}
  local line total="" limit="" id controllers path file
  while IFS= read -r line; do
    case $line in
      MemTotal:*) line=${line#MemTotal:}; line=${line% kB}; total=${line//[[:space:]]/}; break ;;
    esac
  done < "$meminfo"
  if [ -r "$cgroups" ]; then
    while IFS=: read -r id controllers path; do
      file=""
      if [ "$id" = 0 ] && [ -z "$controllers" ]; then
        # cgroup v2, mounted at the root or (hybrid) beside the v1 controllers at root/unified.
        for file in "$root$path/memory.max" "$root/unified$path/memory.max"; do
          [ -r "$file" ] && break
        done
      elif [[ ,$controllers, == *,memory,* ]]; then
        file="$root/memory$path/memory.limit_in_bytes"
      fi
      [ -n "$file" ] && [ -r "$file" ] || continue
      read -r line < "$file" || continue
      # "max" (v2) or a huge number (v1) mean no limit.
      if [[ $line =~ ^[0-9]{1,15}$ ]]; then
        line=$(( line / 1024 ))
        if [ -z "$limit" ] || [ "$line" -lt "$limit" ]; then limit=$line; fi
      fi
    done < "$cgroups"
  fi
  if [ -n "$limit" ] && { [ -z "$total" ] || [ "$limit" -lt "$total" ]; }; then
    total=$limit
  fi
  CHATMAIL_MEMORY_LIMIT_KIB=${total:-0}
}

# Sets CHATMAIL_HEAP_MAX_MIB, the maximum heap for a relay with IMAP_CONNECTIONS
# (max_imap_connections) and MESSAGE_BYTES (max_message_size) in LIMIT_KIB of memory.
chatmail_heap_max_mib() {
  local connections=$1 message_bytes=$2 limit_kib=$3 want cap
  # Live data of an idle relay is ~15 MiB; an idle IMAP connection holds ~23 KiB of heap,
  # ~34 KiB with COMPRESS (docs/benchmarks.md); a message being received is in the heap up to
  # three times (the growing buffer, its copy, the cleaned copy), and a few may arrive at once.
  want=$(( 64 + connections * 36 / 1024 + 4 * 3 * message_bytes / 1048576 ))
  # The other half is for what is not heap (class metadata, code, thread stacks, SQLite), the
  # page cache that SQLite and the body files live on, and the rest of the system.
  cap=$(( limit_kib / 2 / 1024 ))
  [ "$want" -le "$cap" ] || want=$cap
  [ "$want" -ge 96 ] || want=96
  CHATMAIL_HEAP_MAX_MIB=$want
}

# Sets CHATMAIL_JVM_OPTIONS for the relay started with the arguments "$@", and exports
# MALLOC_ARENA_MAX=2 unless it is set: glibc otherwise gives busy threads arenas of their own,
# each keeping what was freed in it (5 to 10 MiB of an idle relay's RSS, measured).
chatmail_jvm_options() {
  local connections message_bytes
  chatmail_config_file "$@"
  chatmail_read_ini_params "$CHATMAIL_CONFIG_FILE"
  connections=${CHATMAIL_INI_PARAMS[max_imap_connections]:-}
  message_bytes=${CHATMAIL_INI_PARAMS[max_message_size]:-}
  # Defaults of chatmail.config.ConfigKey; a value that is not a number is the relay's to report.
  [[ $connections =~ ^[0-9]{1,9}$ ]] || connections=10000
  [[ $message_bytes =~ ^[0-9]{1,12}$ ]] || message_bytes=31457280
  chatmail_memory_limit_kib
  chatmail_heap_max_mib "$connections" "$message_bytes" "$CHATMAIL_MEMORY_LIMIT_KIB"
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  chatmail_jvm_collector "${CHATMAIL_JAVA_OPTS:-}"
  CHATMAIL_JVM_OPTIONS=("${CHATMAIL_JVM_BASE_OPTIONS[@]}" "${CHATMAIL_JVM_COMPILER_OPTIONS[@]}" "${CHATMAIL_JVM_COLLECTOR[@]}"
    -Xmx"$CHATMAIL_HEAP_MAX_MIB"m)
}
