// Timeline entries of scenario and trial files (format in include/gutskin/scenario.hpp).
//
// The one reader for a `timeline:` list, used by every file that holds one: scenario files
// (load_scenario) and trial files (background and arms, src/trial).
#include "scenario/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include "gutskin/units.hpp"

namespace gutskin {

namespace {

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string format_days(double days) {
  return format_number(days) + (days == 1.0 ? " day" : " days");
}

void absorb(DiagnosticSink& sink, const InputError& e) {
  for (const auto& d : e.diagnostics()) sink.error(d.where, d.message);
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string near = closest_name(name, candidates);
  return near.empty() ? std::string() : " (did you mean '" + near + "'?)";
}

/// Reads one file, collecting every problem.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  DiagnosticSink sink;

  SourceLoc loc(const YAML::Node& n) const {
    if (!n.IsDefined()) return SourceLoc{.file = file_, .line = 0, .column = 0};
    const YAML::Mark m = n.Mark();
    return SourceLoc{.file = file_, .line = m.line + 1, .column = m.column + 1};
  }
  void error(const YAML::Node& n, std::string message) { sink.error(loc(n), std::move(message)); }

  std::optional<std::string> text(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      error(n, "expected " + what);
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::optional<Quantity> quantity(const YAML::Node& n) {
    const auto t = text(n, "a quantity such as '35 g/day'");
    if (!t) return std::nullopt;
    try {
      return parse_quantity(*t, loc(n));
    } catch (const InputError& e) {
      absorb(sink, e);
      return std::nullopt;
    }
  }

  /// A time, in days (a bare number is in days).
  std::optional<double> time(const YAML::Node& n) {
    const auto t = text(n, "a time such as '7 days'");
    if (!t) return std::nullopt;
    try {
      return parse_quantity_in(*t, day_unit(), loc(n));
    } catch (const InputError& e) {
      absorb(sink, e);
      return std::nullopt;
    }
  }

  /// How a time was written, for messages ("2 weeks"; a bare number gets "days").
  static std::string written_time(const YAML::Node& n, double days) {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (s.find_first_not_of("0123456789.eE+- ") != std::string::npos) return s;
    }
    return format_days(days);
  }

  std::optional<double> number(const YAML::Node& n) {
    const auto t = text(n, "a number");
    if (!t) return std::nullopt;
    try {
      const Quantity q = parse_quantity(*t, loc(n));
      if (q.unit.text == "1") return q.value;
    } catch (const InputError&) {
    }
    error(n, "expected a number");
    return std::nullopt;
  }

  /// Reports keys of a mapping not in `known` ("unknown key 'x' in <where> (did you mean..)").
  /// Returns false if any was unknown.
  bool check_keys(const YAML::Node& map, const std::vector<std::string>& known,
                  const std::string& where) {
    bool ok = true;
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      error(kv.first, "unknown key '" + key + "' in " + where + did_you_mean(key, known));
      ok = false;
    }
    return ok;
  }

 private:
  std::string file_;
};

const std::vector<std::string> kEntryKeys = {
    "input", "value", "from",  "to",    "dose", "duration", "every", "times_per_week",
    "ramp",  "bolus", "amount", "at",   "label"};

struct KindInfo {
  Intervention::Kind kind;
  const char* name;
  std::vector<std::string> keys;  // keys that belong in this kind of entry
};

const KindInfo& kind_info(Intervention::Kind kind) {
  using K = Intervention::Kind;
  static const std::vector<KindInfo> kinds = {
      {K::constant, "constant", {"input", "value", "from", "label"}},
      {K::window, "window", {"input", "value", "from", "to", "label"}},
      {K::doses, "dose",
       {"input", "dose", "duration", "every", "times_per_week", "from", "to", "label"}},
      {K::ramp, "ramp", {"input", "ramp", "from", "to", "label"}},
      {K::bolus, "bolus", {"bolus", "amount", "at", "label"}},
  };
  for (const auto& k : kinds)
    if (k.kind == kind) return k;
  return kinds.front();
}

std::optional<Intervention> read_entry(Reader& r, const YAML::Node& e) {
  using K = Intervention::Kind;
  if (!e.IsMap()) {
    r.error(e, "expected a timeline entry such as {input: fibre, value: 35 g/day, from: 0 days}");
    return std::nullopt;
  }
  if (!r.check_keys(e, kEntryKeys, "timeline entry")) return std::nullopt;

  Intervention iv;
  if (e["bolus"]) iv.kind = K::bolus;
  else if (e["ramp"]) iv.kind = K::ramp;
  else if (e["dose"]) iv.kind = K::doses;
  else if (e["value"]) iv.kind = e["to"] ? K::window : K::constant;
  else {
    r.error(e, e["input"] ? "timeline entry needs one of 'value', 'dose' or 'ramp'"
                          : "timeline entry needs 'input' (or 'bolus')");
    return std::nullopt;
  }
  const KindInfo& info = kind_info(iv.kind);
  bool ok = true;
  for (const auto& kv : e) {
    const std::string key = kv.first.Scalar();
    if (std::find(info.keys.begin(), info.keys.end(), key) == info.keys.end()) {
      r.error(kv.first, "'" + key + "' is not used in a " + info.name + " entry");
      ok = false;
    }
  }
  auto require = [&](const char* key) {
    if (e[key]) return true;
    r.error(e, std::string("missing '") + key + "'");
    ok = false;
    return false;
  };

  const char* target_key = iv.kind == K::bolus ? "bolus" : "input";
  if (require(target_key)) {
    const YAML::Node t = e[target_key];
    if (auto s = r.text(t, iv.kind == K::bolus ? "a state name" : "an input name")) iv.target = *s;
    else ok = false;
    iv.where = r.loc(t);
  }
  if (e["label"]) {
    if (auto s = r.text(e["label"], "a label")) iv.label = *s;
  }

  // The value(s), kept in the unit they were written in.
  const char* value_key = iv.kind == K::bolus   ? "amount"
                          : iv.kind == K::doses ? "dose"
                          : iv.kind == K::ramp  ? "ramp"
                                                : "value";
  if (require(value_key)) {
    const YAML::Node v = e[value_key];
    iv.value_where = r.loc(v);
    if (iv.kind == K::ramp) {
      if (!v.IsSequence() || v.size() != 2) {
        r.error(v, "'ramp' needs two values: [start, end]");
        ok = false;
      } else {
        auto a = r.quantity(v[0]);
        auto b = r.quantity(v[1]);
        if (a && b) {
          const bool a_bare = a->unit.text == "1", b_bare = b->unit.text == "1";
          iv.unit = b_bare ? a->unit : b->unit;
          iv.value = b->value;
          iv.ramp_from = a->value;
          if (!a_bare && !b_bare) {
            try {
              iv.ramp_from = convert(a->value, a->unit, b->unit, r.loc(v[0]));
            } catch (const InputError& err) {
              absorb(r.sink, err);
              ok = false;
            }
          }
        } else {
          ok = false;
        }
      }
    } else if (auto q = r.quantity(v)) {
      iv.value = q->value;
      iv.unit = q->unit;
    } else {
      ok = false;
    }
  }

  // Times.
  if (iv.kind == K::bolus) {
    if (require("at")) {
      if (auto t = r.time(e["at"])) iv.start = *t;
      else ok = false;
    }
  } else {
    if (e["from"]) {
      if (auto t = r.time(e["from"])) iv.start = *t;
      else ok = false;
    }
    const bool needs_to = iv.kind == K::window || iv.kind == K::ramp;
    if (needs_to ? require("to") : static_cast<bool>(e["to"])) {
      if (auto t = r.time(e["to"])) {
        iv.end = *t;
        if (ok && !(iv.end > iv.start)) {
          const std::string from_text =
              e["from"] ? Reader::written_time(e["from"], iv.start) : format_days(iv.start);
          r.error(e["to"], "'to' (" + Reader::written_time(e["to"], iv.end) +
                               ") must be after 'from' (" + from_text + ")");
          ok = false;
        }
      } else {
        ok = false;
      }
    }
  }

  if (iv.kind == K::doses) {
    if (require("duration")) {
      if (auto d = r.time(e["duration"])) {
        iv.dose_duration = *d;
        if (!(*d > 0)) r.error(e["duration"], "'duration' must be positive"), ok = false;
      } else {
        ok = false;
      }
    }
    std::string period_text;
    if (e["every"] && e["times_per_week"]) {
      r.error(e["times_per_week"], "give 'every' or 'times_per_week', not both");
      ok = false;
    } else if (e["every"]) {
      if (auto p = r.time(e["every"])) {
        iv.period = *p;
        period_text = Reader::written_time(e["every"], *p);
        if (!(*p > 0)) r.error(e["every"], "'every' must be positive"), ok = false;
      } else {
        ok = false;
      }
    } else if (e["times_per_week"]) {
      if (auto n = r.number(e["times_per_week"])) {
        if (*n > 0) {
          iv.period = 7.0 / *n;
          period_text = format_days(iv.period);
        } else {
          r.error(e["times_per_week"], "'times_per_week' must be positive");
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      r.error(e, "missing 'every' or 'times_per_week'");
      ok = false;
    }
    if (ok && iv.dose_duration > iv.period) {
      r.error(e["duration"], "'duration' (" + Reader::written_time(e["duration"], iv.dose_duration) +
                                 ") must not be longer than the time between doses (" +
                                 period_text + ")");
      ok = false;
    }
  }

  if (iv.label.empty()) iv.label = iv.target;
  if (!ok) return std::nullopt;
  return iv;
}

}  // namespace

namespace detail {

std::vector<Intervention> read_timeline(const YAML::Node& list, const std::string& file,
                                        DiagnosticSink& sink) {
  Reader r(file);
  std::vector<Intervention> out;
  if (!list.IsSequence()) {
    if (!list.IsNull()) r.error(list, "expected a list of timeline entries");
  } else {
    for (const auto& entry : list)
      if (auto iv = read_entry(r, entry)) out.push_back(std::move(*iv));
  }
  for (const auto& d : r.sink.diagnostics()) sink.error(d.where, d.message);
  return out;
}

}  // namespace detail

}  // namespace gutskin
