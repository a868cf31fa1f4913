#pragma once
/// Writing a report's files into its directory.

#include <string>
#include <utility>
#include <vector>

namespace cobuy {

/// Creates `dir` if needed and writes each (file name, content) of `files` into it, each to a
/// temporary name first and renamed into place, so a reader never sees half a file. Throws
/// Error(io) naming the directory or file that cannot be written.
void write_report_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace cobuy
