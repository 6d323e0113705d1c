#include "jinja/unicode.h"

namespace jinja {

std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    size_t n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c >> 5) == 0x6) {
      cp = c & 0x1f;
      n = 2;
    } else if ((c >> 4) == 0xe) {
      cp = c & 0x0f;
      n = 3;
    } else {
      cp = c & 0x07;
      n = 4;
    }
    for (size_t k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

std::string utf8_encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) utf8_append(out, c);
  return out;
}

bool utf8_valid(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    char32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
      cp = c & 0x1f;
    } else if ((c >> 4) == 0xe) {
      n = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n;
  }
  return true;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

bool py_isspace(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}

namespace {

bool in(char32_t c, char32_t lo, char32_t hi) {
  return c >= lo && c <= hi;
}

bool is_format_char(char32_t c) {
  return c == 0xad || in(c, 0x600, 0x605) || c == 0x61c || c == 0x6dd || c == 0x70f || c == 0x890 ||
         c == 0x891 || c == 0x8e2 || c == 0x180e || in(c, 0x200b, 0x200f) ||
         in(c, 0x202a, 0x202e) || in(c, 0x2060, 0x2064) || in(c, 0x2066, 0x206f) || c == 0xfeff ||
         in(c, 0xfff9, 0xfffb) || c == 0x110bd || c == 0x110cd || in(c, 0x13430, 0x1343f) ||
         in(c, 0x1bca0, 0x1bca3) || in(c, 0x1d173, 0x1d17a) || c == 0xe0001 ||
         in(c, 0xe0020, 0xe007f);
}

}  // namespace

bool py_isprintable(char32_t c) {
  if (c == ' ') return true;
  if (c < 0x20 || in(c, 0x7f, 0xa0)) return false;
  if (py_isspace(c)) return false;  // Zs, Zl, Zp
  if (is_format_char(c)) return false;
  if (in(c, 0xd800, 0xf8ff)) return false;                                // surrogates, private use
  if (in(c, 0xfdd0, 0xfdef) || (c & 0xfffe) == 0xfffe) return false;      // noncharacters
  if (in(c, 0x323b0, 0xdffff) || in(c, 0xe0080, 0x10ffff)) return false;  // unassigned, private
  return true;
}

char32_t to_upper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if (c == 0xb5) return 0x39c;
  if ((in(c, 0xe0, 0xfe) && c != 0xf7)) return c - 32;
  if (c == 0xff) return 0x178;
  if (in(c, 0x100, 0x137) || in(c, 0x14a, 0x177)) return (c & 1) ? c - 1 : c;
  if (in(c, 0x139, 0x148) || in(c, 0x179, 0x17e)) return (c & 1) ? c : c - 1;
  if (c == 0x131) return 'I';
  if (c == 0x17f) return 'S';
  if (in(c, 0x3b1, 0x3c9) && c != 0x3c2) return c - 32;
  if (c == 0x3c2) return 0x3a3;
  if (c == 0x3ac) return 0x386;
  if (in(c, 0x3ad, 0x3af)) return c - 37;
  if (c == 0x3cc) return 0x38c;
  if (in(c, 0x3cd, 0x3ce)) return c - 63;
  if (in(c, 0x430, 0x44f)) return c - 32;
  if (in(c, 0x450, 0x45f)) return c - 80;
  return c;
}

char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (in(c, 0xc0, 0xde) && c != 0xd7) return c + 32;
  if (c == 0x178) return 0xff;
  if (in(c, 0x100, 0x137) || in(c, 0x14a, 0x177)) return (c & 1) ? c : c + 1;
  if (in(c, 0x139, 0x148) || in(c, 0x179, 0x17e)) return (c & 1) ? c + 1 : c;
  if (in(c, 0x391, 0x3a9) && c != 0x3a2) return c + 32;
  if (c == 0x386) return 0x3ac;
  if (in(c, 0x388, 0x38a)) return c + 37;
  if (c == 0x38c) return 0x3cc;
  if (in(c, 0x38e, 0x38f)) return c + 63;
  if (in(c, 0x410, 0x42f)) return c + 32;
  if (in(c, 0x400, 0x40f)) return c + 80;
  return c;
}

bool is_cased_upper(char32_t c) {
  return to_lower(c) != c;
}
bool is_cased_lower(char32_t c) {
  return to_upper(c) != c || c == 0xdf;
}

bool is_alpha(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return c == 0xaa || c == 0xb5 || c == 0xba || (in(c, 0xc0, 0x24f) && c != 0xd7 && c != 0xf7) ||
         in(c, 0x370, 0x3ff) || in(c, 0x400, 0x52f) || in(c, 0x5d0, 0x5ea) || in(c, 0x620, 0x64a) ||
         in(c, 0x904, 0x939) || in(c, 0xe01, 0xe30) || in(c, 0x3041, 0x3096) ||
         in(c, 0x30a1, 0x30fa) || in(c, 0x3400, 0x4dbf) || in(c, 0x4e00, 0x9fff) ||
         in(c, 0xac00, 0xd7a3) || in(c, 0x20000, 0x2a6df);
}

bool is_decimal(char32_t c) {
  return (c >= '0' && c <= '9') || in(c, 0x660, 0x669) || in(c, 0x6f0, 0x6f9) ||
         in(c, 0x966, 0x96f) || in(c, 0xff10, 0xff19);
}

bool is_word(char32_t c) {
  return c == '_' || is_alpha(c) || is_decimal(c);
}

std::string py_upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : utf8_decode(s)) {
    if (c == 0xdf) {
      out += "SS";
    } else {
      utf8_append(out, to_upper(c));
    }
  }
  return out;
}

std::string py_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : utf8_decode(s)) utf8_append(out, to_lower(c));
  return out;
}

std::string py_strip(std::string_view s, const std::u32string* chars, bool left, bool right) {
  std::u32string u = utf8_decode(s);
  auto strip_it = [&](char32_t c) {
    return chars ? chars->find(c) != std::u32string::npos : py_isspace(c);
  };
  size_t b = 0, e = u.size();
  if (left) {
    while (b < e && strip_it(u[b])) ++b;
  }
  if (right) {
    while (e > b && strip_it(u[e - 1])) --e;
  }
  return utf8_encode(std::u32string_view(u).substr(b, e - b));
}

std::vector<std::string> py_splitlines(std::string_view s) {
  std::u32string u = utf8_decode(s);
  std::vector<std::string> lines;
  std::u32string cur;
  for (size_t i = 0; i < u.size(); ++i) {
    char32_t c = u[i];
    bool brk = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) ||
               c == 0x85 || c == 0x2028 || c == 0x2029;
    if (!brk) {
      cur.push_back(c);
      continue;
    }
    if (c == '\r' && i + 1 < u.size() && u[i + 1] == '\n') ++i;
    lines.push_back(utf8_encode(cur));
    cur.clear();
  }
  if (!cur.empty()) lines.push_back(utf8_encode(cur));
  return lines;
}

}  // namespace jinja
