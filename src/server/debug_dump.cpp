#include "server/debug_dump.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace server {

void write_debug_file(const std::string& dir, const std::string& name, std::string_view content) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const std::filesystem::path path = std::filesystem::path(dir) / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) std::fprintf(stderr, "[debug] cannot write %s\n", path.c_str());
}

}  // namespace server
