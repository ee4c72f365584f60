// Go's fmt for template values (Value = nlohmann::json): how {{.}} prints a value (%v), the
// print/printf/println builtins, and strconv.Quote. Numbers are int64 (an unsigned JSON number
// that does not fit is a double) or double, as Go's int and float64.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace berth::tmpl {

using Value = nlohmann::json;

// "No value": what a missing map key or nil data evaluates to; prints "<no value>".
Value NoValue();
bool IsNoValue(const Value& v);

// Go's name of the value's type in messages: int, float64, string, bool, []interface {},
// map[string]interface {}, <nil>.
std::string TypeName(const Value& v);

// fmt.Sprint of one value (%v): 1.5, 1e+06, [a b], map[k:v], <nil>.
std::string FormatValue(const Value& v);
// A double with the fewest digits that read back the same (strconv.FormatFloat(d, verb, -1)):
// verb 'g' as Go's %v (an exponent below 1e-4 and from 1e+06 up: 1e+06, 1.5), 'e' always an
// exponent, 'f' never.
std::string FormatFloatShortest(double d, char verb);

// fmt.Sprint(args...): a space between operands when neither is a string.
std::string Sprint(const std::vector<Value>& args);
// fmt.Sprintln(args...): spaces between all operands, then a newline.
std::string Sprintln(const std::vector<Value>& args);
// fmt.Sprintf with Go's verbs (%v %s %d %q %x %X %o %b %c %e %f %g %t %T %%), flags, width and
// precision; a mismatched verb prints "%!d(string=hi)" as Go does. Widths are capped at 10^6.
std::string Sprintf(std::string_view format, const std::vector<Value>& args);

// strconv.Quote: a double-quoted Go string literal.
std::string GoQuote(std::string_view s);

}  // namespace berth::tmpl
