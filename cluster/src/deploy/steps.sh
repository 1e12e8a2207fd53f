# o2check self-deploy steps, after guard.sh. $1 is the step; the rest its words.
step=$1
shift
case $step in
probe)
  # A copy in the private directory: "present" only when it hashes to ours.
  dir=$1 name=$2 want=$3
  safe_chain "${dir%/*}"
  [ -e "$dir" ] || [ -L "$dir" ] || { echo absent; exit 0; }
  private_dir "$dir"
  f=$dir/$name
  if safe_file "$f" && [ "$(hash_of "$f")" = "$want" ]; then echo present; else echo absent; fi
  ;;
install)
  # stdin is the binary: written under an unpredictable name (mktemp, O_EXCL) in
  # the private directory, its hash checked, then renamed into place.
  dir=$1 name=$2 want=$3
  umask 077
  safe_chain "${dir%/*}"
  [ -e "$dir" ] || [ -L "$dir" ] || mkdir -m 700 -- "$dir" || fail "cannot create $dir"
  private_dir "$dir"
  tmp=$(mktemp -- "$dir/.incoming.XXXXXXXXXX") || fail "cannot create a file in $dir"
  trap 'rm -f -- "$tmp"' EXIT
  cat >"$tmp" || fail "cannot write $tmp"
  [ "$(hash_of "$tmp")" = "$want" ] || fail "the copy in $tmp does not hash to $want (truncated?)"
  chmod 700 -- "$tmp" && mv -fT -- "$tmp" "$dir/$name" || fail "cannot rename $tmp"
  trap - EXIT
  echo installed
  ;;
installed)
  # The installed program: used only when it resolves to a plain file owned by
  # root or us, writable by nobody else, in a safe chain, hashing to ours.
  prog=$1 want=$2
  p=$(command -v -- "$prog") || { echo absent; exit 0; }
  case $p in /*) ;; *) echo absent; exit 0 ;; esac
  real=$(readlink -f -- "$p") || { echo absent; exit 0; }
  safe_chain "${p%/*}"
  safe_chain "${real%/*}"
  if safe_file "$real" && [ "$(hash_of "$real")" = "$want" ]; then
    echo "match $real"
  else
    echo differs
  fi
  ;;
*) fail "unknown step $step" ;;
esac
