// Test helper: a file under the build's temp directory, removed at scope exit.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bgpfa::test {

class TempFile {
 public:
  explicit TempFile(const std::string& suffix = "") {
    static int n = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("bgpfa-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + suffix);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  void write(const std::vector<std::uint8_t>& bytes) const {
    std::ofstream(path_, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                 static_cast<std::streamsize>(bytes.size()));
  }
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace bgpfa::test
