// The MRT dumps among the shared fixtures (BGPFA_SHARED_DIR/fixtures/mrt/ris and samples), in
// name order, without bgpdump's expected outputs kept beside them; none when they are absent.
#pragma once
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace bgpfa::test {

inline std::vector<std::filesystem::path> shared_dumps(const std::filesystem::path& mrt_dir) {
  std::vector<std::filesystem::path> out;
  for (const auto* dir : {"ris", "samples"}) {
    if (!std::filesystem::exists(mrt_dir / dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(mrt_dir / dir))
      if (entry.path().filename().string().find(".bgpdump-vm") == std::string::npos) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace bgpfa::test
