// bench_sink on its own, for scripts/bench's HTTP baseline (wrk against it): listens on
// 127.0.0.1, writes its port to the file named by the argument, and serves until SIGTERM or
// SIGINT.
#include <csignal>
#include <fstream>
#include <iostream>

#include "bench_sink.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bench_sink PORT_FILE\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the sink's thread starts
  rollcall::bench::bench_sink sink;
  {
    std::ofstream out{argv[1]};
    out << sink.port() << "\n";
  }
  int sig = 0;
  sigwait(&signals, &sig);
  const auto seen = sink.snapshot();
  std::cout << "bench_sink: " << seen.requests << " request(s)\n";
  return 0;
}
