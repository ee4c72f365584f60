// The shape of a CLI command: one row of the command table.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/json_text.h"
#include "base/status.h"
#include "cli/admin_client.h"
#include "cli/command_table.h"

namespace berth::cli {

struct Command {
  std::string group;    // "app", "server", "spec"
  std::string name;     // "create"
  std::string summary;  // one line for the command list
  std::string example;  // shown by --help
  // Declares the command's flags and arguments on `cmd`; returns what runs after parsing.
  std::function<std::function<Status()>(CLI::App& cmd)> setup;
};

// Commands of each group, registered in command_table.cc.
void AddServerCommands(std::vector<Command>& table, const Hooks& hooks);
void AddAppCommands(std::vector<Command>& table);
void AddSpecCommands(std::vector<Command>& table);
void AddChangeCommands(std::vector<Command>& table);

// The client for the server of $BERTH_HOME.
AdminClient& Client();

// Parses "k=v" for flag `flag`; "k" alone is an error unless allow_bare.
Status ParseKeyValue(const std::string& flag, const std::string& text, bool allow_bare,
                     std::string* key, std::optional<std::string>* value);

// InvalidArgument unless `format` is "table" or "json" (the -f flag).
Status CheckFormat(const std::string& format);

// Prints a protocol value for -f json: its keys in the protocol's order, indented by 2.
void PrintJsonText(std::string_view json_text);
template <typename T>
void PrintJson(const T& value) {
  PrintJsonText(admin::ToJsonText(value));
}

// Prints rows as aligned columns, the first row being the header.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// berth secret ... (secret_commands.cc).
void AddSecretCommands(std::vector<Command>& table);

}  // namespace berth::cli
