#include "template/template.h"

#include "template/executor.h"
#include "template/parser.h"

namespace berth::tmpl {

struct TemplateSource {
  std::string name;
  std::string text;
  TreeSet trees;
  ParseOptions options;
};

Result<Template> Template::Parse(std::string_view name, std::string_view text,
                                 const ParseOptions& options) {
  auto source = std::make_shared<TemplateSource>();
  source->name = std::string(name);
  source->text = std::string(text);
  source->options = options;
  std::set<std::string, std::less<>> functions = options.functions;
  for (const auto& [fn, unused] : Builtins()) functions.insert(fn);
  ParserConfig config;
  config.functions = &functions;
  config.max_nesting = options.max_nesting;
  BERTH_RETURN_IF_ERROR(tmpl::Parse(source->name, source->text, config, &source->trees));
  return Template(std::move(source));
}

Result<std::string> Template::Execute(const Value& data, const FuncMap& extra_funcs,
                                      const Budget& budget) const {
  ExecConfig config;
  config.name = source_->name;
  config.text = source_->text;
  config.trees = &source_->trees;
  config.extra_funcs = &extra_funcs;
  config.missing_key_error = source_->options.missing_key_error;
  config.max_steps = budget.max_steps;
  config.max_output_bytes = budget.max_output_bytes;
  config.max_template_depth = budget.max_template_depth;
  return tmpl::Execute(config, data);
}

const std::string& Template::name() const { return source_->name; }

bool LooksLikeTemplate(std::string_view text) {
  size_t open = text.find("{{");
  return open != std::string_view::npos && text.find("}}") != std::string_view::npos;
}

}  // namespace berth::tmpl
