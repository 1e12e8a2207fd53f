# o2check self-deploy guard: sourced before every deploy step on the node (as the
# prelude of `sh -c`). Nothing o2check runs as root may come from a place another
# user can write: every directory from / down to the one o2check uses must be a
# real directory (not a symlink) owned by root or by us, and writable by others
# only when sticky (/tmp, /var/tmp: then others cannot rename or delete our
# entries in it).
me=$(id -u)
fail() { echo "o2check-deploy: $*" >&2; exit 3; }
safe_dir() {
  [ -d "$1" ] && [ ! -L "$1" ] || fail "$1 is not a plain directory (a symlink, or missing)"
  set -- "$1" $(stat -c '%u %a' -- "$1") || fail "cannot stat $1"
  [ "$2" = 0 ] || [ "$2" = "$me" ] || fail "$1 is owned by uid $2, not by root or uid $me"
  if [ $((0$3 & 022)) -ne 0 ] && [ $((0$3 & 01000)) -eq 0 ]; then
    fail "$1 is writable by others (mode $3) and not sticky"
  fi
}
# Every component of the absolute path $1, from / down.
safe_chain() {
  safe_dir /
  rest=${1#/}
  cur=
  while [ -n "$rest" ]; do
    comp=${rest%%/*}
    case $rest in */*) rest=${rest#*/} ;; *) rest= ;; esac
    [ -n "$comp" ] || continue
    cur=$cur/$comp
    safe_dir "$cur"
  done
}
# The private directory o2check owns: ours, mode 0700, not a symlink.
private_dir() {
  [ -d "$1" ] && [ ! -L "$1" ] || fail "$1 is not a plain directory (a symlink?)"
  set -- "$1" $(stat -c '%u %a' -- "$1") || fail "cannot stat $1"
  [ "$2" = "$me" ] && [ "$3" = 700 ] ||
    fail "$1 is not ours with mode 0700 (uid $2, mode $3): planted by someone else? remove it or use --remote-dir"
}
hash_of() { sha256sum -- "$1" | { read -r h _ && echo "$h"; }; }
# A plain file (not a symlink) owned by root or us and writable by nobody else.
safe_file() {
  [ -f "$1" ] && [ ! -L "$1" ] || return 1
  set -- "$1" $(stat -c '%u %a' -- "$1") || return 1
  { [ "$2" = 0 ] || [ "$2" = "$me" ]; } && [ $((0$3 & 022)) -eq 0 ]
}
