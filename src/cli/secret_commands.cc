// berth secret create|list|show|delete|rekey: the built-in encrypted store (db* providers).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/command.h"

namespace berth::cli {

namespace {

// The value argument: "-" reads stdin (so the value never shows in `ps`), dropping one
// trailing newline.
Result<std::string> ReadValue(const std::string& arg) {
  if (arg != "-") return arg;
  if (::isatty(STDIN_FILENO))
    std::fputs("Reading the value from stdin (end with Ctrl-D)\n", stderr);
  std::string value((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (std::cin.bad()) return Status::IOError("cannot read the secret value from stdin");
  if (value.ends_with("\r\n")) {
    value.resize(value.size() - 2);
  } else if (value.ends_with("\n")) {
    value.pop_back();
  }
  return value;
}

struct ProviderAndName {
  std::string provider;
  std::string name;
};

std::shared_ptr<ProviderAndName> AddProviderAndName(CLI::App& cmd) {
  auto a = std::make_shared<ProviderAndName>();
  cmd.add_option("provider", a->provider, "A db* secret provider, e.g. db")->required();
  cmd.add_option("name", a->name, "The secret's name")->required();
  return a;
}

}  // namespace

void AddSecretCommands(std::vector<Command>& t) {
  t.push_back(Command{
      "secret", "create", "Store a secret in the built-in encrypted store (or replace it)",
      "printf %s \"$DB_PASS\" | berth secret create db DB_PASS -",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto a = AddProviderAndName(cmd);
        auto value = std::make_shared<std::string>();
        cmd.add_option("value", *value, "The value, or - to read it from stdin")->required();
        return [a, value]() -> Status {
          BERTH_ASSIGN_OR_RETURN(std::string v, ReadValue(*value));
          BERTH_ASSIGN_OR_RETURN(
              admin::SecretsResponse res,
              Client().Call(admin::CreateSecretRequest{a->provider, a->name, v}));
          std::printf("%s secret %s/%s\n", res.created ? "Created" : "Updated", a->provider.c_str(),
                      a->name.c_str());
          return Status::Ok();
        };
      }});
  t.push_back(Command{
      "secret", "list", "List stored secrets: names and dates, never values",
      "berth secret list db", [](CLI::App& cmd) -> std::function<Status()> {
        auto provider = std::make_shared<std::string>();
        auto format = std::make_shared<std::string>("table");
        cmd.add_option("provider", *provider, "Only this db* provider");
        cmd.add_option("-f,--format", *format, "table or json");
        return [provider, format]() -> Status {
          BERTH_RETURN_IF_ERROR(CheckFormat(*format));
          BERTH_ASSIGN_OR_RETURN(admin::SecretsResponse res,
                                 Client().Call(admin::ListSecretsRequest{*provider}));
          if (*format == "json") {
            PrintJson(res.secrets);
            return Status::Ok();
          }
          std::vector<std::vector<std::string>> rows = {{"PROVIDER", "NAME", "CREATED", "UPDATED"}};
          for (const auto& s : res.secrets) {
            rows.push_back({s.provider, s.name, s.created_at, s.updated_at});
          }
          std::fputs(FormatTable(rows).c_str(), stdout);
          return Status::Ok();
        };
      }});
  t.push_back(Command{"secret", "show", "Print a stored secret's value",
                      "berth secret show db DB_PASS", [](CLI::App& cmd) -> std::function<Status()> {
                        auto a = AddProviderAndName(cmd);
                        return [a]() -> Status {
                          BERTH_ASSIGN_OR_RETURN(
                              admin::SecretValue res,
                              Client().Call(admin::ShowSecretRequest{a->provider, a->name}));
                          std::fwrite(res.value.data(), 1, res.value.size(), stdout);
                          std::fputc('\n', stdout);
                          return Status::Ok();
                        };
                      }});
  t.push_back(Command{
      "secret", "delete", "Delete a stored secret", "berth secret delete db DB_PASS",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto a = AddProviderAndName(cmd);
        return [a]() -> Status {
          BERTH_ASSIGN_OR_RETURN(admin::SecretsResponse res,
                                 Client().Call(admin::DeleteSecretRequest{a->provider, a->name}));
          std::printf("Deleted secret %s/%s\n", a->provider.c_str(), a->name.c_str());
          return Status::Ok();
        };
      }});
  t.push_back(Command{"secret", "rekey",
                      "Re-encrypt every stored secret with a new key (config/secret.key)",
                      "berth secret rekey", [](CLI::App&) -> std::function<Status()> {
                        return []() -> Status {
                          BERTH_ASSIGN_OR_RETURN(admin::SecretsResponse res,
                                                 Client().Call(admin::RekeySecretsRequest{}));
                          std::printf("Re-encrypted %lld secret(s) with a new key\n",
                                      static_cast<long long>(res.rekeyed));
                          return Status::Ok();
                        };
                      }});
}

}  // namespace berth::cli
