// The model card's parameter tables are generated from the model files: this test fails when the
// generated section of docs/model.md differs from what `model_to_markdown` makes of
// models/gut_skin, so the card cannot drift from the model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gutskin/formats.hpp"
#include "gutskin/model.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path source_dir = GUTSKIN_SOURCE_DIR;
const std::string begin_marker =
    "<!-- BEGIN GENERATED PARAMETER TABLES (do not edit by hand; generated from models/gut_skin) -->";
const std::string end_marker = "<!-- END GENERATED PARAMETER TABLES -->";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \n\r\t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \n\r\t");
  return s.substr(b, e - b + 1);
}

}  // namespace

TEST(ModelCard, MarkdownTablesCoverEveryParameterAndPhenotype) {
  const gutskin::Model model = gutskin::load_model(source_dir / "models" / "gut_skin");
  const std::string md = gutskin::model_to_markdown(model);
  for (const gutskin::Parameter& p : model.parameters)
    EXPECT_NE(md.find("| `" + p.name + "` |"), std::string::npos) << p.name;
  for (const gutskin::Phenotype& p : model.phenotypes)
    EXPECT_NE(md.find("| `" + p.name + "` |"), std::string::npos) << p.name;
  EXPECT_NE(md.find("#### microbiome ("), std::string::npos);
  EXPECT_EQ(md, gutskin::model_to_markdown(model)) << "not deterministic";
}

TEST(ModelCard, GeneratedSectionMatchesModelFiles) {
  const gutskin::Model model = gutskin::load_model(source_dir / "models" / "gut_skin");
  const std::string expected = trim(gutskin::model_to_markdown(model));
  const std::string card = read_text(source_dir / "docs" / "model.md");
  const auto b = card.find(begin_marker);
  const auto e = card.find(end_marker);
  ASSERT_NE(b, std::string::npos) << "docs/model.md lost its marker line: " << begin_marker;
  ASSERT_NE(e, std::string::npos) << "docs/model.md lost its marker line: " << end_marker;
  ASSERT_LT(b, e);
  const std::string actual = trim(card.substr(b + begin_marker.size(), e - b - begin_marker.size()));
  if (actual != expected) {
    const fs::path written = fs::absolute("model_card_expected.md");
    std::ofstream(written) << expected << "\n";
    FAIL() << "docs/model.md's generated parameter tables differ from models/gut_skin.\n"
           << "Regenerate them: run `gutskin describe gut_skin --markdown` (from the source tree, "
           << "or use the copy just written to " << written.string()
           << ") and replace everything between the lines\n  " << begin_marker << "\nand\n  "
           << end_marker << "\nin docs/model.md with its output.";
  }
}
