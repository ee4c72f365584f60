#include "proxy/http_head.h"

namespace berth::proxy {

namespace http = boost::beast::http;

namespace {

void AppendVersion(unsigned version, std::string* out) {
  out->append("HTTP/");
  out->push_back(static_cast<char>('0' + version / 10));
  out->push_back('.');
  out->push_back(static_cast<char>('0' + version % 10));
}

void AppendFields(const http::fields& f, std::string* out) {
  for (const auto& field : f) {
    out->append(field.name_string());
    out->append(": ");
    out->append(field.value());
    out->append("\r\n");
  }
  out->append("\r\n");
}

}  // namespace

void AppendHead(const http::request_header<>& h, std::string* out) {
  out->append(h.method_string());
  out->push_back(' ');
  out->append(h.target());
  out->push_back(' ');
  AppendVersion(h.version(), out);
  out->append("\r\n");
  AppendFields(h, out);
}

void AppendHead(const http::response_header<>& h, std::string* out) {
  AppendVersion(h.version(), out);
  unsigned code = h.result_int();
  char digits[5] = {' ', static_cast<char>('0' + code / 100),
                    static_cast<char>('0' + code / 10 % 10), static_cast<char>('0' + code % 10),
                    ' '};
  out->append(digits, sizeof(digits));
  out->append(h.reason());
  out->append("\r\n");
  AppendFields(h, out);
}

}  // namespace berth::proxy
