// Content hashing (SHA-256) for image and container names.
#pragma once

#include <string>
#include <string_view>

namespace berth {

// Incremental SHA-256; Hex() gives the lowercase hex digest.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  // Adds bytes. Fields added one after another are length-prefixed by AddField so that
  // ("ab","c") and ("a","bc") hash differently.
  void Add(std::string_view bytes);
  void AddField(std::string_view field);
  std::string Hex();

 private:
  void* ctx_;
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace berth
