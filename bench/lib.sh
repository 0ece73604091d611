# Shared set-up of the benchmark scripts (sourced, not run).

# bench_temp_dir NAME: a fresh directory in $dir; at exit every pid in $pids is killed and
# waited for, and the directory removed.
bench_temp_dir() {
  dir=$(mktemp -d "/tmp/$1.XXXX")
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}

# free_port: a TCP port on 127.0.0.1 nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
