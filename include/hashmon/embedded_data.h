// Data files compiled into the binary (country data, schema migrations), so that hashmon
// runs from any directory without an install step.
#ifndef HASHMON_EMBEDDED_DATA_H_
#define HASHMON_EMBEDDED_DATA_H_

#include <string_view>
#include <utility>
#include <vector>

namespace hashmon {

// Returns the contents of a file under data/ ("countries/gazetteer.tsv"), or an empty view.
std::string_view EmbeddedDataFile(std::string_view name);

// Schema migrations as (file name, SQL), in order of their number.
std::vector<std::pair<std::string_view, std::string_view>> EmbeddedMigrations();

}  // namespace hashmon

#endif  // HASHMON_EMBEDDED_DATA_H_
