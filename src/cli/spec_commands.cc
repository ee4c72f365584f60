#include <cstdio>

#include "cli/command.h"
#include "server/admin_server.h"

namespace berth::cli {

using nlohmann::json;

void AddSpecCommands(std::vector<Command>& t) {
  t.push_back(Command{
      "spec", "list", "List the app specs and their params", "berth spec list",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto format = std::make_shared<std::string>("table");
        cmd.add_option("-f,--format", *format, "table or json");
        return [format]() -> Status {
          if (*format != "table" && *format != "json") {
            return Status::InvalidArgument("unknown format \"" + *format + "\"; use table or json");
          }
          BERTH_ASSIGN_OR_RETURN(json res, Client().Call("GET", "/api/v1/specs"));
          if (*format == "json") {
            std::printf("%s\n", res["specs"].dump(2).c_str());
            return Status::Ok();
          }
          std::vector<std::vector<std::string>> rows = {{"SPEC", "REQUIRED PARAMS", "OPTIONAL PARAMS"}};
          for (const auto& s : res["specs"]) {
            std::string required, optional;
            for (const auto& p : s["params"]) {
              std::string& list = p.value("required", false) ? required : optional;
              std::string entry = p.value("name", "");
              if (!p["default"].is_null()) {
                entry += "=" + (p["default"].is_string() ? p["default"].get<std::string>()
                                                         : p["default"].dump());
              }
              list += (list.empty() ? "" : ", ") + entry;
            }
            rows.push_back({s.value("name", ""), required.empty() ? "-" : required,
                            optional.empty() ? "-" : optional});
          }
          std::fputs(FormatTable(rows).c_str(), stdout);
          return Status::Ok();
        };
      }});
  t.push_back(Command{
      "spec", "show", "Show the files of a spec", "berth spec show python-flask",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto name = std::make_shared<std::string>();
        cmd.add_option("name", *name, "The spec's name")->required();
        return [name]() -> Status {
          BERTH_ASSIGN_OR_RETURN(
              json res, Client().Call("GET", "/api/v1/specs/show?name=" + server::UrlEncode(*name)));
          bool first = true;
          for (const auto& [file, content] : res["files"].items()) {
            std::printf("%s==> %s <==\n%s", first ? "" : "\n", file.c_str(),
                        content.get<std::string>().c_str());
            first = false;
          }
          return Status::Ok();
        };
      }});
}

}  // namespace berth::cli
