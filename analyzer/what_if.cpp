#include "analyzer/what_if.hpp"

#include <algorithm>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

namespace bgpfa::analyzer {

using rib::PrefixEntry;
using rib::PrefixKey;

void TransitionCounts::into(std::map<std::string, std::size_t>& out) const {
  for (int f = 0; f < kKinds; ++f)
    for (int t = 0; t < kKinds; ++t)
      if (n_[f][t]) out[fmt::format("{}->{}", to_string(static_cast<PathKind>(f)), to_string(static_cast<PathKind>(t)))] = n_[f][t];
}

WhatIf what_if(const Topology& topo, const AzureRules& rules, const rib::RouteTable& table, const PrefixLimits& limits,
               const std::vector<int>& failed_peers) {
  const std::vector<PeerRole>& roles = topo.peers();
  std::vector<bool> failed(roles.size(), false);
  WhatIf out;
  for (int i : failed_peers) {
    failed[static_cast<std::size_t>(i)] = true;
    out.failed.push_back(fmt::format("{} ({})", wire::to_string(roles[static_cast<std::size_t>(i)].address),
                                     topo.label(static_cast<std::size_t>(i))));
  }
  auto survives = [&](const rib::Route& r) { return !failed[r.peer]; };
  // Prefixes whose own routes were hit get a new decision; those left without a usable route of
  // their own (and those that had none) follow their longest covering prefix that has one.
  absl::flat_hash_map<PrefixKey, ActivePath> own_after;  // hit prefixes that keep a path of their own
  absl::flat_hash_map<PrefixKey, ActivePath> after;
  std::vector<PrefixKey> uncovered;
  PrefixEntry scratch;
  table.for_each([&](const PrefixKey& p, const PrefixEntry& e) {
    const bool hit = std::any_of(e.routes.begin(), e.routes.end(), [&](const rib::Route& r) { return !survives(r); });
    if (!hit) {
      const ActivePath now = unpack(e.state);
      if (now.via_covering || now.kind == PathKind::None) uncovered.push_back(p);  // its cover may be hit
      return;
    }
    scratch.routes.clear();
    for (const auto& r : e.routes)
      if (survives(r)) scratch.routes.push_back(r);
    ActivePath a;
    if (topo.system_route(p, topo.hub())) a = Topology::system_path();
    else if (!scratch.routes.empty()) a = rules.decide(scratch, p.length == 0, limits.flags()).active;
    if (a.kind == PathKind::None) {
      uncovered.push_back(p);
      return;
    }
    own_after[p] = a;
    after[p] = a;
  });
  auto own_path = [&](const PrefixKey& k, const PrefixEntry& e) -> std::optional<ActivePath> {
    if (auto it = own_after.find(k); it != own_after.end()) return it->second;
    if (std::any_of(e.routes.begin(), e.routes.end(), [&](const rib::Route& r) { return !survives(r); }))
      return std::nullopt;  // hit, and left without a path of its own
    const ActivePath now = unpack(e.state);
    if (now.via_covering || now.kind == PathKind::None) return std::nullopt;
    return now;
  };
  for (const auto& p : uncovered) {
    ActivePath a;
    if (topo.system_route(p, topo.hub())) {
      a = Topology::system_path();
    } else {
      for (int len = p.length - 1; len >= 0; --len) {
        const PrefixKey k = p.truncated(static_cast<std::uint8_t>(len));
        const PrefixEntry* e = table.find(k);
        if (!e) continue;
        if (auto own = own_path(k, *e)) {
          a = *own;
          a.via_covering = true;
          break;
        }
      }
    }
    after[p] = a;
  }
  TransitionCounts counts;
  for (auto& [p, a] : after) {
    const ActivePath before = rules.active_of(table.find(p)->state);
    if (before == a) continue;
    rules.summarise(a);
    out.changes.push_back(WhatIfChange{p.to_prefix(), before, a});
    counts.add(before.kind, a.kind);
  }
  counts.into(out.transitions);
  std::sort(out.changes.begin(), out.changes.end(), [](const WhatIfChange& x, const WhatIfChange& y) {
    return PrefixKey::from(x.prefix) < PrefixKey::from(y.prefix);
  });
  return out;
}

WhatIf then_fails(WhatIf first, const WhatIf& then) {
  WhatIf out;
  out.failed = std::move(first.failed);
  for (const auto& f : then.failed)  // a flapping session fails twice: named once
    if (std::find(out.failed.begin(), out.failed.end(), f) == out.failed.end()) out.failed.push_back(f);
  // Both are sorted by prefix: one merge.
  const auto key = [](const WhatIfChange& c) { return PrefixKey::from(c.prefix); };
  TransitionCounts counts;
  auto keep = [&](WhatIfChange c) {
    if (c.before == c.after) return;  // changed and back
    counts.add(c.before.kind, c.after.kind);
    out.changes.push_back(std::move(c));
  };
  std::size_t i = 0, j = 0;
  const auto& a = first.changes;
  const auto& b = then.changes;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && key(a[i]) < key(b[j]))) {
      keep(a[i++]);
    } else if (i == a.size() || key(b[j]) < key(a[i])) {
      keep(b[j++]);
    } else {
      keep(WhatIfChange{a[i].prefix, a[i].before, b[j].after});
      ++i;
      ++j;
    }
  }
  counts.into(out.transitions);
  return out;
}

void judge(Episode& ep, const WhatIf& w, const std::vector<PrefixKey>& changed, const rib::RouteTable& table,
           const AzureRules& rules) {
  Prediction& p = ep.prediction;
  p.made = true;
  p.failed = w.failed;
  absl::flat_hash_set<PrefixKey> predicted;
  predicted.reserve(w.changes.size());
  TransitionCounts predicted_n, observed_n;
  for (const auto& c : w.changes) {
    const PrefixKey k = PrefixKey::from(c.prefix);
    predicted.insert(k);
    const PrefixEntry* e = table.find(k);
    const ActivePath now = e ? rules.active_of(e->state) : ActivePath{};
    predicted_n.add(c.before.kind, c.after.kind);
    observed_n.add(c.before.kind, now.kind);
    if (now.kind == c.after.kind) {
      ++p.matched;
      continue;
    }
    ++p.differed;
    if (p.misses.size() < 20) p.misses.push_back({c.prefix, c.after.kind, now.kind});
  }
  for (const auto& k : changed) p.unpredicted += predicted.contains(k) ? 0 : 1;
  predicted_n.into(p.predicted);
  observed_n.into(p.observed);
}

}  // namespace bgpfa::analyzer
