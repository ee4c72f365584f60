// The bytes of an HTTP/1 message head (start line, fields, blank line), exactly as Beast's
// serializer writes them, appended to a string: the proxy writes a head and the first piece of
// a body in one gather write instead of going through http::serializer. Internal to the proxy.
#pragma once

#include <boost/beast/http/message.hpp>
#include <string>

namespace berth::proxy {

// "<method> <target> HTTP/<x.y>\r\n", then "<name>: <value>\r\n" per field, then "\r\n".
void AppendHead(const boost::beast::http::request_header<>& h, std::string* out);
// "HTTP/<x.y> <code> <reason>\r\n", the fields, then "\r\n".
void AppendHead(const boost::beast::http::response_header<>& h, std::string* out);

}  // namespace berth::proxy
