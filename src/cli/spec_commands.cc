#include <cstdio>

#include "cli/command.h"

namespace berth::cli {

void AddSpecCommands(std::vector<Command>& t) {
  t.push_back(Command{"spec", "list", "List the app specs and their params", "berth spec list",
                      [](CLI::App& cmd) -> std::function<Status()> {
                        auto format = std::make_shared<std::string>("table");
                        cmd.add_option("-f,--format", *format, "table or json");
                        return [format]() -> Status {
                          BERTH_RETURN_IF_ERROR(CheckFormat(*format));
                          BERTH_ASSIGN_OR_RETURN(admin::SpecsResponse res,
                                                 Client().Call(admin::ListSpecsRequest{}));
                          if (*format == "json") {
                            PrintJson(res.specs);
                            return Status::Ok();
                          }
                          std::vector<std::vector<std::string>> rows = {
                              {"SPEC", "REQUIRED PARAMS", "OPTIONAL PARAMS"}};
                          for (const auto& s : res.specs) {
                            std::string required, optional;
                            for (const auto& p : s.params) {
                              std::string& list = p.required ? required : optional;
                              std::string entry = p.name;
                              if (!p.default_value.is_null()) {
                                entry += "=" + (p.default_value.is_string()
                                                    ? p.default_value.get<std::string>()
                                                    : admin::Dump(p.default_value));
                              }
                              list += (list.empty() ? "" : ", ") + entry;
                            }
                            rows.push_back({s.name, required.empty() ? "-" : required,
                                            optional.empty() ? "-" : optional});
                          }
                          std::fputs(FormatTable(rows).c_str(), stdout);
                          return Status::Ok();
                        };
                      }});
  t.push_back(Command{"spec", "show", "Show the files of a spec", "berth spec show python-flask",
                      [](CLI::App& cmd) -> std::function<Status()> {
                        auto name = std::make_shared<std::string>();
                        cmd.add_option("name", *name, "The spec's name")->required();
                        return [name]() -> Status {
                          BERTH_ASSIGN_OR_RETURN(admin::SpecFiles res,
                                                 Client().Call(admin::ShowSpecRequest{*name}));
                          bool first = true;
                          for (const auto& [file, content] : res.files) {
                            std::printf("%s==> %s <==\n%s", first ? "" : "\n", file.c_str(),
                                        content.c_str());
                            first = false;
                          }
                          return Status::Ok();
                        };
                      }});
}

}  // namespace berth::cli
