// Test helper: run the bgpfa binary, capture stdout, stderr and the exit status.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/temp_file.hpp"

namespace bgpfa::test {

struct RunResult {
  std::string out;
  std::string err;
  int status = -1;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline RunResult run_bgpfa(const std::string& args) {
  TempFile out, err;
  const std::string cmd = std::string(BGPFA_BINARY) + " " + args + " >" + out.path() + " 2>" + err.path();
  const int rc = std::system(cmd.c_str());
  return {slurp(out.path()), slurp(err.path()), WIFEXITED(rc) ? WEXITSTATUS(rc) : -1};
}

}  // namespace bgpfa::test
