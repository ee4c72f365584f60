// The executor against Go's own text/template: testdata/go_cases.json holds templates, data
// and the output Go 1.19 gave (or the fact that Go failed), filled by testdata/gen_go_cases.go.
#include "template/executor.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "template/template.h"

namespace berth::tmpl {
namespace {

nlohmann::json LoadCases() {
  std::ifstream in(std::string(BERTH_SOURCE_DIR) + "/src/template/testdata/go_cases.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

TEST(TemplateGoCases, MatchGoTextTemplate) {
  nlohmann::json file = LoadCases();
  const nlohmann::json& cases = file["cases"];
  ASSERT_GT(cases.size(), 100u);
  for (const auto& c : cases) {
    std::string name = c["name"];
    SCOPED_TRACE(name + ": " + c["template"].get<std::string>());
    Value data = c.contains("data_ref") ? file["shared_data"][c["data_ref"].get<std::string>()]
                 : c.contains("data")   ? c["data"]
                                        : Value(nullptr);
    auto t = Template::Parse(name, c["template"].get<std::string>());
    Result<std::string> out = t.ok() ? t->Execute(data) : Result<std::string>(t.status());
    if (c.contains("want")) {
      EXPECT_TRUE(out.ok()) << out.status().message();
      if (out.ok()) {
        EXPECT_EQ(*out, c["want"].get<std::string>());
      }
    } else {
      EXPECT_FALSE(out.ok()) << "Go failed with: " << c["go_error"].get<std::string>()
                             << "\nBerth gave: " << out.value_or("");
    }
  }
}

}  // namespace
}  // namespace berth::tmpl
