// A small strict JSON reader (RFC 8259) that keeps where each value starts, so that errors in
// files written by other tools (az CLI, PowerShell) name line and column, and so do findings.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bgpfa::azure {

struct JsonMember;

struct JsonValue {
  enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string text;  // a string's value; a number's literal as written
  std::vector<JsonValue> items;                              // Array
  std::vector<JsonMember> members;                           // Object, in file order
  std::uint32_t line = 1, column = 1;                        // where the value starts (1-based)

  // The member named `key`, compared without case (az prints camelCase, PowerShell's
  // ConvertTo-Json PascalCase); nullptr when absent.
  [[nodiscard]] const JsonValue* get(std::string_view key) const noexcept;
  [[nodiscard]] bool is(Type t) const noexcept { return type == t; }
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

[[nodiscard]] const char* type_name(JsonValue::Type t) noexcept;  // "a string", "an array", ...

// Text from the file in a message: in double quotes, control bytes and bytes that are not UTF-8
// as \xNN (no escape sequences reach the terminal), at most 80 bytes of it.
[[nodiscard]] std::string quoted(std::string_view s);

struct JsonError {
  std::uint32_t line = 1, column = 1;
  std::string message;
};

// Parses one JSON text (a UTF-8 byte order mark is skipped). Columns count characters, not bytes.
[[nodiscard]] std::variant<JsonValue, JsonError> parse_json(std::string_view text);

}  // namespace bgpfa::azure
