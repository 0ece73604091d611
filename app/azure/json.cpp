#include "app/azure/json.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "bgp/wire/text.hpp"

namespace bgpfa::azure {

namespace {

constexpr int kMaxDepth = 256;

struct Failure {
  std::uint32_t line, column;
  std::string message;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  JsonValue document() {
    if (s_.size() >= 2 && ((s_[0] == '\xff' && s_[1] == '\xfe') || (s_[0] == '\xfe' && s_[1] == '\xff')))
      fail("the file is UTF-16 (as Windows PowerShell's > writes it); save it as UTF-8 "
           "(az ... --output json > FILE in a Unix shell, or Out-File -Encoding utf8)");
    if (s_.substr(0, 3) == "\xef\xbb\xbf") pos_ = 3;
    skip_space();
    if (pos_ == s_.size()) fail("empty file: expected a JSON value");
    JsonValue v = value(0);
    skip_space();
    if (pos_ != s_.size()) fail(fmt::format("expected the end of the JSON text after the value that starts at {}:{}, found {}",
                                            v.line, v.column, found()));
    return v;
  }

 private:
  [[noreturn]] void fail(std::string m) const { throw Failure{line_, column_, std::move(m)}; }

  [[nodiscard]] std::string found() const {
    if (pos_ >= s_.size()) return "the end of the file";
    const unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c < 0x20 || c == 0x7f) return fmt::format("byte 0x{:02x}", c);
    if (c >= 0x80) return "a non-ASCII character";
    return fmt::format("'{}'", static_cast<char>(c));
  }

  void step() {  // one byte; columns advance per character (UTF-8 continuation bytes do not count)
    const unsigned char c = static_cast<unsigned char>(s_[pos_++]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xc0) != 0x80) {
      ++column_;
    }
  }

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) step();
  }

  void expect_word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) fail(fmt::format("expected a JSON value, found {}", found()));
    for (std::size_t i = 0; i < w.size(); ++i) step();
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail(fmt::format("nested deeper than {} levels", kMaxDepth));
    JsonValue v;
    v.line = line_;
    v.column = column_;
    if (pos_ >= s_.size()) fail("expected a JSON value, found the end of the file");
    const char c = s_[pos_];
    switch (c) {
      case '{': object(v, depth); break;
      case '[': array(v, depth); break;
      case '"':
        v.type = JsonValue::Type::String;
        v.text = string();
        break;
      case 't': expect_word("true"); v.type = JsonValue::Type::Bool; v.boolean = true; break;
      case 'f': expect_word("false"); v.type = JsonValue::Type::Bool; break;
      case 'n': expect_word("null"); break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          number(v);
          break;
        }
        fail(fmt::format("expected a JSON value, found {}", found()));
    }
    return v;
  }

  void object(JsonValue& v, int depth) {
    v.type = JsonValue::Type::Object;
    step();  // {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      step();
      return;
    }
    for (;;) {
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != '"')
        fail(fmt::format("expected a member name in double quotes, found {}", found()));
      std::string key = string();
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail(fmt::format("expected ':' after the member name {}, found {}", azure::quoted(key), found()));
      step();
      skip_space();
      JsonValue member = value(depth + 1);
      v.members.push_back(JsonMember{std::move(key), std::move(member)});
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        step();
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        step();
        return;
      }
      fail(fmt::format("expected ',' or '}}' in the object that starts at {}:{}, found {}", v.line, v.column, found()));
    }
  }

  void array(JsonValue& v, int depth) {
    v.type = JsonValue::Type::Array;
    step();  // [
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      step();
      return;
    }
    for (;;) {
      skip_space();
      v.items.push_back(value(depth + 1));
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        step();
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        step();
        return;
      }
      fail(fmt::format("expected ',' or ']' in the array that starts at {}:{}, found {}", v.line, v.column, found()));
    }
  }

  unsigned hex4() {
    unsigned u = 0;
    for (int i = 0; i < 4; ++i) {
      if (pos_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_])))
        fail(fmt::format("expected four hex digits after \\u, found {}", found()));
      const char h = s_[pos_];
      u = u * 16 + static_cast<unsigned>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
      step();
    }
    return u;
  }

  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  std::string string() {
    step();  // "
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string: expected '\"', found the end of the file");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        step();
        return out;
      }
      if (c < 0x20) fail(fmt::format("control byte 0x{:02x} in a string (write it as \\u{:04x})", c, c));
      if (c != '\\') {
        out += static_cast<char>(c);
        step();
        continue;
      }
      step();
      if (pos_ >= s_.size()) fail("unterminated string: expected an escape after '\\', found the end of the file");
      const char e = s_[pos_];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          step();
          unsigned cp = hex4();
          if (cp >= 0xd800 && cp < 0xdc00) {  // a UTF-16 surrogate pair
            if (s_.substr(pos_, 2) != "\\u") fail("a high surrogate \\u escape without its low surrogate");
            step();
            step();
            const unsigned lo = hex4();
            if (lo < 0xdc00 || lo >= 0xe000) fail("a high surrogate \\u escape without its low surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else if (cp >= 0xdc00 && cp < 0xe000) {
            fail("a low surrogate \\u escape without a high one before it");
          }
          put_utf8(out, cp);
          continue;
        }
        default: fail(fmt::format("unknown escape \\{} in a string", found()));
      }
      step();
    }
  }

  void number(JsonValue& v) {
    v.type = JsonValue::Type::Number;
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') step();
      return pos_ - from;
    };
    if (s_[pos_] == '-') step();
    if (pos_ < s_.size() && s_[pos_] == '0') {
      step();
      if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') fail("a number with a leading zero");
    } else if (digits() == 0) {
      fail(fmt::format("expected a digit, found {}", found()));
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      step();
      if (digits() == 0) fail(fmt::format("expected a digit after the decimal point, found {}", found()));
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      step();
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) step();
      if (digits() == 0) fail(fmt::format("expected a digit in the exponent, found {}", found()));
    }
    v.text = std::string(s_.substr(start, pos_ - start));
    errno = 0;
    v.number = std::strtod(v.text.c_str(), nullptr);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1, column_ = 1;
};

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

const JsonValue* JsonValue::get(std::string_view key) const noexcept {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  for (const auto& [k, v] : members)
    if (iequal(k, key)) return &v;
  return nullptr;
}

std::string quoted(std::string_view s) { return wire::quote_text(s, 80); }

const char* type_name(JsonValue::Type t) noexcept {
  switch (t) {
    case JsonValue::Type::Null: return "null";
    case JsonValue::Type::Bool: return "a boolean";
    case JsonValue::Type::Number: return "a number";
    case JsonValue::Type::String: return "a string";
    case JsonValue::Type::Array: return "an array";
    case JsonValue::Type::Object: return "an object";
  }
  return "?";
}

std::variant<JsonValue, JsonError> parse_json(std::string_view text) {
  try {
    return Parser(text).document();
  } catch (const Failure& f) {
    return JsonError{f.line, f.column, f.message};
  }
}

}  // namespace bgpfa::azure
