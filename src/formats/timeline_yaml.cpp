// Timeline entries of scenario and trial files (format in include/gutskin/scenario.hpp).
//
// The one reader for a `timeline:` list, used by every file that holds one: scenario files
// (load_scenario) and trial files (background and arms, load_trial).
#include "formats/timeline_yaml.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include "gutskin/units.hpp"
#include "core/yaml_reader.hpp"

namespace gutskin {

namespace {

using detail::did_you_mean;
using detail::format_days;

/// Reads one file, collecting every problem.
using Reader = detail::YamlReader;

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
              r.absorb(err);
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
